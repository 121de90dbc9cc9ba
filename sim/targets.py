"""Calibration targets: observed statistics of a scenario, their uncertainty and source.

A scenario's ``[targets]`` table names each observed statistic::

    [targets.interdiction_rate]
    value = 0.25            # the observation
    sd = 0.05               # its standard deviation (measurement and model discrepancy)
    source = "NarcoLogic calibration 0.25-0.34 (Magliocca et al. PNAS 2019)"
    # optional: metric = "interdiction_rate" (default: the table's name), state = "GTM",
    # weeks = [52, 260] or years = [1, 5] (default: burn-in to the end),
    # channel = "mlat" (latencies only), stat = "window" | "median" | "last"

A target is a metric of :mod:`sim.metrics` summarised over a window of weeks
(:func:`target_value`): ``window`` as the run summary does (mean of the weekly values,
ratio of window sums for rates, median over the window's requests for latencies),
``median`` the median of the weekly values, ``last`` the window's last week. Some
metrics can be measured in one state (``state``) or for one channel of evidence
requests (``channel``): :data:`BY_STATE`, :data:`BY_CHANNEL`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.justice import CHANNELS, DATABASE
from sim.metrics import REGISTRY
from sim.records import EXPIRED
from sim.scenario_schema import ScenarioError
from sim.suggest import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import TraffickingModel

WEEKS_PER_YEAR = 52
#: The keys of one target: "!" marks a required key.
SCHEMA_TARGET = {
    "value": "!num",
    "sd": "!pos",
    "source": "!str",
    "metric": "str",
    "state": "str",
    "weeks": "window",
    "years": "window",
    "channel": "str",
    "stat": "str",
}
STATS = ("window", "median", "last")
#: Metrics measured in one state: seized there, its share of what arrives there, and
#: requests (evidence, extradition) addressed to it.
BY_STATE = (
    "seized",
    "interdiction_rate",
    "request_latency_median",
    "authority_queue_weeks",
    "extradition_weeks",
)
#: Metrics of evidence requests that can be restricted to one channel (sim.justice.CHANNELS).
BY_CHANNEL = ("request_latency_median", "authority_queue_weeks")
#: Metrics computed from the run's event tables, not from weekly values.
EVENTS = ("request_latency_median", "authority_queue_weeks", "extradition_weeks")


@dataclass(frozen=True)
class Target:
    """One observed statistic.

    Attributes:
        name: the key under ``[targets]``.
        metric: the metric it measures.
        value, sd: the observation and its standard deviation.
        source: where the observation comes from.
        start, end: the window, weeks ``start`` .. ``end - 1`` (None: burn-in, the end).
        state: the state it is measured in ("" for the whole scenario).
        channel: the evidence-request channel ("" for every channel).
        stat: ``window``, ``median`` or ``last`` (module docstring).
    """

    name: str
    metric: str
    value: float
    sd: float
    source: str
    start: int | None = None
    end: int | None = None
    state: str = ""
    channel: str = ""
    stat: str = "window"

    def window(self, burn_in: int, ticks: int) -> tuple[int, int]:
        """The weeks measured: [start, end) with the defaults filled in."""
        return (
            burn_in if self.start is None else self.start,
            ticks if self.end is None else self.end,
        )

    def label(self) -> str:
        """Short text for tables and figures: name, state, channel."""
        extra = [x for x in (self.state, self.channel) if x]
        return f"{self.name} ({', '.join(extra)})" if extra else self.name

    def to_dict(self) -> dict:
        """Plain form for JSON headers."""
        return {k: v for k, v in vars(self).items() if v not in (None, "")}


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def check_targets(path: Path | str, targets, state_ids, ticks: int) -> None:
    """Validate a ``[targets]`` table; ScenarioError naming the file, key and problem."""
    if not isinstance(targets, dict):
        raise ScenarioError(path, "targets", "expected a table of [targets.NAME] tables")
    for name, t in targets.items():
        where = f"targets.{name}"
        if not isinstance(t, dict):
            raise ScenarioError(path, where, f"expected a table (value, sd, source), got {t!r}")
        for k, v in t.items():
            if k not in SCHEMA_TARGET:
                hint = did_you_mean(k, SCHEMA_TARGET)
                raise ScenarioError(
                    path,
                    f"{where}.{k}",
                    f"unknown key{hint}; valid keys: {', '.join(SCHEMA_TARGET)}",
                )
            _check_key(path, f"{where}.{k}", SCHEMA_TARGET[k].lstrip("!"), v, ticks)
        for k, kind in SCHEMA_TARGET.items():
            if kind.startswith("!") and k not in t:
                raise ScenarioError(path, f"{where}.{k}", "missing required key")
        if "weeks" in t and "years" in t:
            raise ScenarioError(path, where, "give the window once: weeks or years")
        metric = t.get("metric", name)
        if metric not in REGISTRY:
            key = f"{where}.metric" if "metric" in t else where
            hint = did_you_mean(metric, REGISTRY)
            raise ScenarioError(
                path,
                key,
                f"unknown metric {metric!r}{hint} (set metric = a name of sim/metrics.py)",
            )
        _check_scope(path, where, t, metric, state_ids)


def _check_key(path, key: str, kind: str, v, ticks: int) -> None:
    if kind == "str" and not isinstance(v, str):
        raise ScenarioError(path, key, f"expected a string, got {v!r}")
    if kind in ("num", "pos") and not _num(v):
        raise ScenarioError(path, key, f"expected a number, got {v!r}")
    if kind == "pos" and v <= 0:
        raise ScenarioError(path, key, f"must be > 0, got {v}")
    if kind == "window":
        unit = key.rsplit(".", 1)[-1]
        if not (isinstance(v, list) and len(v) == 2 and all(_num(x) and x >= 0 for x in v)):
            raise ScenarioError(path, key, f"expected [start, end] in {unit} (>= 0), got {v!r}")
        if unit == "weeks" and not all(float(x).is_integer() for x in v):
            raise ScenarioError(path, key, f"expected whole weeks, got {v!r}")
        lo, hi = (x * WEEKS_PER_YEAR if unit == "years" else x for x in v)
        if not lo < hi:
            raise ScenarioError(path, key, f"start must be before end, got {v!r}")
        if hi > ticks:
            raise ScenarioError(path, key, f"ends after the horizon ({ticks} weeks), got {v!r}")


def _check_scope(path, where: str, t: dict, metric: str, state_ids) -> None:
    if "state" in t:
        if metric not in BY_STATE:
            raise ScenarioError(
                path,
                f"{where}.state",
                f"{metric} is not measured by state (only {', '.join(BY_STATE)})",
            )
        if t["state"] not in state_ids:
            hint = did_you_mean(t["state"], state_ids)
            raise ScenarioError(path, f"{where}.state", f"unknown state {t['state']!r}{hint}")
    if "channel" in t:
        if metric not in BY_CHANNEL:
            raise ScenarioError(
                path, f"{where}.channel", f"{metric} has no channel (only {', '.join(BY_CHANNEL)})"
            )
        if t["channel"] not in CHANNELS or t["channel"] == CHANNELS[DATABASE]:
            ok = [c for c in CHANNELS if c != CHANNELS[DATABASE]]
            hint = did_you_mean(t["channel"], ok)
            raise ScenarioError(
                path,
                f"{where}.channel",
                f"unknown channel {t['channel']!r}{hint} ({', '.join(ok)})",
            )
    stat = t.get("stat", "window")
    if stat not in STATS:
        raise ScenarioError(
            path, f"{where}.stat", f"must be one of {', '.join(STATS)}, got {stat!r}"
        )
    if stat != "window" and metric in EVENTS:
        raise ScenarioError(
            path, f"{where}.stat", f"{metric} is summarised over its requests: only stat = window"
        )


def parse_targets(data: dict) -> list[Target]:
    """The targets of a (validated) scenario's data, in file order."""
    out = []
    for name, t in (data.get("targets") or {}).items():
        start = end = None
        if "weeks" in t:
            start, end = (int(x) for x in t["weeks"])
        elif "years" in t:
            start, end = (int(round(x * WEEKS_PER_YEAR)) for x in t["years"])
        out.append(
            Target(
                name,
                t.get("metric", name),
                float(t["value"]),
                float(t["sd"]),
                t["source"],
                start,
                end,
                t.get("state", ""),
                t.get("channel", ""),
                t.get("stat", "window"),
            )
        )
    return out


