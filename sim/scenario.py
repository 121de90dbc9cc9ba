"""Scenario files: TOML loading, ``extends``, ``--set`` overrides and validation.

Every problem is reported as a :class:`ScenarioError` whose message is one line:
``FILE: KEY: PROBLEM``. Unknown keys are errors, so a misspelt parameter is never
silently ignored.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from sim import params as P
from sim.policies import AGREEMENT_TYPES, COMMON_FIELDS, REGISTRY, STRATEGIES

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"

LOCATION_KINDS = (
    "hub",
    "land_crossing",
    "port",
    "airport",
    "source",
    "source_area",
    "market",
    "market_area",
)
MODES = ("land", "sea", "air", "river")

# Table schemas: key -> kind (see _check_value); "!" marks a required key.
SCHEMA_TOP = {
    "name": "str",
    "description": "str",
    "ticks": "int",
    "burn_in": "int",
    "extends": "str",
    "params": "table",
    "states": "list",
    "locations": "list",
    "legs": "list",
    "organizations": "list",
    "agreements": "list",
    "policies": "list",
    "candidates": "list",
    "uncertainties": "table",
    "trust": "list",
}
SCHEMA_STATE = {
    "id": "!str",
    "name": "str",
    "capacity": "nonneg",
    "detection": "prob",
    "integrity": "prob",
    "investigators": "int",
    "laws": "strs",
    "extradites_nationals": "bool",
    "lat": "float",
    "lon": "float",
    **{k: P.PARAMS[k].kind for k in P.STATE_PARAMS},
}
SCHEMA_LOCATION = {
    "id": "!str",
    "state": "!state",
    "kind": "str",
    "name": "str",
    "production": "nonneg",
    "demand": "nonneg",
    "price": "nonneg",
    "lat": "float",
    "lon": "float",
}
SCHEMA_LEG = {
    "from": "!location",
    "to": "!location",
    "mode": "str",
    "cost": "!nonneg",
    "capacity": "nonneg",
    "both_ways": "bool",
}
SCHEMA_ORG = {
    "id": "!str",
    "commodity": "str",
    "sources": "!locations",
    "markets": "!locations",
    "name": "str",
    "learning_rate": "prob",
    "offence": "str",
    "home": "state",
    **{k: P.PARAMS[k].kind for k in P.ORG_PARAMS},
}
AGREEMENT_FIELDS = {
    t: {k: ("!" + v if k in REGISTRY[p].REQUIRED else v) for k, v in REGISTRY[p].FIELDS.items()}
    for t, p in AGREEMENT_TYPES.items()
}
SCHEMA_TRUST = {"between": "!pair", "value": "!prob"}


def _one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped."""
    return text if text.isprintable() else repr(text)[1:-1]


class ScenarioError(ValueError):
    """A problem with a scenario file: one line naming the file, the key and the problem."""

    def __init__(self, file: str | Path, key: str, problem: str):
        self.file, self.key, self.problem = str(file), key, problem
        file, key, problem = _one_line(str(file)), _one_line(key), _one_line(problem)
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass
class Scenario:
    """A validated, fully resolved scenario (``extends`` merged, overrides applied).

    Attributes:
        name: the scenario's name.
        path: the file it came from.
        data: the resolved scenario as plain data (what the manifest records).
        overrides: the ``--set`` strings that were applied.
    """

    name: str
    path: Path
    data: dict
    overrides: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:  # noqa: D102
        return self.data.get("description", "")

    @property
    def ticks(self) -> int:  # noqa: D102
        return int(self.data.get("ticks", 260))

    @property
    def burn_in(self) -> int:  # noqa: D102
        return int(self.data.get("burn_in", 52))

    @property
    def params(self) -> dict:
        """Model parameters: defaults updated by the scenario's ``[params]``."""
        p = P.defaults()
        p.update(self.data.get("params", {}))
        return p

    @property
    def candidates(self) -> dict[str, dict]:
        """Candidate policies (``[[candidates]]``), by label: levers not applied by default."""
        return {c["label"]: c for c in self.data.get("candidates", [])}

    def with_candidates(self, labels: list[str], name: str | None = None) -> Scenario:
        """A new scenario with the named candidate policies switched on (appended to policies).

        Raises:
            ScenarioError: a label is not among the scenario's candidates.
        """
        data = copy.deepcopy(self.data)
        known = self.candidates
        for lab in labels:
            if lab not in known:
                raise ScenarioError(
                    self.path, "candidates", f"no candidate {lab!r} (known: {', '.join(known)})"
                )
            data.setdefault("policies", []).append(copy.deepcopy(known[lab]))
        validate(data, self.path)
        label = name or (f"{self.name}+{'+'.join(labels)}" if labels else self.name)
        return Scenario(label, self.path, data, list(self.overrides))

    def with_overrides(self, overrides: list[str]) -> Scenario:
        """A new scenario with ``NAME=VALUE`` overrides applied and re-validated."""
        data = copy.deepcopy(self.data)
        apply_overrides(data, overrides, self.path)
        validate(data, self.path)
        return Scenario(self.name, self.path, data, [*self.overrides, *overrides])


