"""``xborder policies | new``: the policy catalogue and a new scenario's skeleton.

The catalogue is generated from the policy registry (:data:`sim.policies.REGISTRY`):
each type's keys (``FIELDS`` and the common ``start``/``end``/``cost``/``label``), their
kinds, defaults (the dataclass fields), whether required (``REQUIRED``, ``ONE_OF``),
their meaning (the class docstring's ``Args:``) and an example ``[[policies]]`` table.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.helpers import fail

WIDTH = 80

#: how each field kind reads in the catalogue
KIND_TEXT = {
    "state": "state id",
    "states": "state ids",
    "pair": "two state ids",
    "location": "location id",
    "locations": "location ids",
    "pos": "number > 0",
    "nonneg": "number >= 0",
    "prob": "share, 0..1",
    "int": "integer >= 0",
    "float": "number",
    "str": "text",
    "strs": "list of text",
    "bool": "true/false",
}
#: units of the keys whose unit the name alone does not say
UNITS = {"start": "week", "end": "week", "cost": "USD/year", "lag": "weeks"}
#: example values by key (ids are filled from the scenario's states)
EXAMPLES = {
    "factor": 2.0,
    "capacity": 1.5,
    "detection": 1.2,
    "integrity": 1.1,
    "ramp_weeks": 26,
    "mlat_median_weeks": 20,
    "success": 0.8,
    "name": "regional",
    "lag": 1,
    "coverage": 0.6,
    "intel": 1.5,
    "offences": ["conspiracy"],
    "trust_gain": 0.2,
    "strategy": "betweenness",
    "share": 0.1,
    "role": "broker",
}
#: example values of the other keys, by kind
BY_KIND = {"pos": 1.0, "nonneg": 0.0, "prob": 0.5, "int": 1, "float": 0.0, "str": "x"}
EXAMPLE_STATES = ("PAN", "CRI", "GTM")


def _registry():
    from sim.policies import COMMON_FIELDS, REGISTRY, Policy

    return REGISTRY, COMMON_FIELDS, Policy


def _args(cls) -> dict[str, str]:
    """The ``Args:`` section of a class docstring: key -> meaning (continuations joined)."""
    out: dict[str, str] = {}
    lines = (cls.__doc__ or "").splitlines()
    inside, key, base = False, None, 0
    for line in lines:
        text = line.strip()
        if text == "Args:":
            inside = True
            continue
        if not inside or not text:
            continue
        indent = len(line) - len(line.lstrip())
        head, sep, rest = text.partition(": ")
        if sep and head.isidentifier() and (key is None or indent <= base):
            key, base = head, indent
            out[key] = rest.strip()
        elif key is not None:
            out[key] += " " + text
    return {k: v.replace("``", "") for k, v in out.items()}


def _unit(key: str) -> str:
    return UNITS.get(key, "weeks" if key.endswith("_weeks") else "")


def _default(cls, key: str) -> str:
    if key in cls.REQUIRED:
        return "required"
    if key in cls.ONE_OF:
        return "one of " + "/".join(cls.ONE_OF)
    f = {f.name: f for f in dataclasses.fields(cls)}.get(key)
    if f is None:
        return "-"
    if f.default is not dataclasses.MISSING:
        v = f.default
        if key == "end" and v is None:
            return "never"
        return "-" if v is None else json.dumps(v)
    return "[]" if f.default_factory is list else "-"


def keys(type_: str) -> list[dict]:
    """The keys of a policy type: name, kind, unit, default, required, meaning."""
    registry, common, base = _registry()
    cls = registry[type_]
    meaning = {**_args(base), **_args(cls)}
    rows = []
    for key, kind in {**cls.FIELDS, **common}.items():
        rows.append(
            {
                "key": key,
                "kind": KIND_TEXT.get(kind, kind),
                "unit": _unit(key),
                "default": _default(cls, key),
                "required": key in cls.REQUIRED,
                "meaning": meaning.get(key, ""),
            }
        )
    return rows


def example(type_: str, states=EXAMPLE_STATES, table: str = "policies") -> dict:
    """An example table of ``type_``: its required keys (and the first ONE_OF), a start."""
    registry, _, _ = _registry()
    cls = registry[type_]
    ids = {"state": states[0], "states": list(states[:2]), "pair": list(states[:2])}
    chosen = [*cls.REQUIRED, *cls.ONE_OF[:1]]
    if type_ == "remove_members":
        chosen.append("share")
    chosen += [k for k in cls.FIELDS if k in EXAMPLES and k not in chosen][:1]
    out: dict = {"type": type_}
    for key in dict.fromkeys(chosen):
        kind = cls.FIELDS[key]
        out[key] = ids[kind] if kind in ids else EXAMPLES.get(key, BY_KIND.get(kind, "?"))
    out.update(start=52, cost=1_000_000)
    if table == "candidates":
        out["label"] = type_
    return out


def toml_table(data: dict, table: str = "policies", prefix: str = "") -> list[str]:
    """``[[table]]`` lines for a flat dict (optionally commented out with ``prefix``)."""
    return [f"{prefix}[[{table}]]", *(f"{prefix}{k} = {json.dumps(v)}" for k, v in data.items())]


def catalogue(type_: str) -> list[str]:
    """The catalogue lines of one policy type (at most 80 columns each)."""
    registry, _, _ = _registry()
    cls = registry[type_]
    summary = (cls.__doc__ or "").strip().splitlines()[0]
    lines = [type_, *textwrap.wrap(summary, WIDTH, initial_indent="  ", subsequent_indent="  ")]
    for r in keys(type_):
        kind = r["kind"] + (f", {r['unit']}" if r["unit"] else "")
        default = r["default"]
        default = (
            default if default in ("required", "-") or " " in default else f"default {default}"
        )
        facts = f"{kind}; {default}" if default != "-" else kind
        lines.append(f"  {r['key']} ({facts})")
        if r["meaning"]:
            lines += textwrap.wrap(
                r["meaning"], WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6
            )
    if cls.ONE_OF:
        lines.append(f"  give exactly one of {' or '.join(cls.ONE_OF)}")
    if type_ == "remove_members":
        lines.append("  give exactly one of share or count")
    lines += ["", "  example:", *("    " + x for x in toml_table(example(type_)))]
    return lines


TypeArg = Annotated[
    str | None,
    typer.Argument(
        metavar="TYPE", help="One policy type (default: every type).", show_default=False
    ),
]


def policies(type_: TypeArg = None) -> None:
    """List the policy types with their keys, kinds, defaults and an example each.

    Generated from the policy registry. A scenario switches a policy on in a
    policies table (every run), or offers it as a lever in a candidates table
    (with a label; recommend and the experiments switch it on).

    Examples:
      xborder policies
      xborder policies surge
    """
    from sim.suggest import did_you_mean

    registry, _, _ = _registry()
    if type_ is not None and type_ not in registry:
        fail(
            f"policies: unknown policy type {type_!r}{did_you_mean(type_, registry)} "
            f"(known: {', '.join(registry)})"
        )
    lines: list[str] = []
    for t in [type_] if type_ else list(registry):
        lines += [*catalogue(t), ""]
    typer.echo("\n".join(lines).rstrip("\n"))


def skeleton(name: str, base) -> str:
    """A commented scenario file that extends ``base`` (a loaded shipped scenario) by name."""
    from sim import params as P

    states = [s["id"] for s in base.data.get("states", [])] or list(EXAMPLE_STATES)
    params = base.params
    shown = [k for k in ("exploration", "mlat_median_weeks", "db_coverage") if k in params]
    lines = [
        f"# {name}: written by `xborder new`, built on {base.name!r}.",
        "# Everything not set here comes from the base. Check it with",
        f"#   xborder describe {name}.toml",
        "# and compare it with the base with",
        f"#   xborder compare {base.name} {name}.toml -r 20",
        "",
        f"extends = {json.dumps(base.name)}",
        f"name = {json.dumps(name)}",
        f"description = {json.dumps(f'{base.name} with my changes')}",
        "",
        "# Model parameters: uncomment to override the base's value (every name and its",
        "# meaning: sim/params.py; `xborder run NAME --set KEY=VALUE` tries one out).",
        "# [params]",
    ]
    for k in shown:
        lines += textwrap.wrap(
            P.PARAMS[k].doc, WIDTH, initial_indent="#   ", subsequent_indent="#   "
        )
        lines.append(f"# {k} = {json.dumps(params[k])}")
    lines += [
        "",
        "# Policies switched on in every run (all types and keys: `xborder policies`).",
        "# Several [[policies]] tables add up; these are appended to the base's.",
        *toml_table(example("surge", states), prefix="# "),
        "",
        *toml_table(example("joint_team", states), prefix="# "),
        "",
        "# Candidates: levers not applied by default, switched on by label by",
        "# `xborder recommend` and the experiments.",
        *toml_table(example("liaison_officers", states, "candidates"), "candidates", "# "),
        "",
    ]
    return "\n".join(lines)


def new(
    name: Annotated[str, typer.Argument(help="Name of the new scenario (file NAME.toml).")],
    from_: Annotated[
        str,
        typer.Option("--from", help="The shipped scenario (or file) it extends."),
    ] = "central_america_cocaine",
    out: Annotated[Path | None, typer.Option(help="Write here instead of ./NAME.toml.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented scenario file that extends a shipped scenario by name.

    The file loads as written; uncomment and edit its examples of parameters,
    policies and candidates.

    Examples:
      xborder new my_region --from central_america_cocaine
      xborder describe my_region.toml
    """
    from sim.cli.helpers import load

    stem = name[:-5] if name.endswith(".toml") else name
    if not stem or Path(stem).name != stem:
        fail(f"new: {name!r}: give a plain name (use --out for a path)")
    path = out if out is not None else Path(f"{stem}.toml")
    if path.exists() and not force:
        fail(f"new: {path} exists (use --force to overwrite it)")
    base = load(from_)
    text = skeleton(stem, base)
    if Path(from_).is_file():  # a file, not a shipped name: extend it by its path
        rel = Path(from_).resolve()
        text = text.replace(
            f"extends = {json.dumps(base.name)}", f"extends = {json.dumps(str(rel))}"
        )
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        fail(f"new: cannot write {path} ({e.strerror})")
    typer.echo(f"wrote {path} (extends {from_}); check it with `xborder describe {path}`")
