"""Scenario files: TOML loading, ``extends``, ``--set`` overrides; the Scenario class.

Every problem is reported as a :class:`ScenarioError` whose message is one line:
``FILE: KEY: PROBLEM``. What a valid scenario is lives in :mod:`sim.scenario_schema`
(table schemas, the canonical spelling of keys) and :mod:`sim.scenario_checks`
(validation); their public names are re-exported here.

Spelling: the canonical keys are British (``[[organisations]]``, ``organisation`` in
``remove_members``). The American spelling is accepted in files, in ``--set`` paths and
across ``extends``, and renamed when a file is read; one file giving both is an error.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sim import params as P
from sim.resources import shipped
from sim.scenario_checks import validate
from sim.scenario_schema import (
    AGREEMENT_FIELDS,
    LOCATION_KINDS,
    MODES,
    POLICY_SPELLINGS,
    SCHEMA_LEG,
    SCHEMA_LOCATION,
    SCHEMA_ORG,
    SCHEMA_STATE,
    SCHEMA_TOP,
    SCHEMA_TRUST,
    TOP_SPELLINGS,
    ScenarioError,
    canonical_key,
    normalise_spelling,
)
from sim.suggest import did_you_mean

__all__ = [
    "AGREEMENT_FIELDS",
    "LOCATION_KINDS",
    "MODES",
    "POLICY_SPELLINGS",
    "SCENARIO_DIR",
    "SCHEMA_LEG",
    "SCHEMA_LOCATION",
    "SCHEMA_ORG",
    "SCHEMA_STATE",
    "SCHEMA_TOP",
    "SCHEMA_TRUST",
    "TOP_SPELLINGS",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "canonical_key",
    "list_scenarios",
    "load_scenario",
    "normalise_spelling",
    "parse_value",
    "resolve_path",
    "validate",
]

#: The shipped scenarios: ``scenarios/`` in a checkout, ``sim/_shipped/scenarios`` installed.
SCENARIO_DIR = shipped("scenarios")


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
                    self.path,
                    "candidates",
                    f"no candidate {lab!r}{did_you_mean(lab, known)} (known: {', '.join(known)})",
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
    names = [f.stem for f in sorted(SCENARIO_DIR.glob("*.toml"))]
    hint = did_you_mean(p.stem, names)
    raise ScenarioError(p, "", f"no such scenario file{hint} (try `xborder scenarios`)")


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
    """One file's data, American spellings of keys renamed (:func:`normalise_spelling`)."""
    try:
        with path.open("rb") as fh:
            return normalise_spelling(tomllib.load(fh), path)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(path, "", f"not valid TOML ({e})") from None
    except OSError as e:
        raise ScenarioError(path, "", f"cannot read ({e.strerror})") from None


def _extended(path: Path, parent: str) -> Path:
    """The file ``extends = parent`` names: relative to ``path``, else a shipped scenario."""
    ppath = (path.parent / parent).resolve()
    if ppath.is_file():
        return ppath
    if len(Path(parent).parts) == 1:
        for cand in (SCENARIO_DIR / parent, SCENARIO_DIR / f"{parent}.toml"):
            if cand.is_file():
                return cand.resolve()
    names = [f.stem for f in sorted(SCENARIO_DIR.glob("*.toml"))]
    hint = did_you_mean(Path(parent).stem, names)
    raise ScenarioError(path, "extends", f"no such file or shipped scenario {parent!r}{hint}")


def _load_merged(path: Path, chain: tuple[Path, ...]) -> dict:
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(path, "extends", "must be a file name (string)")
    ppath = _extended(path, parent)
    if ppath in chain or ppath == path.resolve():
        raise ScenarioError(path, "extends", f"circular extends through {parent!r}")
    base = _load_merged(ppath, (*chain, path.resolve()))
    return _merge(base, data)


#: Tables merged key by key across ``extends`` (a child's target replaces one of the base).
_DICT_KEYS = ("params", "targets")
_ID_KEYS = {
    "states": ("id",),
    "locations": ("id",),
    "organisations": ("id",),
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
        if key in _DICT_KEYS and isinstance(val, dict) and isinstance(out.get(key), dict):
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
        key = canonical_key(key)
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
                hint = did_you_mean(key, [*P.PARAMS, *SCHEMA_TOP])
                raise ScenarioError(path, key, f"unknown parameter or scenario key{hint}")
            data[parts[0]] = value
        elif len(parts) == 3 and parts[0] in ("states", "locations", "organisations"):
            items = data.get(parts[0], [])
            if not isinstance(items, list):
                raise ScenarioError(path, parts[0], "expected an array of tables ([[...]])")
            match = [it for it in items if isinstance(it, dict) and it.get("id") == parts[1]]
            if not match:
                ids = [it.get("id") for it in items if isinstance(it, dict)]
                hint = did_you_mean(parts[1], [i for i in ids if isinstance(i, str)])
                raise ScenarioError(path, key, f"no {parts[0][:-1]} with id {parts[1]!r}{hint}")
            match[0][parts[2]] = value
        elif len(parts) == 3 and parts[0] == "agreements":
            items = [it for it in data.get("agreements", []) if isinstance(it, dict)]
            match = [it for it in items if parts[1] in (it.get("name"), it.get("label"))]
            if not match:
                names = [it.get("name") or it.get("label") for it in items]
                hint = did_you_mean(parts[1], [n for n in names if isinstance(n, str)])
                raise ScenarioError(path, key, f"no agreement named {parts[1]!r}{hint}")
            match[0][parts[2]] = value
        else:
            raise ScenarioError(
                path,
                key,
                "unknown override (use a parameter name, e.g. states.PAN.capacity or "
                "agreements.interpol.red_notices)",
            )