def check_horizon(targets: list[Target], burn_in: int, ticks: int, where: str) -> None:
    """Every window inside the horizon simulated; ScenarioError otherwise."""
    for t in targets:
        lo, hi = t.window(burn_in, ticks)
        if hi > ticks or lo >= hi:
            raise ScenarioError(
                where,
                f"targets.{t.name}",
                f"window weeks {lo}-{hi} is outside the {ticks} weeks run",
            )


# ------------------------------------------------------------------------- measuring
def _weekly(model: TraffickingModel, t: Target) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Weekly values of a series target (numerator and denominator for a rate)."""
    m = REGISTRY[t.metric]
    if t.state:
        s = model.world.state_ids.index(t.state)
        if t.metric == "seized":
            return model.state_seized[:, s]
        return model.state_seized[:, s], model.state_flow[:, s]
    if m.summary == "ratio":
        return model.series[m.num], sum(model.series[d] for d in m.den)
    return model.series[t.metric]


def _series_value(values, stat: str, lo: int, hi: int) -> float:
    if isinstance(values, tuple):
        num, den = (np.asarray(v, dtype=float)[lo:hi] for v in values)
        if stat == "window":
            d = float(np.nansum(den))
            return float(np.nansum(num)) / d if d > 0 else float("nan")
        with np.errstate(invalid="ignore", divide="ignore"):
            weekly = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    else:
        weekly = np.asarray(values, dtype=float)[lo:hi]
    ok = weekly[np.isfinite(weekly)]
    if stat == "last":
        return float(weekly[-1]) if len(weekly) else float("nan")
    if not len(ok):
        return float("nan")
    return float(np.median(ok) if stat == "median" else ok.mean())


def _event_value(model: TraffickingModel, t: Target, lo: int, hi: int) -> float:
    state = model.world.state_ids.index(t.state) if t.state else None
    if t.metric == "extradition_weeks":
        from sim.extradition import NO_TREATY

        e = model.justice.extraditions.table()
        keep = (e["due"] >= lo) & (e["due"] < hi) & (e["outcome"] != NO_TREATY)
        if state is not None:
            keep &= e["requested"] == state
        w = (e["due"] - e["lodged"])[keep]
        return float(np.median(w)) if len(w) else float("nan")
    r = model.request_table()
    keep = (r["answered"] >= lo) & (r["answered"] < hi) & (r["outcome"] != EXPIRED)
    keep &= r["channel"] != DATABASE
    if state is not None:
        keep &= r["to"] == state
    if t.channel:
        keep &= r["channel"] == CHANNELS.index(t.channel)
    if t.metric == "request_latency_median":
        lat = (r["answered"] - r["sent"])[keep]
        return float(np.median(lat)) if len(lat) else float("nan")
    if not t.channel:  # the queue of the central authorities: MLAT and letters rogatory
        keep &= np.isin(r["channel"], (CHANNELS.index("mlat"), CHANNELS.index("letters_rogatory")))
    q = r["queue_weeks"][keep]
    return float(q.mean()) if len(q) else float("nan")


def target_value(model: TraffickingModel, t: Target) -> float:
    """The target's statistic in a finished run (NaN when the window has nothing to measure)."""
    lo, hi = t.window(model.burn_in, model.tick)
    if t.metric in EVENTS:
        return _event_value(model, t, lo, hi)
    return _series_value(_weekly(model, t), t.stat, lo, hi)


__all__ = [
    "BY_CHANNEL",
    "BY_STATE",
    "SCHEMA_TARGET",
    "STATS",
    "Target",
    "check_horizon",
    "check_targets",
    "parse_targets",
    "target_value",
]
