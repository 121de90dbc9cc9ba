"""Validation of a resolved scenario against the schemas of :mod:`sim.scenario_schema`.

Every problem is reported as a :class:`ScenarioError` whose message is one line:
``FILE: KEY: PROBLEM``. Unknown keys are errors, so a misspelt parameter is never
silently ignored.
"""

from __future__ import annotations

import math
from collections import deque
from pathlib import Path

from sim import params as P
from sim.policies import AGREEMENT_TYPES, COMMON_FIELDS, REGISTRY, STRATEGIES
from sim.scenario_schema import (
    AGREEMENT_FIELDS,
    LOCATION_KINDS,
    MODES,
    SCHEMA_LEG,
    SCHEMA_LOCATION,
    SCHEMA_ORG,
    SCHEMA_STATE,
    SCHEMA_TOP,
    SCHEMA_TRUST,
    ScenarioError,
    normalise_spelling,
)
from sim.suggest import did_you_mean, known
from sim.targets import check_targets


def _is_num(v) -> bool:
    if not isinstance(v, int | float) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an int too large for a float
        return False


def _check_value(path, key: str, kind: str, v, ids: dict) -> None:
    def bad(problem):
        raise ScenarioError(path, key, problem)

    if kind == "str":
        if not isinstance(v, str):
            bad(f"expected a string, got {v!r}")
    elif kind == "bool":
        if not isinstance(v, bool):
            bad(f"expected true or false, got {v!r}")
    elif kind == "int":
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            bad(f"expected a whole number >= 0, got {v!r}")
    elif kind in ("float", "nonneg", "pos", "prob"):
        if not _is_num(v):
            bad(f"expected a number, got {v!r}")
        if kind == "nonneg" and v < 0:
            bad(f"must be >= 0, got {v}")
        if kind == "pos" and v <= 0:
            bad(f"must be > 0, got {v}")
        if kind == "prob" and not 0 <= v <= 1:
            bad(f"must be a probability in [0, 1], got {v}")
    elif kind == "strs":
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            bad(f"expected a list of strings, got {v!r}")
    elif kind == "years":  # a table of offence code -> maximum penalty in years
        if not isinstance(v, dict):
            bad(f"expected a table of offence = years, got {v!r}")
        for off, years in v.items():
            if not _is_num(years) or years <= 0:
                raise ScenarioError(path, f"{key}.{off}", f"expected years > 0, got {years!r}")
    elif kind in ("state", "location"):
        pool = ids["states" if kind == "state" else "locations"]
        if not isinstance(v, str):
            bad(f"expected a {kind} id (string), got {v!r}")
        if v not in pool:
            bad(f"unknown {kind} {v!r}{did_you_mean(v, pool)}")
    elif kind in ("states", "locations", "pair"):
        sub = "location" if kind == "locations" else "state"
        if not isinstance(v, list) or not v:
            bad(f"expected a non-empty list of {sub} ids, got {v!r}")
        if kind == "pair" and (len(v) != 2 or v[0] == v[1]):
            bad(f"expected two different states, got {v!r}")
        for x in v:
            _check_value(path, key, sub, x, ids)
    else:  # pragma: no cover - schema bug
        raise AssertionError(kind)


def unknown_key(path, where: str, key: str, valid, what: str = "") -> ScenarioError:
    """The error for an unknown key: the closest valid key, and every valid one."""
    valid = list(valid)
    return ScenarioError(
        path,
        f"{where}.{key}" if where else key,
        f"unknown key{did_you_mean(key, valid)}; valid keys{what}: {known(valid)}",
    )


def _check_table(path, where: str, item, schema: dict, ids: dict, what: str = "") -> None:
    if not isinstance(item, dict):
        raise ScenarioError(path, where, f"expected a table, got {item!r}")
    for k, v in item.items():
        if k not in schema:
            raise unknown_key(path, where, k, schema, what)
        _check_value(path, f"{where}.{k}", schema[k].lstrip("!"), v, ids)
    for k, kind in schema.items():
        if kind.startswith("!") and k not in item:
            raise ScenarioError(path, f"{where}.{k}", "missing required key")


def _items(path, data: dict, key: str, idkey: str | None = "id") -> list[dict]:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise ScenarioError(path, key, "expected an array of tables ([[...]])")
    for i, it in enumerate(items):
        if not isinstance(it, dict):
            raise ScenarioError(path, f"{key}[{i}]", f"expected a table, got {it!r}")
        if idkey and not isinstance(it.get(idkey), str):
            raise ScenarioError(path, f"{key}[{i}].{idkey}", "missing or not a string")
    return items


