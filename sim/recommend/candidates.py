"""Candidate agreements a scenario does not yet have, with their costs over the horizon.

:func:`enumerate_candidates` lists the levers a government could still pull, one
policy each, labelled ``lever:what``:

==============  =====================================================================
lever           candidates
==============  =====================================================================
``mlat``        ``add_mlat`` for every pair of states with no MLAT in force or planned
``extradition`` ``extradition_treaty`` for every pair without one
``database``    ``join_database`` for every state outside a database in force; and one
                new regional database of all states (``create_database``) unless one
                with at least the default coverage already joins them all
``harmonize``   ``harmonize`` for each state and each conduct the model prosecutes
                that its law does not cover under any label (the organisations'
                offences; directing a group: ``conspiracy`` or ``participation``);
                and, for each state that does not extradite its nationals, a
                ``harmonize`` that lets it (``extradite_nationals``)
``joint_team``  ``joint_team`` for every pair of states linked by a cross-border leg
``capacity``    ``capacity_building`` for every state that inspects (capacity > 0)
``scenario``    the scenario's own ``[[candidates]]`` (their labels and costs win over
                an equivalent generated candidate)
==============  =====================================================================

Generated candidates start at ``start`` (default: the scenario's burn-in, so the
effect is measured over the whole post-burn-in window) and never end.

Costs. A candidate's ``cost`` is in USD per year, as for every policy (docs/ODD.md,
section 7.18). Without one, the lever's default below applies. **Every default cost is
illustrative** (no public source prices these instruments; order of magnitude only,
set against the 5e5 USD/yr MLAT and 2e7 USD/yr capacity programmes of the commented
Central America examples). The budget is compared with the **total cost over the
horizon**: cost per year x weeks in force between ``start`` and the last tick / 52.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field

from sim.harness.executors import HarnessError
from sim.policies import AGREEMENT_TYPES
from sim.scenario import Scenario, ScenarioError, validate

WEEKS_PER_YEAR = 52.0

#: Lever -> policy types it covers.
LEVERS: dict[str, tuple[str, ...]] = {
    "mlat": ("add_mlat",),
    "extradition": ("extradition_treaty",),
    "database": ("create_database", "join_database"),
    "harmonize": ("harmonize",),
    "joint_team": ("joint_team",),
    "capacity": ("capacity_building",),
    "scenario": (),  # the scenario's own [[candidates]], whatever their type
}

#: Default cost per policy type, USD per year. ILLUSTRATIVE (see the module docstring).
DEFAULT_COSTS: dict[str, float] = {
    "add_mlat": 5.0e5,  # illustrative: a central authority desk, translation, liaison
    "extradition_treaty": 3.0e5,  # illustrative: legal staff and proceedings
    "join_database": 1.0e6,  # illustrative: connection, data entry staff, training
    "create_database": 5.0e6,  # illustrative: a regional system and its secretariat
    "harmonize": 2.0e5,  # illustrative: drafting, passage, training prosecutors
    "joint_team": 2.0e6,  # illustrative: seconded investigators and operations
    "capacity_building": 2.0e7,  # illustrative: equipment, training, integrity programme
    "surge": 1.0e7,  # illustrative
    "liaison_officers": 1.0e6,  # illustrative
    "remove_members": 5.0e6,  # illustrative
    "staff_central_authority": 5.0e5,  # illustrative: lawyers and translators at the desk
    "e_transmission": 1.0e6,  # illustrative: a secure electronic channel and its training
    "add_eio": 5.0e5,  # illustrative: drafting, passage, training judicial authorities
    "add_production_order": 3.0e5,  # illustrative: legislation and provider liaison
    "surrender_arrangement": 3.0e5,  # illustrative: legislation and court time
    "controlled_delivery": 1.0e6,  # illustrative: surveillance teams across the border
}
#: The generated capacity programme: multipliers reached after ``ramp_weeks`` (illustrative).
CAPACITY_PROGRAMME = {"capacity": 1.5, "detection": 1.25, "integrity": 1.1, "ramp_weeks": 52}
REGIONAL_DB = "regional"


@dataclass(frozen=True)
class Candidate:
    """One lever: a policy a portfolio may add.

    Attributes:
        label: unique name, ``lever:what`` for generated ones.
        lever: the lever it belongs to (a key of :data:`LEVERS`).
        policy: the policy as a ``[[policies]]`` table.
        cost_per_year: USD per year while in force.
        total_cost: USD over the horizon (what the budget is compared with).
        origin: "generated" or "scenario".
        what: one line saying what the policy does.
    """

    label: str
    lever: str
    policy: dict = field(hash=False, compare=False)
    cost_per_year: float = 0.0
    total_cost: float = 0.0
    origin: str = "generated"
    what: str = ""

    def to_dict(self) -> dict:
        """Plain form for JSON."""
        return {
            "label": self.label,
            "lever": self.lever,
            "policy": self.policy,
            "cost_per_year": self.cost_per_year,
            "total_cost": self.total_cost,
            "origin": self.origin,
            "what": self.what,
        }


def parse_levers(text: str | list[str] | None) -> list[str]:
    """``mlat,database`` -> levers; HarnessError naming an unknown one."""
    if text is None:
        return list(LEVERS)
    items = text.split(",") if isinstance(text, str) else list(text)
    out = [s.strip() for s in items if s.strip()]
    if not out:
        raise HarnessError(f"--levers: give at least one of {', '.join(LEVERS)}")
    for lev in out:
        if lev not in LEVERS:
            raise HarnessError(f"--levers: unknown lever {lev!r} (known: {', '.join(LEVERS)})")
    return list(dict.fromkeys(out))


def horizon_cost(policy: dict, ticks: int) -> float:
    """Total USD of a policy over the horizon: cost per year x weeks in force / 52."""
    start = max(int(policy.get("start", 0)), 0)
    end = min(int(policy["end"]), ticks) if policy.get("end") is not None else ticks
    return float(policy.get("cost", 0.0)) * max(end - start, 0) / WEEKS_PER_YEAR


def _pairs_in_force(data: dict, types: tuple[str, ...]) -> set[frozenset]:
    """Pairs of states covered by agreements or policies of the given types."""
    out = set()
    for item in [*data.get("agreements", []), *data.get("policies", [])]:
        t = AGREEMENT_TYPES.get(item.get("type"), item.get("type"))
        if t not in types:
            continue
        group = item.get("between") or item.get("parties") or item.get("states") or []
        out |= {frozenset(p) for p in itertools.combinations(group, 2)}
    return out


def _databases(data: dict) -> dict[str, dict]:
    """Databases in force or planned: name -> {"members": set, "coverage": float or None}."""
    dbs: dict[str, dict] = {}
    for item in [*data.get("agreements", []), *data.get("policies", [])]:
        t = AGREEMENT_TYPES.get(item.get("type"), item.get("type"))
        if t == "create_database":
            db = dbs.setdefault(item["name"], {"members": set(), "coverage": None})
            db["members"] |= set(item["members"])
            db["coverage"] = item.get("coverage", db["coverage"])
    for item in data.get("policies", []):
        if item.get("type") == "join_database" and item["name"] in dbs:
            dbs[item["name"]]["members"] |= set(item["states"])
    return dbs


def _border_pairs(data: dict) -> set[frozenset]:
    state_of = {loc["id"]: loc["state"] for loc in data.get("locations", [])}
    out = set()
    for leg in data.get("legs", []):
        a, b = state_of[leg["from"]], state_of[leg["to"]]
        if a != b:
            out.add(frozenset((a, b)))
    return out


def _key(policy: dict) -> tuple:
    """What a policy does, regardless of label, start and cost (to drop duplicates)."""
    t = policy["type"]
    if t == "capacity_building":
        return (t, policy["state"])
    for k in ("between", "parties", "states", "members"):
        if k in policy:
            return (t, policy.get("name"), frozenset(policy[k]), tuple(policy.get("offences", ())))
    return (t, policy.get("state"), policy.get("name"))


def _generated(sc: Scenario, levers: list[str], start: int) -> list[tuple[str, str, dict]]:
    """(label, lever, policy) of every generated candidate, in a fixed order."""
    d = sc.data
    ids = [s["id"] for s in d["states"]]
    pairs = [frozenset(p) for p in itertools.combinations(ids, 2)]
    order = {s: i for i, s in enumerate(ids)}

    def pair(p):
        return sorted(p, key=order.get)

    out: list[tuple[str, str, dict]] = []
    if "mlat" in levers:
        have = _pairs_in_force(d, ("add_mlat",))
        for p in pairs:
            if p not in have:
                a, b = pair(p)
                out.append((f"mlat:{a}-{b}", "mlat", {"type": "add_mlat", "between": [a, b]}))
    if "extradition" in levers:
        have = _pairs_in_force(d, ("extradition_treaty",))
        for p in pairs:
            if p not in have:
                a, b = pair(p)
                pol = {"type": "extradition_treaty", "between": [a, b]}
                out.append((f"extradition:{a}-{b}", "extradition", pol))
    if "database" in levers:
        dbs = _databases(d)
        for name, db in dbs.items():
            for s in ids:
                if s not in db["members"]:
                    pol = {"type": "join_database", "name": name, "states": [s]}
                    out.append((f"database:{name}+{s}", "database", pol))
        default_cov = sc.params["db_coverage"]
        full = any(
            db["members"] >= set(ids) and (db["coverage"] or default_cov) >= default_cov
            for db in dbs.values()
        )
        if not full and REGIONAL_DB not in dbs:
            pol = {"type": "create_database", "name": REGIONAL_DB, "members": list(ids)}
            out.append((f"database:{REGIONAL_DB}", "database", pol))
    if "harmonize" in levers:
        # by conduct: directing a group is covered by conspiracy or participation
        conducts = {"conspiracy": {"conspiracy", "participation"}} | {
            off: {off}
            for off in (o.get("offence", _default_offence(o)) for o in d["organisations"])
        }
        for s in d["states"]:
            if "laws" in s:  # no laws given: the state criminalises everything
                for off, labels in sorted(conducts.items()):
                    if not labels & set(s["laws"]):
                        pol = {"type": "harmonize", "states": [s["id"]], "offences": [off]}
                        out.append((f"harmonize:{s['id']}:{off}", "harmonize", pol))
            if s.get("extradites_nationals", True) is False:
                pol = {"type": "harmonize", "states": [s["id"]], "extradite_nationals": True}
                out.append((f"harmonize:{s['id']}:nationals", "harmonize", pol))
    if "joint_team" in levers:
        have = _pairs_in_force(d, ("joint_team",))
        border = _border_pairs(d)
        for p in pairs:
            if p in border and p not in have:
                a, b = pair(p)
                pol = {"type": "joint_team", "states": [a, b]}
                out.append((f"joint_team:{a}-{b}", "joint_team", pol))
    if "capacity" in levers:
        for s in d["states"]:
            if s.get("capacity", 10.0) > 0:
                pol = {"type": "capacity_building", "state": s["id"], **CAPACITY_PROGRAMME}
                out.append((f"capacity:{s['id']}", "capacity", pol))
    for _label, _lever, pol in out:
        pol["start"] = start
        pol["cost"] = DEFAULT_COSTS[pol["type"]]
    return out


def _default_offence(org: dict) -> str:
    from sim.world import COMMODITY_OFFENCES, DEFAULT_OFFENCE

    return COMMODITY_OFFENCES.get(org.get("commodity", "cocaine"), DEFAULT_OFFENCE)


def _lever_of(ptype: str) -> str:
    return next((lev for lev, types in LEVERS.items() if ptype in types), "scenario")


def enumerate_candidates(
    sc: Scenario,
    levers: list[str] | str | None = None,
    start: int | None = None,
    ticks: int | None = None,
) -> list[Candidate]:
    """Every candidate the scenario does not yet have, for the chosen levers.

    Args:
        sc: the status-quo scenario.
        levers: levers to draw from (default: all of :data:`LEVERS`).
        start: tick at which generated candidates start (default: the burn-in).
        ticks: horizon (default: the scenario's), for the total cost.

    Returns:
        Candidates in a fixed order: the scenario's own first, then by lever.

    Raises:
        HarnessError: an unknown lever, a bad start, or a candidate the scenario rejects.
    """
    levers = parse_levers(levers)
    ticks = ticks or sc.ticks
    start = sc.burn_in if start is None else int(start)
    if not 0 <= start < ticks:
        raise HarnessError(f"--start: must be in 0..{ticks - 1}, got {start}")
    out: list[Candidate] = []
    seen: set[tuple] = set()
    for label, pol in sc.candidates.items():
        lever = _lever_of(pol["type"])
        if lever not in levers and "scenario" not in levers:
            continue
        pol = {k: v for k, v in pol.items() if k != "label"}
        pol.setdefault("cost", DEFAULT_COSTS.get(pol["type"], 0.0))
        pol.setdefault("start", 0)
        out.append(_candidate(label, lever, pol, ticks, "scenario"))
        seen.add(_key(pol))
    for label, lever, pol in _generated(sc, levers, start):
        if _key(pol) not in seen:
            out.append(_candidate(label, lever, pol, ticks, "generated"))
    if out:
        check_policies(sc, [c.policy for c in out])
    return out


def _candidate(label: str, lever: str, pol: dict, ticks: int, origin: str) -> Candidate:
    pol = {**pol, "label": label}
    cost = float(pol["cost"])
    return Candidate(label, lever, pol, cost, horizon_cost(pol, ticks), origin, describe(pol))


def describe(pol: dict) -> str:
    """One line: the policy type, whom it binds, and its notable settings."""
    group = pol.get("between") or pol.get("parties") or pol.get("states") or pol.get("members")
    who = (
        "-".join(group) if group and len(group) <= 3 else (f"{len(group)} states" if group else "")
    )
    if pol.get("state"):
        who = pol["state"]
    extra = [f"{k} {pol[k]}" for k in ("name", "mlat_median_weeks", "factor") if k in pol]
    if "offences" in pol:
        extra.append("offences " + "+".join(pol["offences"]))
    if pol["type"] == "capacity_building":
        mult = "/".join(f"{pol.get(k, 1.0):g}" for k in ("capacity", "detection", "integrity"))
        extra.append(f"x {mult} (capacity/detection/integrity)")
        justice = ("investigators", "courts", "central_authority")
        extra += [f"{k} x {pol[k]:g}" for k in justice if pol.get(k, 1.0) != 1.0]
    start = f"from week {pol.get('start', 0)}" + (f" to {pol['end']}" if "end" in pol else "")
    return ", ".join(x for x in (f"{pol['type']} {who}".strip(), *extra, start) if x)


def with_policies(sc: Scenario, policies: list[dict], name: str) -> Scenario:
    """A copy of ``sc`` with ``policies`` appended (not re-validated: see check_policies)."""
    data = copy.deepcopy(sc.data)
    data["policies"] = [*data.get("policies", []), *copy.deepcopy(policies)]
    return Scenario(name, sc.path, data, list(sc.overrides))


def check_policies(sc: Scenario, policies: list[dict]) -> None:
    """Validate every candidate policy at once against the scenario (HarnessError if not)."""
    data = copy.deepcopy(sc.data)
    data["policies"] = [*data.get("policies", []), *copy.deepcopy(policies)]
    try:
        validate(data, sc.path)
    except ScenarioError as e:
        raise HarnessError(f"{sc.path}: candidate policy: {e.key}: {e.problem}") from None


__all__ = [
    "CAPACITY_PROGRAMME",
    "Candidate",
    "DEFAULT_COSTS",
    "LEVERS",
    "check_policies",
    "enumerate_candidates",
    "horizon_cost",
    "parse_levers",
    "with_policies",
]