# ----------------------------------------------------------------------------- loading
def resolve_path(name_or_path: str | Path) -> Path:
    """A scenario file from a path, or from the name of a shipped scenario."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    if len(p.parts) > 1:
        raise ScenarioError(p, "", "no such scenario file")
    for cand in (SCENARIO_DIR / p, SCENARIO_DIR / f"{p}.toml"):
        if cand.is_file():
            return cand
    raise ScenarioError(p, "", "no such scenario file (try `xborder scenarios`)")


def load_scenario(name_or_path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load, merge, override and validate a scenario; raise ScenarioError on any problem."""
    path = resolve_path(name_or_path)
    data = _load_merged(path, ())
    apply_overrides(data, overrides or [], path)
    validate(data, path)
    return Scenario(data.get("name", path.stem), path, data, list(overrides or []))


def list_scenarios() -> list[tuple[str, str, Path]]:
    """Shipped scenarios as (name, one-line description, path)."""
    out = []
    for f in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            with f.open("rb") as fh:
                d = tomllib.load(fh)
            desc = str(d.get("description", "")).strip().splitlines()
            out.append((str(d.get("name", f.stem)), desc[0] if desc else "", f))
        except (OSError, tomllib.TOMLDecodeError):
            out.append((f.stem, "(unreadable)", f))
    return out


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(path, "", f"not valid TOML ({e})") from None
    except OSError as e:
        raise ScenarioError(path, "", f"cannot read ({e.strerror})") from None


def _load_merged(path: Path, chain: tuple[Path, ...]) -> dict:
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(path, "extends", "must be a file name (string)")
    ppath = (path.parent / parent).resolve()
    if not ppath.is_file():
        raise ScenarioError(path, "extends", f"no such file {parent!r}")
    if ppath in chain or ppath == path.resolve():
        raise ScenarioError(path, "extends", f"circular extends through {parent!r}")
    base = _load_merged(ppath, (*chain, path.resolve()))
    return _merge(base, data)


_ID_KEYS = {
    "states": ("id",),
    "locations": ("id",),
    "organizations": ("id",),
    "legs": ("from", "to"),
}


def _merge_key(item, idk: tuple[str, ...]) -> tuple[str, ...] | None:
    """The id tuple of a table to merge by, or None (not a table, or ids not strings)."""
    if not isinstance(item, dict):
        return None
    k = tuple(item.get(x) for x in idk)
    return k if all(isinstance(x, str) for x in k) else None


def _merge(base: dict, child: dict) -> dict:
    """Child overrides base; tables merge by id, agreements and policies append."""
    out = copy.deepcopy(base)
    for key, val in child.items():
        if key == "params" and isinstance(val, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **val}
        elif key in _ID_KEYS and isinstance(val, list) and isinstance(out.get(key), list):
            idk = _ID_KEYS[key]
            index = {}
            for it in out[key]:
                if (k := _merge_key(it, idk)) is not None:
                    index.setdefault(k, it)
            for item in val:
                k = _merge_key(item, idk)
                if k is not None and k in index:
                    index[k].update(item)
                else:
                    out[key].append(item)
        elif (
            key in ("agreements", "policies", "candidates")
            and isinstance(val, list)
            and isinstance(out.get(key, []), list)
        ):
            out[key] = [*out.get(key, []), *val]
        else:
            out[key] = val
    return out


