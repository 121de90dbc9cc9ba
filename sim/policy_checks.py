"""Policies checked against their scenario: which ones would change nothing?

A policy can be valid and still have no effect: an MLAT between a pair that a treaty
in force already covers, a state joining a database it is already a member of, a
start at or after the horizon. :func:`check_policies` finds these before a run, one
:class:`PolicyWarning` each; the command line prints them (``--strict``: errors),
``describe`` marks the candidates that would be no-ops, the dashboard its switches.

What "no effect" means here, kept simple:

- **Timing**: the policy starts at or after the horizon (``ticks``), or ends at or
  before its start.
- **Agreements** (``add_mlat``, ``extradition_treaty``, ``create_database``,
  ``join_database``, ``harmonize``, ``joint_team``, ``liaison_officers``): the legal
  state (:func:`sim.agreements.rebuild`) is the same with and without the policy at
  every week of its window where the set of instruments in force changes. The
  instruments before it are the scenario's ``[[agreements]]`` and the policies listed
  *before* it. The reason names what already provides it.
- **Multipliers**: a ``surge`` by a factor 1, a ``capacity_building`` whose
  target multipliers (capacity, detection, integrity, investigators, courts,
  central authority) are all 1, a ``remove_members`` of nobody.
- **No traffic**: a state has traffic when it holds a location on some path from an
  organisation's source to one of its markets (or is an organisation's home). A
  policy acting on states (``surge``, ``capacity_building``, ``harmonize``,
  ``join_database``) is flagged when none of them has traffic; a policy between
  states (treaties, databases, joint teams, liaison officers) when fewer than two do.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import networkx as nx
import numpy as np

from sim.agreements import LegalState, rebuild
from sim.policies import BUILD_TARGETS, Policy, from_dict
from sim.scenario import Scenario
from sim.world import World, build_world

#: LegalState arrays that decide what a run does (``databases`` is compared by presence).
_ARRAYS = (
    "mlat_median_weeks",
    "mlat_success",
    "extradition",
    "jit",
    "db_lag",
    "db_coverage",
    "laws",
    "trust_floor",
    "jit_effort",
    "db_intel",
    "eio",
    "production",
    "surrender",
    "e_transmission",
    "jit_teams",
    "penalty",
    "covers",
    "controlled",
    "nationals",
    "basis",
)
_LEGAL_TYPES = (
    "add_mlat",
    "extradition_treaty",
    "create_database",
    "join_database",
    "harmonize",
    "joint_team",
    "liaison_officers",
    "add_eio",
    "add_production_order",
    "surrender_arrangement",
    "e_transmission",
    "controlled_delivery",
)
_ONE_STATE_TYPES = (
    "surge", "capacity_building", "harmonize", "join_database", "e_transmission",
    "staff_central_authority",
)  # fmt: skip


@dataclass(frozen=True)
class PolicyWarning:
    """A policy that would change nothing, and why.

    Attributes:
        policy_index: its index in the scenario's ``[[policies]]``.
        label: its label, or a short name built from its states.
        type: its type (``add_mlat`` ...).
        reason: why it has no effect, in words.
    """

    policy_index: int
    label: str
    type: str
    reason: str

    def line(self, where: str = "policies") -> str:
        """``policies[0] add_mlat HND-GTM: an MLAT already covers HND-GTM (...)``."""
        return f"{where}[{self.policy_index}] {self.type} {self.label}: {self.reason}"


def check_policies(
    scenario: Scenario, ticks: int | None = None, only: list[int] | None = None
) -> list[PolicyWarning]:
    """Warnings for the scenario's policies that would have no effect (in list order).

    Args:
        scenario: a validated scenario.
        ticks: the horizon (default: the scenario's).
        only: check only these policy indices (default: all).
    """
    world = build_world(scenario)
    horizon = int(ticks or scenario.ticks)
    agreements = [from_dict(a) for a in world.agreements]
    policies = [from_dict(p) for p in world.policies]
    touched = traffic_states(world)
    out = []
    for i, pol in enumerate(policies):
        if only is not None and i not in only:
            continue
        before = agreements + policies[:i]
        reasons = _reasons(world, pol, before, len(agreements), horizon, touched)
        out += [PolicyWarning(i, _label(pol), pol.type, r) for r in reasons]
    return out


def check_candidates(scenario: Scenario, ticks: int | None = None) -> dict[str, list[str]]:
    """For each ``[[candidates]]`` label, why switching it on alone would change nothing."""
    n = len(scenario.data.get("policies", []))
    out = {}
    for label in scenario.candidates:
        warnings = check_policies(scenario.with_candidates([label]), ticks, only=[n])
        out[label] = [w.reason for w in warnings]
    return out


def check_added(scenario: Scenario, added: list[dict], ticks: int | None = None) -> list[str]:
    """Why the last of ``added`` (policies appended to the scenario's) would change nothing.

    For the dashboard's switches: ``added`` holds the switches already on, then the new one.
    """
    data = copy.deepcopy(scenario.data)
    data["policies"] = [*data.get("policies", []), *copy.deepcopy(added)]
    sc = Scenario(scenario.name, scenario.path, data, list(scenario.overrides))
    return [w.reason for w in check_policies(sc, ticks, only=[len(data["policies"]) - 1])]


def traffic_states(world: World) -> set[int]:
    """States holding a location on a path from an organisation's source to its market."""
    g = world.graph
    out = set()
    for org in world.orgs:
        out.add(int(org["home"]))
        ahead = set()
        for s in org["sources"]:
            ahead |= {s, *nx.descendants(g, s)}
        behind = set()
        for m in org["markets"]:
            behind |= {m, *nx.ancestors(g, m)}
        out |= {int(world.loc_state[x]) for x in ahead & behind}
    return out


# ----------------------------------------------------------------------------- reasons
def _label(pol: Policy) -> str:
    if pol.label:
        return pol.label
    states = getattr(pol, "between", None) or getattr(pol, "parties", None)
    if states:
        return "-".join(states)
    name = getattr(pol, "name", "")
    states = getattr(pol, "states", None) or getattr(pol, "members", None)
    if states:
        return " ".join([name, "+".join(states)] if name else ["+".join(states)])
    return getattr(pol, "state", "") or getattr(pol, "strategy", "") or pol.type


def _reasons(world, pol, before, n_agreements, horizon, touched) -> list[str]:
    if pol.start >= horizon:
        return [f"starts in week {pol.start}, at or after the horizon (ticks = {horizon})"]
    if pol.end is not None and pol.end <= pol.start:
        return [f"ends in week {pol.end}, not after its start ({pol.start})"]
    reasons = []
    if pol.type in _LEGAL_TYPES and _no_legal_effect(world, pol, before, horizon):
        reasons.append(_why_legal(world, pol, before, n_agreements))
    reasons += _no_multiplier(pol)
    quiet = _no_traffic(world, pol, touched)
    return reasons + ([quiet] if quiet and not reasons else [])


def _same(a: LegalState, b: LegalState) -> bool:
    if bool(a.databases) != bool(b.databases):
        return False
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in _ARRAYS)


def _no_legal_effect(world, pol, before, horizon) -> bool:
    """The legal state is the same with and without ``pol`` throughout its window."""
    end = horizon if pol.end is None else min(pol.end, horizon)
    times = {pol.start}
    for p in before:
        times |= {t for t in (p.start, p.end) if t is not None and pol.start < t < end}
    return all(
        _same(rebuild(world, before, t), rebuild(world, [*before, pol], t)) for t in sorted(times)
    )


def _providers(pol, before, n_agreements, kinds, covers) -> str:
    """``(agreements: X, Y; policies[2])``: the instruments in force that provide it.

    Agreements are named by label (``agreements[j]`` when unlabelled), policies by index.
    """
    ags, pols = [], []
    for j, p in enumerate(before):
        if p.type in kinds and p.active(pol.start) and covers(p):
            if j < n_agreements and p.label:
                ags.append(p.label)
            elif j < n_agreements:
                pols.append(f"agreements[{j}]")
            else:
                pols.append(f"policies[{j - n_agreements}]")
    parts = [f"agreements: {', '.join(dict.fromkeys(ags))}"] if ags else []
    parts += [", ".join(pols)] if pols else []
    return f" ({'; '.join(parts)})" if parts else ""


def _why_legal(world, pol, before, n) -> str:
    t = pol.start
    if pol.type == "add_mlat":
        pair = "-".join(pol.between or pol.parties)
        mine = set(pol.between or pol.parties)

        def covers(p):
            return len(mine & set(p.between or p.parties)) >= 2

        what = "an MLAT already covers " + (pair if pol.between else f"every pair of {pair}")
        return what + _providers(pol, before, n, ("add_mlat",), covers)
    if pol.type == "extradition_treaty":
        pair = "-".join(pol.between)
        prov = _providers(
            pol, before, n, ("extradition_treaty",), lambda p: set(p.between) == set(pol.between)
        )
        return f"an extradition treaty already covers {pair}{prov}"
    if pol.type == "join_database":
        legal = rebuild(world, before, t)
        db = legal.databases.get(pol.name)
        if db is None:
            return f"database {pol.name!r} is not in force in week {t}"
        states = " ".join(pol.states)
        prov = _providers(pol, before, n, ("create_database",), lambda p: p.name == pol.name)
        verb = "is" if len(pol.states) == 1 else "are"
        return f"{states} {verb} already in database {pol.name!r}{prov}"
    if pol.type == "create_database":
        prov = _providers(
            pol, before, n, ("create_database",), lambda p: set(pol.members) <= set(p.members)
        )
        return f"its members already share a database at least as fast{prov}"
    if pol.type == "harmonize":
        return "every listed state already criminalises every listed offence" + (
            " and extradites its nationals" if pol.extradite_nationals else ""
        )
    if pol.type == "joint_team":
        return "a joint team of these states is already in force"
    return f"changes no agreement in force from week {t}"


def _no_multiplier(pol) -> list[str]:
    if pol.type == "surge" and pol.factor == 1:
        return ["a surge by a factor of 1 changes nothing"]
    if pol.type == "capacity_building" and all(getattr(pol, k) == 1 for k in BUILD_TARGETS):
        return ["every target multiplier is 1 (" + ", ".join(BUILD_TARGETS) + ")"]
    if pol.type == "remove_members" and (pol.count == 0 or pol.share == 0):
        return ["removes no member (count or share 0)"]
    return []


def _no_traffic(world, pol, touched) -> str:
    if pol.type == "remove_members":
        return ""
    names = []
    for attr in ("state", "between", "parties", "members", "states"):
        v = getattr(pol, attr, None)
        names += [v] if isinstance(v, str) and v else list(v or [])
    if not names:
        return ""
    busy = [s for s in names if world.state_index[s] in touched]
    need = 1 if pol.type in _ONE_STATE_TYPES else 2
    if len(set(busy)) >= min(need, len(set(names))):
        return ""
    idle = ", ".join(s for s in dict.fromkeys(names) if s not in busy)
    return f"no organisation's route passes through {idle}: no traffic or cases to act on"


__all__ = [
    "PolicyWarning",
    "check_added",
    "check_candidates",
    "check_policies",
    "traffic_states",
]
