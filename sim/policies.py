"""Policies (interventions): a small base class, the registry keyed by ``type``.

A policy is plain data: it round-trips to ``{"type": "surge", ...}``, and is built
fresh for every run, so it never carries state between runs. Each tick the model
calls ``act`` on every active policy after resetting its enforcement multipliers, so
a policy's effect is a pure function of (policy, tick) and ends cleanly at ``end``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import TraffickingModel

# Field kinds understood by the scenario validator (sim.scenario):
#   "state"  one state id          "states" a list of state ids
#   "pair"   a list of two states  "pos"/"nonneg"/"prob"/"int"/"str" scalars
COMMON_FIELDS = {"start": "int", "end": "int", "cost": "nonneg", "label": "str"}


@dataclass
class Policy:
    """Base class: an intervention active from ``start`` until ``end`` (exclusive).

    Args:
        start: first tick at which the policy acts.
        end: tick at which it stops acting (None: never).
        cost: cost in USD per year while active.
        label: a name for plots and tables.
    """

    type: ClassVar[str] = ""
    FIELDS: ClassVar[dict[str, str]] = {}
    REQUIRED: ClassVar[tuple[str, ...]] = ()

    start: int = 0
    end: int | None = None
    cost: float = 0.0
    label: str = ""

    def active(self, tick: int) -> bool:
        """Whether the policy acts at ``tick``."""
        return tick >= self.start and (self.end is None or tick < self.end)

    def act(self, model: TraffickingModel, tick: int) -> None:
        """Apply the policy's effect for one tick (called only while active)."""

    def to_dict(self) -> dict:
        """Plain-dict form, as in a scenario's ``[[policies]]`` table."""
        d = {"type": self.type}
        d.update({k: v for k, v in asdict(self).items() if v is not None and v != ""})
        return d

    def describe(self) -> str:
        """One line for tables."""
        own = {f.name: getattr(self, f.name) for f in fields(self) if f.name in self.FIELDS}
        args = ", ".join(f"{k}={v}" for k, v in own.items())
        when = f"from tick {self.start}" + (f" to {self.end}" if self.end is not None else "")
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
        model.capacity_mult[model.world.state_index[self.state]] *= self.factor


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
        model.capacity_mult[s] *= 1.0 + (self.capacity - 1.0) * frac
        model.detection_mult[s] *= 1.0 + (self.detection - 1.0) * frac
        model.integrity_mult[s] *= 1.0 + (self.integrity - 1.0) * frac


REGISTRY: dict[str, type[Policy]] = {cls.type: cls for cls in (Surge, CapacityBuilding)}


def register(cls: type[Policy]) -> type[Policy]:
    """Add a policy class to the registry (usable as a decorator)."""
    REGISTRY[cls.type] = cls
    return cls


def from_dict(d: dict) -> Policy:
    """Build a policy from its plain-dict form (validated by sim.scenario)."""
    d = dict(d)
    cls = REGISTRY[d.pop("type")]
    return cls(**d)
