"""The keys of a scenario: table schemas, the canonical spelling, the one-line error.

A schema maps each key of a table to the kind of its value (``"str"``, ``"prob"``,
``"state"``, ..., as checked in :mod:`sim.scenario_checks`); ``"!"`` marks a required
key. :mod:`sim.scenario_checks` validates a scenario against them and
:mod:`sim.scenario` loads one; :mod:`sim.scenario` re-exports every public name here.
"""

from __future__ import annotations

from pathlib import Path

from sim import params as P
from sim.policies import AGREEMENT_TYPES, REGISTRY

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

# Table schemas: key -> kind (see sim.scenario_checks); "!" marks a required key.
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
    "organisations": "list",
    "agreements": "list",
    "policies": "list",
    "candidates": "list",
    "uncertainties": "table",
    "targets": "table",
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
    "aut_dedere": "bool",
    "authority_capacity": "pos",
    "penalties": "years",
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


# ------------------------------------------------------------------------------ spelling
#: Top-level keys accepted in the American spelling, with their canonical (British) form.
TOP_SPELLINGS = {"organizations": "organisations"}
#: Keys of ``[[policies]]`` and ``[[candidates]]`` tables accepted in the American spelling.
POLICY_SPELLINGS = {"organization": "organisation"}


def canonical_key(key: str) -> str:
    """A dotted scenario path with the canonical spelling of its first part.

    ``organizations.red.loss_tolerance`` becomes ``organisations.red.loss_tolerance``.
    """
    head, dot, rest = key.partition(".")
    return TOP_SPELLINGS.get(head, head) + dot + rest


def _rename(table: dict, spellings: dict[str, str], path, where: str) -> None:
    """Rename ``spellings`` keys of ``table`` in place, keeping the order of the keys."""
    found = [k for k in table if k in spellings]
    if not found:
        return
    for old in found:
        if (new := spellings[old]) in table:
            raise ScenarioError(path, where + old, f"given as both {new!r} and {old!r}: keep one")
    items = [(spellings.get(k, k), v) for k, v in table.items()]
    table.clear()
    table.update(items)


def normalise_spelling(data: dict, path: Path | str) -> dict:
    """Rename American spellings of keys to the canonical British ones, in place.

    Scenario files may say ``[[organizations]]`` and (in ``remove_members``)
    ``organization``; the canonical spelling is ``organisations`` / ``organisation``.
    Fields a policy type has renamed (``median_weeks``, now ``mlat_median_weeks``)
    are accepted under their former names too.

    Returns:
        ``data`` itself.

    Raises:
        ScenarioError: one table gives a key in both spellings.
    """
    _rename(data, TOP_SPELLINGS, path, "")
    for key in ("policies", "candidates", "agreements"):
        items = data.get(key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                _rename(item, POLICY_SPELLINGS | _former_names(item), path, f"{key}[{i}].")
    return data


def _former_names(item: dict) -> dict[str, str]:
    """Former field names of the item's policy type (``Policy.ALIASES``), if it has a type."""
    kind = item.get("type")
    cls = REGISTRY.get(AGREEMENT_TYPES.get(kind, kind)) if isinstance(kind, str) else None
    return dict(cls.ALIASES) if cls is not None else {}
