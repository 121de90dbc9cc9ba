"""The policy base class and the registry of policy types keyed by ``type``.

A policy is plain data: it round-trips to ``{"type": "surge", ...}`` and is built fresh
for every run, so it never carries state between runs (see :func:`sim.policies.apply`).
Enforcement policies live in :mod:`sim.policies`, cooperation instruments (treaties,
databases, joint teams) in :mod:`sim.instruments`; both register here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
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

    def in_effect(self, tick: int) -> bool:
        """Whether ``act`` is called at ``tick``: by default while active.

        A type whose effect outlives its funding overrides it (``capacity_building``
        keeps acting after ``end`` while its gain decays); ``active`` still decides
        the cost and the legal state.
        """
        return self.active(tick)

    def act(self, model: TraffickingModel, tick: int) -> None:
        """Apply the policy's effect for one tick (called while ``in_effect``).

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


def register(cls: type[Policy]) -> type[Policy]:
    """Add a policy class to the registry (usable as a decorator)."""
    REGISTRY[cls.type] = cls
    return cls