def validate(data: dict, path: Path | str) -> None:
    """Check a resolved scenario; raise ScenarioError naming the first problem.

    American spellings of keys are first renamed in place (:func:`normalise_spelling`).
    """
    normalise_spelling(data, path)
    for k, v in data.items():
        if k not in SCHEMA_TOP:
            raise unknown_key(path, "", k, SCHEMA_TOP, " at the top level")
        kind = SCHEMA_TOP[k]
        if kind == "table" and not isinstance(v, dict):
            raise ScenarioError(path, k, "expected a table")
        if kind not in ("table", "list"):
            _check_value(path, k, kind, v, {})
    states = _items(path, data, "states")
    locs = _items(path, data, "locations")
    orgs = _items(path, data, "organisations")
    legs = _items(path, data, "legs", None)
    for key, items in (("states", states), ("locations", locs), ("organisations", orgs)):
        seen = set()
        for it in items:
            if it["id"] in seen:
                raise ScenarioError(path, f"{key}.{it['id']}", "duplicate id")
            seen.add(it["id"])
    if not states:
        raise ScenarioError(path, "states", "a scenario needs at least one state")
    if not orgs:
        raise ScenarioError(path, "organisations", "a scenario needs at least one organisation")
    ids = {"states": {s["id"] for s in states}, "locations": {loc["id"] for loc in locs}}
    for s in states:
        _check_table(path, f"states.{s['id']}", s, SCHEMA_STATE, ids, " for a state")
    for loc in locs:
        _check_table(path, f"locations.{loc['id']}", loc, SCHEMA_LOCATION, ids, " for a location")
        if "kind" in loc and loc["kind"] not in LOCATION_KINDS:
            raise ScenarioError(
                path, f"locations.{loc['id']}.kind", f"must be one of {', '.join(LOCATION_KINDS)}"
            )
    for i, leg in enumerate(legs):
        where = f"legs[{i}]"
        _check_table(path, where, leg, SCHEMA_LEG, ids, " for a leg")
        if leg["from"] == leg["to"]:
            raise ScenarioError(path, where, f"a leg from {leg['from']!r} to itself")
        if "mode" in leg and leg["mode"] not in MODES:
            raise ScenarioError(path, f"{where}.mode", f"must be one of {', '.join(MODES)}")
    for o in orgs:
        _check_table(path, f"organisations.{o['id']}", o, SCHEMA_ORG, ids, " for an organisation")
    _check_params(path, data.get("params", {}))
    _check_uncertainties(path, data.get("uncertainties", {}))
    check_targets(path, data.get("targets", {}), sorted(ids["states"]), data.get("ticks", 260))
    for i, a in enumerate(_items(path, data, "agreements", None)):
        _check_typed(path, f"agreements[{i}]", a, AGREEMENT_FIELDS, ids, common=True)
    pol_schemas = {t: cls.FIELDS for t, cls in REGISTRY.items()}
    pol_required = {t: cls.REQUIRED for t, cls in REGISTRY.items()}
    for key in ("policies", "candidates"):
        for i, pol in enumerate(_items(path, data, key, None)):
            where = f"{key}[{i}]"
            t = pol.get("type")
            if isinstance(t, str) and t in pol_schemas:
                req = pol_required[t]
                sch = {k: ("!" + v if k in req else v) for k, v in pol_schemas[t].items()}
                if key == "candidates":
                    sch["label"] = "!str"
                _check_typed(path, where, pol, {t: sch}, ids, common=True)
            else:
                _check_typed(path, where, pol, pol_schemas, ids, common=True)
    labels = [c["label"] for c in data.get("candidates", [])]
    if len(set(labels)) != len(labels):
        dup = next(lab for lab in labels if labels.count(lab) > 1)
        raise ScenarioError(path, "candidates", f"label {dup!r} is used twice")
    for i, tr in enumerate(_items(path, data, "trust", None)):
        _check_table(path, f"trust[{i}]", tr, SCHEMA_TRUST, ids, " for trust")
    _check_policy_refs(path, data)
    ticks, burn = data.get("ticks", 260), data.get("burn_in", 52)
    if ticks < 1:
        raise ScenarioError(path, "ticks", "must be at least 1")
    if burn >= ticks:
        raise ScenarioError(path, "burn_in", f"must be smaller than ticks ({ticks}), got {burn}")
    _check_reachable(path, data)