# ---------------------------------------------------------------------------- overrides
def parse_value(text: str):
    """A ``--set`` value: TOML syntax (``60``, ``0.5``, ``true``, ``["a"]``) or a bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(data: dict, overrides: list[str], path: Path | str) -> None:
    """Apply ``NAME=VALUE`` overrides: parameter names, or dotted paths into the scenario."""
    for item in overrides:
        if "=" not in item:
            raise ScenarioError(path, item, "an override must look like NAME=VALUE")
        key, text = (s.strip() for s in item.split("=", 1))
        value = parse_value(text)
        parts = key.split(".")
        if not key:
            raise ScenarioError(path, item, "an override must look like NAME=VALUE")
        if key in P.PARAMS or (parts[0] == "params" and len(parts) == 2):
            params = data.setdefault("params", {})
            if not isinstance(params, dict):
                raise ScenarioError(path, "params", "expected a table")
            params[parts[-1]] = value
        elif len(parts) == 1:
            if parts[0] not in SCHEMA_TOP:
                raise ScenarioError(path, key, "unknown parameter or scenario key")
            data[parts[0]] = value
        elif len(parts) == 3 and parts[0] in ("states", "locations", "organizations"):
            items = data.get(parts[0], [])
            if not isinstance(items, list):
                raise ScenarioError(path, parts[0], "expected an array of tables ([[...]])")
            match = [it for it in items if isinstance(it, dict) and it.get("id") == parts[1]]
            if not match:
                raise ScenarioError(path, key, f"no {parts[0][:-1]} with id {parts[1]!r}")
            match[0][parts[2]] = value
        else:
            raise ScenarioError(
                path, key, "unknown override (use a parameter name or e.g. states.PAN.capacity)"
            )


# --------------------------------------------------------------------------- validation
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
    elif kind in ("state", "location"):
        pool = ids["states" if kind == "state" else "locations"]
        if not isinstance(v, str):
            bad(f"expected a {kind} id (string), got {v!r}")
        if v not in pool:
            bad(f"unknown {kind} {v!r}")
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


def _check_table(path, where: str, item, schema: dict, ids: dict) -> None:
    if not isinstance(item, dict):
        raise ScenarioError(path, where, f"expected a table, got {item!r}")
    for k, v in item.items():
        if k not in schema:
            raise ScenarioError(path, f"{where}.{k}", "unknown key")
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
    """Check a resolved scenario; raise ScenarioError naming the first problem."""
    for k, v in data.items():
        if k not in SCHEMA_TOP:
            raise ScenarioError(path, k, "unknown key")
        kind = SCHEMA_TOP[k]
        if kind == "table" and not isinstance(v, dict):
            raise ScenarioError(path, k, "expected a table")
        if kind not in ("table", "list"):
            _check_value(path, k, kind, v, {})
    states = _items(path, data, "states")
    locs = _items(path, data, "locations")
    orgs = _items(path, data, "organizations")
    legs = _items(path, data, "legs", None)
    for key, items in (("states", states), ("locations", locs), ("organizations", orgs)):
        seen = set()
        for it in items:
            if it["id"] in seen:
                raise ScenarioError(path, f"{key}.{it['id']}", "duplicate id")
            seen.add(it["id"])
    if not states:
        raise ScenarioError(path, "states", "a scenario needs at least one state")
    if not orgs:
        raise ScenarioError(path, "organizations", "a scenario needs at least one organization")
    ids = {"states": {s["id"] for s in states}, "locations": {loc["id"] for loc in locs}}
    for s in states:
        _check_table(path, f"states.{s['id']}", s, SCHEMA_STATE, ids)
    for loc in locs:
        _check_table(path, f"locations.{loc['id']}", loc, SCHEMA_LOCATION, ids)
        if "kind" in loc and loc["kind"] not in LOCATION_KINDS:
            raise ScenarioError(
                path, f"locations.{loc['id']}.kind", f"must be one of {', '.join(LOCATION_KINDS)}"
            )
    for i, leg in enumerate(legs):
        where = f"legs[{i}]"
        _check_table(path, where, leg, SCHEMA_LEG, ids)
        if leg["from"] == leg["to"]:
            raise ScenarioError(path, where, f"a leg from {leg['from']!r} to itself")
        if "mode" in leg and leg["mode"] not in MODES:
            raise ScenarioError(path, f"{where}.mode", f"must be one of {', '.join(MODES)}")
    for o in orgs:
        _check_table(path, f"organizations.{o['id']}", o, SCHEMA_ORG, ids)
    _check_params(path, data.get("params", {}))
    _check_uncertainties(path, data.get("uncertainties", {}))
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
        _check_table(path, f"trust[{i}]", tr, SCHEMA_TRUST, ids)
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
        raise ScenarioError(
            path, f"{where}.type", f"unknown type {t!r} (one of {', '.join(sorted(schemas))})"
        )
    schema = {"type": "str", **(COMMON_FIELDS if common else {}), **schemas[t]}
    _check_table(path, where, item, schema, ids)
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
    orgs = {o["id"] for o in data["organizations"]}
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
            if "organization" in pol and pol["organization"] not in orgs:
                raise ScenarioError(
                    path, f"{where}.organization", f"unknown organization {pol['organization']!r}"
                )
            if "role" in pol and pol["role"] not in ("leader", "broker", "courier"):
                raise ScenarioError(path, f"{where}.role", "must be leader, broker or courier")
            if ("share" in pol) == ("count" in pol):
                raise ScenarioError(path, where, "give exactly one of share or count")


def _check_params(path, params: dict) -> None:
    for k, v in params.items():
        if k not in P.PARAMS:
            raise ScenarioError(path, f"params.{k}", "unknown parameter")
        _check_value(path, f"params.{k}", P.PARAMS[k].kind, v, {})
    if params.get("k_paths", 1) < 1:
        raise ScenarioError(path, "params.k_paths", "must be at least 1")


def _check_uncertainties(path, unc: dict) -> None:
    for k, v in unc.items():
        if k not in P.PARAMS:
            raise ScenarioError(path, f"uncertainties.{k}", "unknown parameter")
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
    for o in data["organizations"]:
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
                        f"organizations.{o['id']}.markets",
                        f"market {m!r} is unreachable from source {src!r}",
                    )
