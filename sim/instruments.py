"""Cooperation instruments: MLATs, extradition, databases, harmonisation, joint teams.

Each is a policy (:class:`sim.policy_base.Policy`) that adds its instrument to the
legal state while it is in force (``legal``); some also act on the week (``act``).
They register under their ``type`` when this module is imported (by
:mod:`sim.policies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from sim.policy_base import Policy

if TYPE_CHECKING:  # pragma: no cover
    pass


@dataclass
class AddMlat(Policy):
    """A mutual legal assistance treaty between two states, or among several parties.

    Args:
        between: the two states of a bilateral treaty.
        parties: or the parties of a multilateral convention (every pair is covered).
        mlat_median_weeks: median request latency (default: the parameter of that name,
            ~40 weeks, the ~10-month US figure of the President's Review Group 2013);
            files may still say ``median_weeks``.
        success: chance a request under the treaty is answered (before trust).
    """

    type: ClassVar[str] = "add_mlat"
    FIELDS: ClassVar[dict[str, str]] = dict(
        between="pair", parties="states", mlat_median_weeks="pos", success="prob"
    )
    ONE_OF: ClassVar[tuple[str, ...]] = ("between", "parties")
    ALIASES: ClassVar[dict[str, str]] = {"median_weeks": "mlat_median_weeks"}

    between: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    mlat_median_weeks: float | None = None
    success: float | None = None

    def legal(self, world, legal) -> None:  # noqa: D102
        idx = [world.state_index[x] for x in (self.between or self.parties)]
        m = self.mlat_median_weeks or world.params["mlat_median_weeks"]
        s = world.params["mlat_success"] if self.success is None else self.success
        for a, b in ((a, b) for a in idx for b in idx if a < b):
            legal.pair(a, b, "mlat_median_weeks", min(m, legal.mlat_median_weeks[a, b] or m))
            legal.pair(a, b, "mlat_success", max(s, legal.mlat_success[a, b]))


@dataclass
class ExtraditionTreaty(Policy):
    """An extradition treaty between two states, or a convention among several parties.

    Args:
        between: the two states of a bilateral treaty.
        parties: or the parties of a multilateral convention such as the Montevideo
            Convention on Extradition of 1933 (every pair is covered).
    """

    type: ClassVar[str] = "extradition_treaty"
    FIELDS: ClassVar[dict[str, str]] = {"between": "pair", "parties": "states"}
    ONE_OF: ClassVar[tuple[str, ...]] = ("between", "parties")

    between: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        idx = [world.state_index[x] for x in (self.between or self.parties)]
        for a, b in ((a, b) for a in idx for b in idx if a < b):
            legal.pair(a, b, "extradition", True)


@dataclass
class CreateDatabase(Policy):
    """A shared database (Interpol I-24/7, Europol SIENA, ASEANAPOL-style).

    Args:
        name: the database's name (``join_database`` refers to it).
        members: founding member states.
        lag: weeks before members see each other's seizure records.
        coverage: share of seizures a member's systems capture (scaled by willingness
            and by trust per partner).
        intel: detection multiplier where a live record of a load's identifier is held
            (default ``db_intel_boost``).
        willingness: share of its records each founding member is willing to share
            (political will; 1 by default).
        red_notices: the database also carries INTERPOL red notices: a member finds and
            arrests a fugitive leader wanted by another member, who is then surrendered
            subject to its extradition rules (``sim.members.obtainable``).
    """

    type: ClassVar[str] = "create_database"
    FIELDS: ClassVar[dict[str, str]] = dict(
        name="str",
        members="states",
        lag="int",
        coverage="prob",
        intel="pos",
        willingness="prob",
        red_notices="bool",
    )
    REQUIRED: ClassVar[tuple[str, ...]] = ("name", "members")

    name: str = ""
    members: list[str] = field(default_factory=list)
    lag: int | None = None
    coverage: float | None = None
    intel: float | None = None
    willingness: float = 1.0
    red_notices: bool = False

    def legal(self, world, legal) -> None:  # noqa: D102
        from sim.agreements import Database

        p = world.params
        idx = {world.state_index[s] for s in self.members}
        db = legal.databases.get(self.name)
        if db is None:
            db = legal.databases[self.name] = Database(
                self.name,
                idx,
                int(p["db_lag"] if self.lag is None else self.lag),
                p["db_coverage"] if self.coverage is None else self.coverage,
                p["db_intel_boost"] if self.intel is None else self.intel,
                notices=bool(self.red_notices),
            )
        else:
            db.members |= idx
        db.willingness.update(dict.fromkeys(idx, float(self.willingness)))


@dataclass
class JoinDatabase(Policy):
    """States join an existing shared database.

    Args:
        name: the database.
        states: the states joining.
        willingness: share of its records each joining state is willing to share (a
            free-rider joins with 0: it receives but does not give).
    """

    type: ClassVar[str] = "join_database"
    FIELDS: ClassVar[dict[str, str]] = {"name": "str", "states": "states", "willingness": "prob"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("name", "states")

    name: str = ""
    states: list[str] = field(default_factory=list)
    willingness: float = 1.0

    def legal(self, world, legal) -> None:  # noqa: D102
        db = legal.databases.get(self.name)
        if db is not None:  # joining a database that is not (yet) in force does nothing
            idx = {world.state_index[s] for s in self.states}
            db.members |= idx
            db.willingness.update(dict.fromkeys(idx, float(self.willingness)))


@dataclass
class Harmonize(Policy):
    """States align their law: add offences (closing dual-criminality gaps), surrender nationals.

    Args:
        states: the legislating states.
        offences: offence codes, e.g. ``conspiracy``, ``firearm_parts``.
        extradite_nationals: the states also allow the extradition of their nationals
            for the offences the model prosecutes (as Colombia did in 1997, Acto
            Legislativo 01/1997, and Honduras in 2012, Decree 02-2012 reforming Const.
            Art. 102, for drug trafficking and organised crime).
        convention_basis: the states take the Vienna 1988 and Palermo 2000 conventions
            as the legal basis for extradition where no treaty exists (Vienna 1988 Art.
            6(3), UNTOC Art. 16(4)).
    """

    type: ClassVar[str] = "harmonize"
    FIELDS: ClassVar[dict[str, str]] = {
        "states": "states", "offences": "strs", "extradite_nationals": "bool",
        "convention_basis": "bool",
    }  # fmt: skip
    REQUIRED: ClassVar[tuple[str, ...]] = ("states",)

    states: list[str] = field(default_factory=list)
    offences: list[str] = field(default_factory=list)
    extradite_nationals: bool = False
    convention_basis: bool = False

    def legal(self, world, legal) -> None:  # noqa: D102
        w = world
        for s in self.states:
            for off in self.offences:
                i, o = w.state_index[s], w.offence_index[off]
                legal.laws[i, o] = True
                legal.penalty[i, o] = max(legal.penalty[i, o], w.params["default_penalty_years"])
            if self.extradite_nationals:
                legal.nationals[w.state_index[s]] = True
            if self.convention_basis:
                legal.basis[w.state_index[s]] = True


@dataclass
class JointTeam(Policy):
    """A joint investigation team: fast evidence, pooled effort on shared borders.

    Args:
        states: the member states.
    """

    type: ClassVar[str] = "joint_team"
    FIELDS: ClassVar[dict[str, str]] = {"states": "states"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("states",)

    states: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        idx = [world.state_index[s] for s in self.states]
        for a in idx:
            legal.jit_teams[a] += 1  # each member seconds ``jit_investigators`` to the team
            for b in idx:
                if a != b:
                    legal.jit[a, b] = True


@dataclass
class LiaisonOfficers(Policy):
    """Liaison officers keep trust between two states at least ``trust_gain`` above its start.

    Args:
        between: the two states.
        trust_gain: rise of the trust floor (0..1).
    """

    type: ClassVar[str] = "liaison_officers"
    FIELDS: ClassVar[dict[str, str]] = {"between": "pair", "trust_gain": "prob"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("between",)

    between: list[str] = field(default_factory=list)
    trust_gain: float = 0.2

    def legal(self, world, legal) -> None:  # noqa: D102
        a, b = (world.state_index[x] for x in self.between)
        floor = min(1.0, world.trust0[a, b] + self.trust_gain)
        legal.pair(a, b, "trust_floor", max(floor, legal.trust_floor[a, b]))


@dataclass
class SharingCondition(Policy):
    """A member withholds its database records from some partners.

    A data-protection or sovereignty condition: ``state`` enters none of its records
    for ``partners`` (in any database they share), nor the places on its seized loads.

    Args:
        state: the state that withholds.
        partners: the states it does not share with.
    """

    type: ClassVar[str] = "sharing_condition"
    FIELDS: ClassVar[dict[str, str]] = {"state": "state", "partners": "states"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("state", "partners")

    state: str = ""
    partners: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        a = world.state_index[self.state]
        for b in self.partners:
            legal.withhold[a, world.state_index[b]] = True


@dataclass
class SuspendCooperation(Policy):
    """A political shock: cooperation between two states is suspended from start to end.

    While in force the pair exchanges no database records, formal requests between
    them take ``suspension_delay`` times longer, and trust between them falls by
    ``trust_shock`` a week; afterwards trust recovers as it does after any fall.

    Args:
        between: the two states.
    """

    type: ClassVar[str] = "suspend_cooperation"
    FIELDS: ClassVar[dict[str, str]] = {"between": "pair"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("between",)

    between: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        a, b = (world.state_index[x] for x in self.between)
        legal.pair(a, b, "suspended", True)


from sim import procedures  # noqa: E402,F401  (registers the procedural instruments)
