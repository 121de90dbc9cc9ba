"""Policies (interventions): enforcement policies, and the registry of every type.

A policy is plain data: it round-trips to ``{"type": "surge", ...}`` and is built fresh
for every run, so it never carries state between runs (see :func:`apply`). The base
class and the registry are in :mod:`sim.policy_base`; cooperation instruments
(treaties, databases, joint teams, liaison officers) in :mod:`sim.instruments`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from sim.instruments import (
    AddMlat,
    CreateDatabase,
    ExtraditionTreaty,
    Harmonize,
    JoinDatabase,
    JointTeam,
    LiaisonOfficers,
    SharingCondition,
    SuspendCooperation,
)
from sim.policy_base import COMMON_FIELDS, REGISTRY, Policy, register

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import TraffickingModel

__all__ = [
    "AGREEMENT_TYPES",
    "COMMON_FIELDS",
    "REGISTRY",
    "AddMlat",
    "CapacityBuilding",
    "CreateDatabase",
    "ExtraditionTreaty",
    "Harmonize",
    "JoinDatabase",
    "JointTeam",
    "LiaisonOfficers",
    "Policy",
    "STRATEGIES",
    "RemoveMembers",
    "SharingCondition",
    "Surge",
    "SuspendCooperation",
    "VettedUnit",
    "apply",
    "from_dict",
    "register",
]


@dataclass
class Surge(Policy):
    """Temporary enforcement surge: multiplies one state's inspection capacity.

    Args:
        state: the surging state.
        factor: multiplier on its capacity.
    """

    type: ClassVar[str] = "surge"
    FIELDS: ClassVar[dict[str, str]] = {"state": "state", "factor": "pos"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("state", "factor")

    state: str = ""
    factor: float = 2.0

    def act(self, model: TraffickingModel, tick: int) -> None:  # noqa: D102
        model.enforcement.capacity_mult[model.world.state_index[self.state]] *= self.factor


@dataclass
class CapacityBuilding(Policy):
    """Raise a state's capacity, detection and integrity, ramping in linearly.

    Args:
        state: the state receiving the programme.
        capacity: multiplier on inspection capacity once fully ramped.
        detection: multiplier on detection.
        integrity: multiplier on integrity (capped at 1).
        ramp_weeks: weeks to reach the full effect.
    """

    type: ClassVar[str] = "capacity_building"
    FIELDS: ClassVar[dict[str, str]] = {
        "state": "state",
        "capacity": "pos",
        "detection": "pos",
        "integrity": "pos",
        "ramp_weeks": "int",
    }
    REQUIRED: ClassVar[tuple[str, ...]] = ("state",)

    state: str = ""
    capacity: float = 1.0
    detection: float = 1.0
    integrity: float = 1.0
    ramp_weeks: int = 52

    def act(self, model: TraffickingModel, tick: int) -> None:  # noqa: D102
        s = model.world.state_index[self.state]
        frac = min(1.0, (tick - self.start + 1) / max(self.ramp_weeks, 1))
        enf = model.enforcement
        enf.capacity_mult[s] *= 1.0 + (self.capacity - 1.0) * frac
        enf.detection_mult[s] *= 1.0 + (self.detection - 1.0) * frac
        enf.integrity_mult[s] *= 1.0 + (self.integrity - 1.0) * frac


@dataclass
class VettedUnit(Policy):
    """A vetted unit in one agency: higher integrity, and received records kept safe.

    Args:
        state: the state whose agency sets up the unit.
        integrity: multiplier on the agency's integrity (capped at 1).
        records_share: share of received database records the unit handles (they do
            not leak).
    """

    type: ClassVar[str] = "vetted_unit"
    FIELDS: ClassVar[dict[str, str]] = {
        "state": "state",
        "integrity": "pos",
        "records_share": "prob",
    }
    REQUIRED: ClassVar[tuple[str, ...]] = ("state",)

    state: str = ""
    integrity: float = 1.2
    records_share: float = 0.8

    def act(self, model: TraffickingModel, tick: int) -> None:  # noqa: D102
        model.enforcement.integrity_mult[model.world.state_index[self.state]] *= self.integrity

    def legal(self, world, legal) -> None:  # noqa: D102
        s = world.state_index[self.state]
        legal.vetted[s] = max(legal.vetted[s], self.records_share)


#: Targeting strategies of ``remove_members`` (:func:`sim.network.select`).
STRATEGIES = ("random", "degree", "betweenness", "role")


@dataclass
class RemoveMembers(Policy):
    """Targeted arrests at the policy's start tick (e.g. top brokers by betweenness).

    Args:
        strategy: random, degree, betweenness or role.
        share: share of the (filtered) active members to arrest.
        count: or a number of members.
        organisation: only this organisation's members.
        role: only this role (leader, broker, courier).
    """

    type: ClassVar[str] = "remove_members"
    FIELDS: ClassVar[dict[str, str]] = {
        "strategy": "str",
        "share": "prob",
        "count": "int",
        "organisation": "str",
        "role": "str",
    }
    REQUIRED: ClassVar[tuple[str, ...]] = ("strategy",)

    strategy: str = "random"
    share: float | None = None
    count: int | None = None
    organisation: str | None = None
    role: str | None = None

    def act(self, model: TraffickingModel, tick: int) -> None:  # noqa: D102
        if tick != self.start:
            return
        from sim import members as M
        from sim import network

        org = None
        if self.organisation is not None:
            org = next(o.index for o in model.orgs if o.org_id == self.organisation)
        role = M.ROLES.index(self.role) if self.role else None
        mem, streams = model.members, model.streams
        pick = streams["arrests"]
        idx = network.select(mem, self.strategy, self.share, self.count, pick, org, role)
        model.recorder.count("arrests", len(idx))
        M.arrest(mem, idx, tick, model.params, streams["recruitment"])


#: The order in which ``xborder policies`` and the schema list the types.
_ORDER = (
    "surge",
    "capacity_building",
    "add_mlat",
    "extradition_treaty",
    "create_database",
    "join_database",
    "harmonize",
    "joint_team",
    "liaison_officers",
    "sharing_condition",
    "suspend_cooperation",
    "vetted_unit",
    "remove_members",
)
_types = dict(REGISTRY)
REGISTRY.clear()
REGISTRY.update({k: _types[k] for k in _ORDER if k in _types})
REGISTRY.update({k: v for k, v in _types.items() if k not in REGISTRY})


def apply(policies: list[Policy], model: TraffickingModel, t: int) -> None:
    """Phase 2: reset the enforcement multipliers, let every active policy act, derive.

    A policy's effect is thus a pure function of (policy, tick) that ends at ``end``.
    """
    model.enforcement.reset()
    for pol in policies:
        if pol.active(t):
            pol.act(model, t)
    model.enforcement.derive(model.world)


#: ``[[agreements]]`` types (in force at tick 0) and the policies that implement them.
AGREEMENT_TYPES = dict(
    mlat="add_mlat", extradition="extradition_treaty", database="create_database", jit="joint_team"
)


def from_dict(d: dict) -> Policy:
    """Build a policy (or an agreement in force) from its plain-dict form."""
    kind = d["type"]
    cls = REGISTRY[AGREEMENT_TYPES.get(kind, kind)]
    return cls(**{cls.ALIASES.get(k, k): v for k, v in d.items() if k != "type"})
