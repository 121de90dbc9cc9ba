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
    "BUILD_TARGETS",
    "COMMON_FIELDS",
    "REGISTRY",
    "BUILD_RETURNS",
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


#: ``capacity_building`` targets: field -> the enforcement multiplier it raises.
BUILD_TARGETS = {
    "capacity": "capacity_mult",
    "detection": "detection_mult",
    "integrity": "integrity_mult",
    "investigators": "investigators_mult",
    "courts": "courts_mult",
    "central_authority": "authority_mult",
}
#: Returns to scale of capacity building on one state and target: the gain (the
#: multiplier minus 1) grows as effort ** BUILD_RETURNS, so two equal programmes give
#: 2 ** 0.5 ~= 1.41 times the gain of one, not twice. ILLUSTRATIVE (no published
#: elasticity that we know of).
BUILD_RETURNS = 0.5


@dataclass
class CapacityBuilding(Policy):
    """Build up a state's enforcement and justice capacity; the gain decays once unfunded.

    The programme raises up to six multipliers towards its targets (1 = untouched):
    inspection capacity, detection, integrity (capped at 1), investigators, the
    courts' conviction chance (capped at 1 in :mod:`sim.justice`) and the central
    authority's capacity for legal-assistance requests. Its progress at week t is

    - ramp-up, from ``start``: r(t) = min(1, (t - start + 1) / ramp_weeks). Linear, so
      that ``ramp_weeks`` keeps its meaning (weeks to the full effect); no published
      curve favours another shape.
    - decay, from ``end`` (when the funding stops): r(end - 1) x 0.5 ** ((t - end + 1)
      / decay_weeks): what was built halves every ``decay_weeks`` (staff turnover,
      equipment without maintenance). Without an ``end`` it never decays;
      ``decay_weeks = 0`` stops it at ``end`` as an ordinary policy.

    A programme's gain on target k is g = (m_k - 1) x r(t), so alone it reaches its
    target m_k. Diminishing returns: the gain grows as effort ** ``BUILD_RETURNS``, so
    the programmes on one state and target add up their efforts g ** (1 /
    BUILD_RETURNS) and the multiplier is 1 + (sum of efforts) ** BUILD_RETURNS; two
    equal programmes give 1 + 1.41 g, not 1 + 2 g, whatever their order. A target
    below 1 just multiplies (1 + g, g < 0), outside this sum.

    The policy keeps acting after ``end`` (:meth:`in_effect`) rather than the model
    keeping a capacity stock: the effect stays a pure function of (policy, week), and
    a policy object carries no state between runs. ``cost`` is paid only while active.

    Args:
        state: the state receiving the programme.
        capacity: multiplier on inspection capacity once fully ramped.
        detection: multiplier on detection.
        integrity: multiplier on integrity (capped at 1).
        investigators: multiplier on the investigators free for cases.
        courts: multiplier on the courts' conviction chance (capped at 1).
        central_authority: multiplier on the central authority's capacity for
            legal-assistance requests.
        ramp_weeks: weeks to reach the full effect.
        decay_weeks: half-life of the gain after ``end`` (0: stops at ``end``).
        end: week the funding stops (none: never); the gain then decays.
    """

    type: ClassVar[str] = "capacity_building"
    FIELDS: ClassVar[dict[str, str]] = {
        "state": "state",
        "capacity": "pos",
        "detection": "pos",
        "integrity": "pos",
        "investigators": "pos",
        "courts": "pos",
        "central_authority": "pos",
        "ramp_weeks": "int",
        "decay_weeks": "nonneg",
    }
    REQUIRED: ClassVar[tuple[str, ...]] = ("state",)

    state: str = ""
    capacity: float = 1.0
    detection: float = 1.0
    integrity: float = 1.0
    investigators: float = 1.0
    courts: float = 1.0
    central_authority: float = 1.0
    ramp_weeks: int = 52
    # ILLUSTRATIVE: a two-year half-life; we know of no published estimate of how fast
    # donor-funded enforcement capacity erodes once the funding stops.
    decay_weeks: float = 104.0

    def in_effect(self, tick: int) -> bool:  # noqa: D102
        if self.end is not None and tick >= self.end and self.decay_weeks == 0:
            return False
        return tick >= self.start

    def progress(self, tick: int) -> float:
        """Share of each target's gain reached at ``tick``: ramp-up, then decay after end."""

        def ramp(t: int) -> float:
            return min(1.0, max(t - self.start + 1, 0) / max(self.ramp_weeks, 1))

        if tick < self.start:
            return 0.0
        if self.end is None or tick < self.end:
            return ramp(tick)
        if self.decay_weeks == 0:
            return 0.0
        return ramp(self.end - 1) * 0.5 ** ((tick - self.end + 1) / self.decay_weeks)

    def act(self, model: TraffickingModel, tick: int) -> None:  # noqa: D102
        s = model.world.state_index[self.state]
        r = self.progress(tick)
        enf = model.enforcement
        for field, name in BUILD_TARGETS.items():
            gain = (getattr(self, field) - 1.0) * r
            mult = getattr(enf, name)
            if gain < 0:
                mult[s] *= 1.0 + gain
            elif gain > 0:
                built = enf.built[enf.MULTIPLIERS.index(name)]
                before = built[s]
                built[s] = _combine(before, gain)
                mult[s] *= (1.0 + built[s]) / (1.0 + before)


def _combine(a: float, b: float) -> float:
    """Gains a and b together: (a ** (1/e) + b ** (1/e)) ** e, e = ``BUILD_RETURNS``.

    Written as hi x (1 + (lo / hi) ** (1/e)) ** e, which cannot overflow and gives b
    exactly when a = 0 (a lone programme reaches its target exactly).
    """
    hi, lo = max(a, b), min(a, b)
    if lo == 0:
        return hi
    return hi * (1.0 + (lo / hi) ** (1.0 / BUILD_RETURNS)) ** BUILD_RETURNS


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
    """Phase 2: reset the enforcement multipliers, let every policy in effect act, derive.

    A policy's effect is thus a pure function of (policy, tick): it ends at ``end``,
    except a ``capacity_building``'s, which decays after it (see ``in_effect``).
    """
    model.enforcement.reset()
    for pol in policies:
        if pol.in_effect(t):
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