def _check_typed(path, where, item, schemas: dict, ids, common: bool) -> None:
    t = item.get("type")
    if not isinstance(t, str) or t not in schemas:
        hint = did_you_mean(t, schemas) if isinstance(t, str) else ""
        raise ScenarioError(
            path,
            f"{where}.type",
            f"unknown type {t!r}{hint} (one of {', '.join(sorted(schemas))})",
        )
    schema = {"type": "str", **(COMMON_FIELDS if common else {}), **schemas[t]}
    _check_table(path, where, item, schema, ids, f" for {t}")
    cls = REGISTRY.get(AGREEMENT_TYPES.get(t, t))
    if cls is not None and cls.ONE_OF and sum(k in item for k in cls.ONE_OF) != 1:
        raise ScenarioError(path, where, f"give exactly one of {' or '.join(cls.ONE_OF)}")
    if "end" in item and item["end"] <= item.get("start", 0):
        raise ScenarioError(path, f"{where}.end", "must be after start")


def _check_policy_refs(path, data: dict) -> None:
    """Cross-references inside policies: databases, organisations, strategies, roles."""
    dbs = {a["name"] for a in data.get("agreements", []) if a.get("type") == "database"}
    every = [*data.get("policies", []), *data.get("candidates", [])]
    dbs |= {p["name"] for p in every if p.get("type") == "create_database"}
    orgs = {o["id"] for o in data["organisations"]}
    for i, ag in enumerate(data.get("agreements", [])):
        if ag["type"] == "database" and ag.get("lag", 1) < 1:
            raise ScenarioError(path, f"agreements[{i}].lag", "must be at least 1 week")
    n_pol = len(data.get("policies", []))
    for i, pol in enumerate(every):
        where = f"policies[{i}]" if i < n_pol else f"candidates[{i - n_pol}]"
        if pol["type"] == "create_database" and pol.get("lag", 1) < 1:
            raise ScenarioError(path, f"{where}.lag", "must be at least 1 week")
        if pol["type"] == "join_database" and pol["name"] not in dbs:
            raise ScenarioError(path, f"{where}.name", f"no database named {pol['name']!r}")
        if pol["type"] == "remove_members":
            if pol["strategy"] not in STRATEGIES:
                raise ScenarioError(
                    path, f"{where}.strategy", f"must be one of {', '.join(STRATEGIES)}"
                )
            if "organisation" in pol and pol["organisation"] not in orgs:
                org = pol["organisation"]
                raise ScenarioError(
                    path,
                    f"{where}.organisation",
                    f"unknown organisation {org!r}{did_you_mean(org, orgs)}",
                )
            if "role" in pol and pol["role"] not in ("leader", "broker", "courier"):
                raise ScenarioError(path, f"{where}.role", "must be leader, broker or courier")
            if ("share" in pol) == ("count" in pol):
                raise ScenarioError(path, where, "give exactly one of share or count")


def unknown_parameter(name: str) -> str:
    """The problem of an unknown parameter name: the closest one, else every one."""
    hint = did_you_mean(name, P.PARAMS)
    return "unknown parameter" + (hint or f" (known: {known(P.PARAMS, 50)})")


def _check_params(path, params: dict) -> None:
    for k, v in params.items():
        if k not in P.PARAMS:
            raise ScenarioError(path, f"params.{k}", unknown_parameter(k))
        _check_value(path, f"params.{k}", P.PARAMS[k].kind, v, {})
    if params.get("k_paths", 1) < 1:
        raise ScenarioError(path, "params.k_paths", "must be at least 1")


def _check_uncertainties(path, unc: dict) -> None:
    for k, v in unc.items():
        if k not in P.PARAMS:
            raise ScenarioError(path, f"uncertainties.{k}", unknown_parameter(k))
        if not (isinstance(v, list) and len(v) == 2 and all(_is_num(x) for x in v)):
            raise ScenarioError(path, f"uncertainties.{k}", "expected [low, high]")
        if not v[0] < v[1]:
            raise ScenarioError(path, f"uncertainties.{k}", f"low must be below high, got {v}")


def _check_reachable(path, data: dict) -> None:
    adj: dict[str, list[str]] = {}
    for leg in data.get("legs", []):
        adj.setdefault(leg["from"], []).append(leg["to"])
        if leg.get("both_ways"):
            adj.setdefault(leg["to"], []).append(leg["from"])
    for o in data["organisations"]:
        for src in o["sources"]:
            seen, todo = {src}, deque([src])
            while todo:
                for nxt in adj.get(todo.popleft(), []):
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            for m in o["markets"]:
                if m not in seen:
                    raise ScenarioError(
                        path,
                        f"organisations.{o['id']}.markets",
                        f"market {m!r} is unreachable from source {src!r}",
                    )
