"""Metric registry: name, unit, description, and how a run is summarised.

Names are part of the public interface (docs/ODD.md, "Observation"). Each week the
metrics phase writes one value per metric (:func:`record`); per run,
:func:`summarize` reduces the post-burn-in window: ``mean`` averages the weekly
series, ``ratio`` divides window sums (so a rate is flow-weighted, not an average of
noisy weekly rates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.intel import live_share
from sim.members import safe_haven_leaders

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import TraffickingModel


@dataclass(frozen=True)
class Metric:
    """A reported quantity.

    Attributes:
        name: registry key, used in JSON, tables and ``--metric``.
        unit: unit; ``{q}`` is replaced by the scenario's quantity unit (kg, firearms).
        description: one sentence for tables and plot labels.
        summary: ``mean`` of the weekly series or ``ratio`` of two window sums.
        num, den: for ``ratio``: names of the series summed (den may add several).
        higher_is: "better" / "worse" for enforcement, or "" when neutral.
    """

    name: str
    unit: str
    description: str
    summary: str = "mean"
    num: str = ""
    den: tuple[str, ...] = ()
    higher_is: str = ""

    def label(self, q: str = "kg") -> str:
        """Axis label with units, e.g. ``delivered (kg/week)``."""
        return f"{self.name.replace('_', ' ')} ({self.unit.format(q=q)})"


_M = [
    Metric("delivered", "{q}/week", "quantity sold at markets", higher_is="worse"),
    Metric(
        "seized",
        "{q}/week",
        "quantity seized by all agencies (loads in transit and source stockpiles)",
        higher_is="better",
    ),
    Metric(
        "interdiction_rate",
        "share",
        "seized / (seized + delivered)",
        "ratio",
        "seized",
        ("seized", "delivered"),
        "better",
    ),
    Metric("seizure_events", "seizures/week", "number of shipments seized"),
    Metric("seized_value", "USD/week", "value of seized shipments at the place of seizure"),
    Metric(
        "value_per_seizure",
        "USD",
        "mean value of a seized shipment",
        "ratio",
        "seized_value",
        ("seizure_events",),
    ),
    Metric("route_entropy", "bits", "Shannon entropy of flow over legs"),
    Metric("active_legs", "legs", "legs carrying any flow in the week"),
    Metric("active_states", "states", "states whose locations see any flow in the week"),
    Metric(
        "displacement",
        "share",
        "share of flow through states not used in the first post-burn-in year",
    ),
    Metric(
        "orgs_active", "organisations", "organisations not dormant (an active leader or broker)"
    ),
    Metric("entries", "organisations/week", "new organisations entering in place of dormant ones"),
    Metric("members_active", "members", "members of all organisations at liberty"),
    Metric(
        "arrests",
        "members/week",
        "members arrested (couriers at seizures, others by cases)",
        higher_is="better",
    ),
    Metric("convictions", "members/week", "members convicted", higher_is="better"),
    Metric(
        "convictions_investigated",
        "members/week",
        "brokers and leaders convicted through investigations (not caught with the goods)",
        higher_is="better",
    ),
    Metric("extraditions", "members/week", "members surrendered to the requesting state"),
    Metric(
        "extraditions_requested",
        "members/week",
        "members arrested abroad on an extradition request",
        higher_is="better",
    ),
    Metric(
        "extraditions_refused",
        "members/week",
        "extradition requests refused (nationals, dual criminality, political grounds)",
    ),
    Metric(
        "prosecuted_at_home",
        "members/week",
        "nationals a state refused to surrender and prosecuted itself (aut dedere aut judicare)",
        higher_is="better",
    ),
    Metric(
        "convicted_at_home",
        "members/week",
        "of those prosecuted at home, the ones convicted",
        higher_is="better",
    ),
    Metric(
        "leaders_convicted",
        "members/week",
        "leaders convicted through an investigation (at home, abroad or after surrender)",
        higher_is="better",
    ),
    Metric(
        "controlled_deliveries",
        "loads/week",
        "detected loads followed into a partner state instead of seized",
    ),
    Metric(
        "notice_arrests",
        "members/week",
        "fugitive leaders found abroad and arrested on an INTERPOL red notice for extradition",
        higher_is="better",
    ),
    Metric("cases_opened", "cases/week", "investigations opened from seizures"),
    Metric(
        "cases_expired", "cases/week", "investigations that hit their deadline", higher_is="worse"
    ),
    Metric("requests_sent", "requests/week", "evidence requests sent abroad"),
    Metric(
        "requests_failed_dual_criminality",
        "requests/week",
        "requests refused because the requested state does not criminalise the offence",
    ),
    Metric(
        "request_latency_median",
        "weeks",
        "median weeks from evidence request to answer (database lookups excluded)",
    ),
    Metric(
        "extradition_weeks",
        "weeks",
        "median weeks of extradition proceedings, request to decision (no-treaty refusals "
        "excluded)",
    ),
    Metric(
        "authority_queue_weeks",
        "weeks",
        "mean weeks MLAT requests and letters rogatory waited in the requested central "
        "authority's queue",
    ),
    Metric(
        "db_identifications",
        "requests/week",
        "members identified through a shared database (a match speeds the formal request)",
    ),
    Metric(
        "db_hits",
        "seizures/week",
        "seizures of loads whose identifier the inspecting state held on record",
    ),
    Metric(
        "records_contributed", "records/week", "identifier records members entered for partners"
    ),
    Metric("records_received", "records/week", "identifier records that reached partners"),
    Metric(
        "leaks", "records/week", "received records leaked by corrupt officers", higher_is="worse"
    ),
    Metric(
        "records_live_share",
        "share",
        "share of (member state, organisation) pairs with a live record of any of its identifiers",
    ),
    Metric(
        "cases_dropped", "cases/week", "open cases dropped by corrupt officers", higher_is="worse"
    ),
    Metric(
        "integrity",
        "share",
        "mean effective integrity of the states goods pass through (bribes grow with the value)",
    ),
    Metric(
        "safe_haven_leaders",
        "leaders",
        "leaders their pursuers could not obtain: living in a state that would not surrender "
        "them, or fled beyond the reach of the pursuers' red notices",
    ),
    Metric(
        "policy_cost",
        "USD/year",
        "annual cost of the policies in force, averaged over the weeks after burn-in "
        "(a policy that starts later counts only for its weeks in force)",
    ),
    Metric(
        "produced", "{q}/week", "quantity produced at the sources, to the organisations' orders"
    ),
    Metric("shipped", "{q}/week", "quantity leaving the sources"),
    Metric("in_flight", "{q}", "quantity on the way at the end of the week"),
    Metric("stock", "{q}", "quantity waiting in the source stockpiles at the end of the week"),
    Metric(
        "retail_price",
        "USD/{q}",
        "price at the markets (weighted by reference demand): scenario price plus the "
        "replacement cost of losses above the reference",
        higher_is="better",
    ),
    Metric(
        "consumption",
        "{q}/week",
        "quantity the markets absorb at this week's prices (demand with an elasticity)",
        higher_is="worse",
    ),
    Metric(
        "replacement_cost",
        "USD/{q}",
        "replacement value of seized goods (at the point of seizure) per unit delivered, "
        "smoothed: what seizures add to the cost of a delivered unit",
        higher_is="better",
    ),
]
REGISTRY: dict[str, Metric] = {m.name: m for m in _M}
#: Metrics that are plain per-tick event counts (the model's ``count``).
COUNTERS = (
    "arrests",
    "convictions",
    "convictions_investigated",
    "extraditions",
    "notice_arrests",
    "extraditions_requested",
    "extraditions_refused",
    "prosecuted_at_home",
    "convicted_at_home",
    "controlled_deliveries",
    "leaders_convicted",
    "cases_opened",
    "cases_expired",
    "requests_sent",
    "requests_failed_dual_criminality",
    "db_identifications",
    "db_hits",
    "cases_dropped",
)
#: The metrics shown by default in tables and figures.
MAIN = ("delivered", "seized", "interdiction_rate", "displacement")
#: The flow account a comparison shows first, side by side: what left the sources, what
#: arrived, what was seized, what waits or travels, and what the markets did.
ACCOUNT = (
    "shipped",
    "delivered",
    "seized",
    "interdiction_rate",
    "stock",
    "in_flight",
    "retail_price",
    "consumption",
    "replacement_cost",
)


def entropy_bits(flow: np.ndarray) -> float:
    """Shannon entropy (bits) of a non-negative flow vector; 0 when there is no flow."""
    tot = flow.sum()
    if tot <= 0:
        return 0.0
    p = flow[flow > 0] / tot
    return float(-(p * np.log2(p)).sum())


def summarize(series: dict[str, np.ndarray], burn_in: int) -> dict[str, float]:
    """One number per metric over ticks ``burn_in`` .. end."""
    out = {}
    for name, m in REGISTRY.items():
        if name not in series:
            continue
        if m.summary == "ratio":
            num = float(np.nansum(series[m.num][burn_in:]))
            den = float(sum(np.nansum(series[d][burn_in:]) for d in m.den))
            out[name] = num / den if den > 0 else float("nan")
        else:
            window = series[name][burn_in:]
            ok = ~np.isnan(window)
            out[name] = float(window[ok].mean()) if ok.any() else float("nan")
    return out


class Displacement:
    """Share of a week's flow through states unused in the first post-burn-in year.

    The reference set of used states (flow share >= ``threshold``) is fixed once, at
    the end of that year; before then the metric is undefined (NaN).
    """

    def __init__(self, burn_in: int, threshold: float):
        self.burn_in, self.threshold = burn_in, threshold
        self.ref: np.ndarray | None = None

    def __call__(self, state_flow: np.ndarray, t: int) -> float:
        """The displacement share at week ``t`` from the (weeks, states) flow record."""
        ref_end = self.burn_in + 52
        if t < ref_end:
            return np.nan
        if self.ref is None:
            ref = state_flow[self.burn_in : ref_end].sum(0)
            share = ref / max(ref.sum(), 1e-12)
            self.ref = share >= self.threshold
        flow = state_flow[t]
        tot = flow.sum()
        return float(flow[~self.ref].sum() / tot) if tot > 0 else np.nan


def record(model: TraffickingModel, t: int, produced, delivered, seized, events, seized_value):
    """Phase 11: one value per registered metric for week ``t``, read from the model's state."""
    s = model.series
    s["produced"][t] = produced
    s["delivered"][t] = delivered
    s["seized"][t] = seized
    s["interdiction_rate"][t] = seized / (seized + delivered) if seized + delivered else np.nan
    s["seizure_events"][t] = events
    s["seized_value"][t] = seized_value
    s["value_per_seizure"][t] = seized_value / events if events else np.nan
    s["route_entropy"][t] = entropy_bits(model.leg_flow[t])
    s["active_legs"][t] = np.count_nonzero(model.leg_flow[t])
    s["active_states"][t] = np.count_nonzero(model.state_flow[t])
    s["policy_cost"][t] = sum(p.cost for p in model.policies if p.active(t))
    s["in_flight"][t] = model.in_flight
    s["stock"][t] = model.stock
    s["shipped"][t] = model.sources.shipped
    mk = model.markets
    s["retail_price"][t] = mk.mean_price()
    s["consumption"][t] = mk.consumption()
    w = mk.d0 / max(mk.d0.sum(), 1e-12)
    s["replacement_cost"][t] = float((mk.loss_cost * w).sum())
    s["entries"][t] = model.members.entered
    rec_ = model.cooperation.records
    s["records_contributed"][t] = rec_.contributed
    s["records_received"][t] = rec_.received
    s["leaks"][t] = rec_.leaks
    s["records_live_share"][t] = live_share(rec_, model.cooperation.legal)
    seen = model.enforcement.value_through > 0
    integ = model.enforcement.integrity
    s["integrity"][t] = float(integ[seen].mean()) if seen.any() else float(integ.mean())
    s["displacement"][t] = model.displacement(model.state_flow, t)
    rec = model.recorder
    for name in COUNTERS:
        s[name][t] = rec.counts.get(name, 0)
    lat = rec.latency_today
    lat = np.concatenate(lat) if lat else np.zeros(0)
    s["request_latency_median"][t] = np.median(lat) if len(lat) else np.nan
    q = np.concatenate(rec.queue_today) if rec.queue_today else np.zeros(0)
    s["authority_queue_weeks"][t] = q.mean() if len(q) else np.nan
    pw = np.concatenate(rec.proceedings_today) if rec.proceedings_today else np.zeros(0)
    s["extradition_weeks"][t] = np.median(pw) if len(pw) else np.nan
    s["safe_haven_leaders"][t] = safe_haven_leaders(
        model.members, model.cooperation.legal, model.world, model.cases
    )
    s["members_active"][t] = int(model.members.active.sum())
    s["orgs_active"][t] = int(model.members.alive.sum())
