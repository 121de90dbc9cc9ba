"""Instruments of legal procedure: EIO-like orders, production orders, surrender, authorities.

Like :mod:`sim.instruments`, each is a policy that adds its instrument to the legal
state while in force (``legal``), or acts on the week (``act``); they register under
their ``type`` when this module is imported (by :mod:`sim.instruments`). What the
instruments do to a request or an extradition is in :mod:`sim.authorities`,
:mod:`sim.justice` and :mod:`sim.extradition` (docs/ODD.md 7.13-7.14).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from sim.policy_base import Policy


def _parties(world, names) -> list[int]:
    return [world.state_index[x] for x in names]


def _every_pair(legal, attr: str, idx: list[int], value=True) -> None:
    for a in idx:
        for b in idx:
            if a != b:
                getattr(legal, attr)[a, b] = value


@dataclass
class AddEio(Policy):
    """An EIO-like order among parties: judicial authority to judicial authority, with deadlines.

    A request between parties skips the central authorities' queues, is executed in
    ``eio_median_weeks`` (median; the legal limit is ``eio_deadline_weeks``, Directive
    2014/41/EU, Art. 12, which practice sometimes exceeds) and, for the listed serious
    offences (drug and firearms trafficking, participation in a criminal organisation:
    Art. 11(1)(g) and Annex D), is never refused for want of dual criminality.

    Args:
        parties: the states taking part.
    """

    type: ClassVar[str] = "add_eio"
    FIELDS: ClassVar[dict[str, str]] = {"parties": "states"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("parties",)

    parties: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        _every_pair(legal, "eio", _parties(world, self.parties))


@dataclass
class AddProductionOrder(Policy):
    """Production orders for stored data sent straight to service providers in the parties.

    A request for stored data (``stored_data_share`` of requests) between parties goes
    to the provider, not the central authority, and is answered in
    ``production_order_weeks`` (median; the legal limit is
    ``production_order_deadline_weeks``, 10 days: Regulation (EU) 2023/1543, Art. 10).

    Args:
        parties: the states taking part.
    """

    type: ClassVar[str] = "add_production_order"
    FIELDS: ClassVar[dict[str, str]] = {"parties": "states"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("parties",)

    parties: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        _every_pair(legal, "production", _parties(world, self.parties))


@dataclass
class SurrenderArrangement(Policy):
    """A surrender arrangement among parties (European Arrest Warrant-like).

    Between parties, extradition is replaced by surrender between judicial authorities:
    a decision in ``surrender_consent_weeks`` (the person consents) or
    ``surrender_contested_weeks``; nationals are surrendered (Framework Decision
    2002/584/JHA, Art. 5(3): possibly to serve the sentence at home); no political
    refusal.

    Args:
        parties: the states taking part.
    """

    type: ClassVar[str] = "surrender_arrangement"
    FIELDS: ClassVar[dict[str, str]] = {"parties": "states"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("parties",)

    parties: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        idx = _parties(world, self.parties)
        _every_pair(legal, "surrender", idx)
        _every_pair(legal, "extradition", idx)


@dataclass
class ETransmission(Policy):
    """Central authorities that transmit requests electronically (e-CODEX, Iber@-like).

    Where both states of a request transmit electronically, its transmission takes
    ``e_transmission_factor`` of the time.

    Args:
        states: the states whose central authorities go electronic.
    """

    type: ClassVar[str] = "e_transmission"
    FIELDS: ClassVar[dict[str, str]] = {"states": "states"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("states",)

    states: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        legal.e_transmission[_parties(world, self.states)] = True


@dataclass
class StaffCentralAuthority(Policy):
    """More staff for one state's central authority: its weekly capacity times ``factor``.

    Args:
        state: the state.
        factor: multiplier on the requests its central authority takes up a week.
    """

    type: ClassVar[str] = "staff_central_authority"
    FIELDS: ClassVar[dict[str, str]] = {"state": "state", "factor": "pos"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("state",)

    state: str = ""
    factor: float = 2.0

    def act(self, model, tick: int) -> None:  # noqa: D102
        model.enforcement.authority_mult[model.world.state_index[self.state]] *= self.factor


@dataclass
class ControlledDelivery(Policy):
    """Controlled deliveries between two states (Vienna 1988 Art. 11; UNTOC Art. 20).

    A load detected in one state on its way into the other is, with chance ``share``,
    followed instead of seized, when the pair trusts each other (trust at least
    ``controlled_delivery_trust``) or runs a joint team: the seizure is traded for a
    case that starts at the receiving broker, with the evidence of the delivery.

    Args:
        between: the two states.
        share: chance a detected load that qualifies is followed.
    """

    type: ClassVar[str] = "controlled_delivery"
    FIELDS: ClassVar[dict[str, str]] = {"between": "pair", "share": "prob"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("between",)

    between: list[str] = field(default_factory=list)
    share: float = 0.5

    def legal(self, world, legal) -> None:  # noqa: D102
        a, b = _parties(world, self.between)
        legal.pair(a, b, "controlled", max(self.share, legal.controlled[a, b]))
