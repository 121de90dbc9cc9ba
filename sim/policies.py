"""Policies (interventions): a small base class and the registry keyed by ``type``.

A policy is plain data: it round-trips to ``{"type": "surge", ...}`` and is built fresh
for every run, so it never carries state between runs (see :func:`apply`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    from sim.agreements import LegalState
    from sim.model import TraffickingModel
    from sim.world import World

# Field kinds understood by the scenario validator (sim.scenario):
#   "state"  one state id          "states" a list of state ids
#   "pair"   a list of two states  "pos"/"nonneg"/"prob"/"int"/"str" scalars
COMMON_FIELDS = {"start": "int", "end": "int", "cost": "nonneg", "label": "str"}
#: type -> policy class, in definition order (filled by ``Policy.__init_subclass__``).
REGISTRY: dict[str, type[Policy]] = {}


@dataclass
class Policy:
    """Base class: an intervention active from ``start`` until ``end`` (exclusive).

    Args:
        start: first week at which the policy acts.
        end: week at which it stops acting (none: never).
        cost: cost in USD per year while active.
        label: a name for plots and tables.
    """

    type: ClassVar[str] = ""
    FIELDS: ClassVar[dict[str, str]] = {}
    REQUIRED: ClassVar[tuple[str, ...]] = ()
    ONE_OF: ClassVar[tuple[str, ...]] = ()  # exactly one of these fields must be given
    ALIASES: ClassVar[dict[str, str]] = {}  # former field names -> current ones

    start: int = 0
    end: int | None = None
    cost: float = 0.0
    label: str = ""

    def __init_subclass__(cls, **kwargs):
        """Every policy type defined below registers itself under its ``type``."""
        super().__init_subclass__(**kwargs)
        if cls.type:
            REGISTRY[cls.type] = cls

    def active(self, tick: int) -> bool:
        """Whether the policy acts at ``tick``."""
        return tick >= self.start and (self.end is None or tick < self.end)

    def act(self, model: TraffickingModel, tick: int) -> None:
        """Apply the policy's effect for one tick (called only while active).

        An intervention acts on the model's declared state: the enforcement
        multipliers (``model.enforcement``), the members, and the week's recorder.
        """

    def legal(self, world: World, legal: LegalState) -> None:
        """Add this policy's instruments to the legal state (called while active)."""

    def to_dict(self) -> dict:
        """Plain-dict form, as in a scenario's ``[[policies]]`` table."""
        d = {"type": self.type}
        d.update({k: v for k, v in asdict(self).items() if v is not None and v not in ("", [])})
        return d

    def describe(self) -> str:
        """One line for tables."""
        own = {f.name: getattr(self, f.name) for f in fields(self) if f.name in self.FIELDS}
        own = {k: v for k, v in own.items() if v is not None and v != []}
        args = ", ".join(f"{k}={v}" for k, v in own.items())
        when = f"from week {self.start}" + (f" to {self.end}" if self.end is not None else "")
        return f"{self.type}({args}) {when}, {self.cost:,.0f} USD/yr"


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
    """An extradition treaty between two states.

    Args:
        between: the two states.
    """

    type: ClassVar[str] = "extradition_treaty"
    FIELDS: ClassVar[dict[str, str]] = {"between": "pair"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("between",)

    between: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        a, b = (world.state_index[x] for x in self.between)
        legal.pair(a, b, "extradition", True)


@dataclass
class CreateDatabase(Policy):
    """A shared database (Interpol I-24/7, Europol SIENA, ASEANAPOL-style).

    Args:
        name: the database's name (``join_database`` refers to it).
        members: founding member states.
        lag: weeks before members see each other's seizure records.
        coverage: share of seizures a member enters (scaled by trust per partner).
        intel: detection multiplier on flagged organisations (default ``db_intel_boost``).
    """

    type: ClassVar[str] = "create_database"
    FIELDS: ClassVar[dict[str, str]] = dict(
        name="str", members="states", lag="int", coverage="prob", intel="pos"
    )
    REQUIRED: ClassVar[tuple[str, ...]] = ("name", "members")

    name: str = ""
    members: list[str] = field(default_factory=list)
    lag: int | None = None
    coverage: float | None = None
    intel: float | None = None

    def legal(self, world, legal) -> None:  # noqa: D102
        from sim.agreements import Database

        p = world.params
        idx = {world.state_index[s] for s in self.members}
        db = legal.databases.get(self.name)
        if db is None:
            legal.databases[self.name] = Database(
                self.name,
                idx,
                int(p["db_lag"] if self.lag is None else self.lag),
                p["db_coverage"] if self.coverage is None else self.coverage,
                p["db_intel_boost"] if self.intel is None else self.intel,
            )
        else:
            db.members |= idx


@dataclass
class JoinDatabase(Policy):
    """States join an existing shared database.

    Args:
        name: the database.
        states: the states joining.
    """

    type: ClassVar[str] = "join_database"
    FIELDS: ClassVar[dict[str, str]] = {"name": "str", "states": "states"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("name", "states")

    name: str = ""
    states: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        db = legal.databases.get(self.name)
        if db is not None:  # joining a database that is not (yet) in force does nothing
            db.members |= {world.state_index[s] for s in self.states}


@dataclass
class Harmonize(Policy):
    """States add offences to their criminal law (closing dual-criminality gaps).

    Args:
        states: the legislating states.
        offences: offence codes, e.g. ``conspiracy``, ``firearm_parts``.
    """

    type: ClassVar[str] = "harmonize"
    FIELDS: ClassVar[dict[str, str]] = {"states": "states", "offences": "strs"}
    REQUIRED: ClassVar[tuple[str, ...]] = ("states", "offences")

    states: list[str] = field(default_factory=list)
    offences: list[str] = field(default_factory=list)

    def legal(self, world, legal) -> None:  # noqa: D102
        w = world
        for s in self.states:
            for off in self.offences:
                legal.laws[w.state_index[s], w.offence_index[off]] = True


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


def register(cls: type[Policy]) -> type[Policy]:
    """Add a policy class to the registry (usable as a decorator)."""
    REGISTRY[cls.type] = cls
    return cls


def from_dict(d: dict) -> Policy:
    """Build a policy (or an agreement in force) from its plain-dict form."""
    kind = d["type"]
    cls = REGISTRY[AGREEMENT_TYPES.get(kind, kind)]
    return cls(**{cls.ALIASES.get(k, k): v for k, v in d.items() if k != "type"})
