"""Scenario files: loading, ``extends``, ``--set`` overrides, validation errors, the CLI.

Malformed scenarios are built from the shipped toy: load its TOML, change one thing,
write it back with the small TOML writer below, and check the one-line error names
the file and the offending key.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import params as P
from sim import scenario as S
from sim.policies import from_dict
from sim.scenario import ScenarioError, apply_overrides, load_scenario, validate

TOY = S.SCENARIO_DIR / "toy_corridor.toml"
XBORDER = Path(sys.executable).parent / "xborder"  # the venv's console script

with TOY.open("rb") as _fh:
    TOY_DATA = tomllib.load(_fh)


def toy() -> dict:
    """A fresh, mutable copy of the toy scenario's data."""
    return copy.deepcopy(TOY_DATA)


# ------------------------------------------------------------------ a tiny TOML writer
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(k: str) -> str:
    return k if _BARE_KEY.match(k) else json.dumps(k, ensure_ascii=False)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # JSON string escapes are valid TOML
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {v!r} as TOML")


def dump_toml(data: dict) -> str:
    """Scalars first, then [tables], then [[arrays of tables]]; deeper nesting is inline."""
    head, tables, arrays = [], [], []
    for k, v in data.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            arrays.append((k, v))
        else:
            head.append(f"{_toml_key(k)} = {_toml_value(v)}")
    out = head
    for k, v in tables:
        out += [
            "",
            f"[{_toml_key(k)}]",
            *(f"{_toml_key(a)} = {_toml_value(b)}" for a, b in v.items()),
        ]
    for k, items in arrays:
        for it in items:
            out += ["", f"[[{_toml_key(k)}]]"]
            out += [f"{_toml_key(a)} = {_toml_value(b)}" for a, b in it.items()]
    return "\n".join(out) + "\n"


def write(path: Path, data: dict | str) -> Path:
    path.write_text(data if isinstance(data, str) else dump_toml(data), encoding="utf-8")
    return path


def state(data: dict, sid: str) -> dict:
    (match,) = [s for s in data["states"] if s["id"] == sid]
    return match


def one_line(msg: str) -> bool:
    return len(msg.splitlines()) == 1


def test_toml_writer_round_trips_the_toy():
    assert tomllib.loads(dump_toml(TOY_DATA)) == TOY_DATA


# ------------------------------------------------------------------------ 1. loading
def test_toy_loads_by_name():
    sc = load_scenario("toy_corridor")
    assert sc.name == "toy_corridor"
    assert sc.path.resolve() == TOY.resolve()
    assert sc.data == TOY_DATA
    assert (sc.ticks, sc.burn_in) == (TOY_DATA.get("ticks", 260), TOY_DATA.get("burn_in", 52))
    assert {"MID", "NOR"} <= {s["id"] for s in sc.data["states"]}  # the ids these tests use
    assert {"red", "blue"} <= {o["id"] for o in sc.data["organisations"]}
    file_params = TOY_DATA.get("params", {})
    assert file_params, "the toy should set some [params]"
    for k, v in P.defaults().items():
        assert sc.params[k] == file_params.get(k, v)
    assert sc.overrides == []


@pytest.mark.parametrize("arg", [str(TOY), TOY, "toy_corridor.toml"], ids=["str", "Path", "file"])
def test_toy_loads_by_path(arg):
    sc = load_scenario(arg)
    assert sc.path.resolve() == TOY.resolve()
    assert sc.data == TOY_DATA


def test_a_copy_elsewhere_loads_from_its_own_path(tmp_path):
    data = toy()
    data["name"] = "copy"
    cap = state(data, "MID")["capacity"] + 1
    state(data, "MID")["capacity"] = cap
    f = write(tmp_path / "toy_corridor.toml", data)  # same file name as the shipped one
    sc = load_scenario(f)
    assert sc.path == f
    assert sc.name == "copy"
    assert state(sc.data, "MID")["capacity"] == cap


def test_unknown_scenario_name():
    with pytest.raises(ScenarioError, match="no_such_scenario"):
        load_scenario("no_such_scenario")


@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_extends_merges_states_params_and_policies(tmp_path, how):
    parent = os.path.relpath(TOY, tmp_path) if how == "relative" else str(TOY)
    assert Path(parent).is_absolute() == (how == "absolute")
    surge = {"type": "surge", "state": "MID", "factor": 2.0, "start": 10, "end": 20}
    child = {
        "extends": parent,
        "name": "child",
        "params": {"exploration": 0.3},
        "states": [{"id": "MID", "capacity": 60}],
        "legs": [
            {"from": TOY_DATA["legs"][0]["from"], "to": TOY_DATA["legs"][0]["to"], "cost": 999}
        ],
        "policies": [surge],
    }
    f = write(tmp_path / "child.toml", child)
    sc = load_scenario(f)
    d = sc.data
    assert sc.name == "child" and sc.path == f
    assert "extends" not in d
    # states merge by id: one field changed, the rest kept, no state added or lost
    assert [s["id"] for s in d["states"]] == [s["id"] for s in TOY_DATA["states"]]
    mid = state(d, "MID")
    assert mid["capacity"] == 60
    assert mid == {**state(TOY_DATA, "MID"), "capacity": 60}
    for s in TOY_DATA["states"]:
        if s["id"] != "MID":
            assert state(d, s["id"]) == s
    # legs merge by (from, to)
    assert len(d["legs"]) == len(TOY_DATA["legs"])
    assert d["legs"][0] == {**TOY_DATA["legs"][0], "cost": 999}
    # params: overridden one changed, the parent's others kept
    assert d["params"] == {**TOY_DATA["params"], "exploration": 0.3}
    assert sc.params["exploration"] == 0.3
    # policies and agreements append
    assert d["policies"] == [surge]
    assert d["agreements"] == TOY_DATA["agreements"]
    assert d["locations"] == TOY_DATA["locations"]


def test_extends_chain_appends_policies_in_order(tmp_path):
    p1 = {"type": "surge", "state": "MID", "factor": 2.0}
    p2 = {"type": "capacity_building", "state": "WES", "capacity": 1.5}
    write(tmp_path / "a.toml", {"extends": str(TOY), "policies": [p1]})
    write(tmp_path / "b.toml", {"extends": "a.toml", "name": "b", "policies": [p2]})
    sc = load_scenario(tmp_path / "b.toml")
    assert sc.data["policies"] == [p1, p2]
    assert sc.name == "b"
    assert sc.data["states"] == TOY_DATA["states"]


@pytest.mark.parametrize("cycle", ["self", "pair", "triple"])
def test_circular_extends(tmp_path, cycle):
    names = {"self": ["a"], "pair": ["a", "b"], "triple": ["a", "b", "c"]}[cycle]
    for i, n in enumerate(names):
        nxt = names[(i + 1) % len(names)]
        write(tmp_path / f"{n}.toml", f'extends = "{nxt}.toml"\nname = "{n}"\n')
    with pytest.raises(ScenarioError) as ei:
        load_scenario(tmp_path / "a.toml")
    msg = str(ei.value)
    assert one_line(msg)
    assert ei.value.key == "extends"
    assert "circular" in msg


def test_extends_missing_parent(tmp_path):
    f = write(tmp_path / "orphan.toml", 'extends = "nowhere.toml"\n')
    with pytest.raises(ScenarioError, match="nowhere.toml") as ei:
        load_scenario(f)
    assert ei.value.key == "extends" and "orphan.toml" in str(ei.value)


def test_extends_child_with_list_id_is_a_scenario_error(tmp_path):
    f = write(tmp_path / "c.toml", {"extends": str(TOY), "states": [{"id": ["MID"]}]})
    with pytest.raises(ScenarioError, match="c.toml"):
        load_scenario(f)


def test_extends_over_a_base_with_non_list_policies(tmp_path):
    base = toy()
    base["policies"] = 5
    write(tmp_path / "base.toml", base)
    child = {"extends": "base.toml", "policies": [{"type": "surge", "state": "MID", "factor": 2.0}]}
    f = write(tmp_path / "c.toml", child)
    try:
        load_scenario(f)  # the child's list may replace the base's bad value, or ...
    except ScenarioError as e:  # ... the bad base value may be reported
        assert "policies" in str(e)


def test_importing_the_scenario_module_stays_light():
    code = (
        "import sys, sim.scenario; "
        "print(' '.join(m for m in ('pandas', 'matplotlib', 'typer', 'rich', 'dask') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing sim.scenario imports {out.stdout.strip()}"


# ------------------------------------------------------------------- spelling
# The canonical spelling is British ([[organisations]], remove_members `organisation`);
# files in the American spelling still load, and are renamed when read.
REMOVE = {"type": "remove_members", "strategy": "role", "role": "broker", "share": 0.5, "start": 3}


def _american(data: dict) -> dict:
    """``data`` with ``[[organizations]]`` in place of ``[[organisations]]`` (same key order)."""
    return {("organizations" if k == "organisations" else k): v for k, v in data.items()}


def test_the_american_spelling_still_loads(tmp_path):
    data = _american(toy())
    data["policies"] = [{**REMOVE, "organization": "red"}]
    sc = load_scenario(write(tmp_path / "us.toml", data))
    british = toy()
    british["policies"] = [{**REMOVE, "organisation": "red"}]
    assert sc.data == british
    assert list(sc.data) == list(british)  # renamed in place: the order of keys is kept
    assert from_dict(sc.data["policies"][0]).organisation == "red"


def test_the_former_mlat_field_name_still_loads(tmp_path):
    """``median_weeks`` is the former name of ``mlat_median_weeks`` (one name per concept)."""
    data = toy()
    data["policies"] = [{"type": "add_mlat", "between": ["MID", "NOR"], "median_weeks": 12.0}]
    data["agreements"] = [
        *data.get("agreements", []),
        {"type": "mlat", "between": ["MID", "EAS"], "median_weeks": 30.0},
    ]
    sc = load_scenario(write(tmp_path / "old.toml", data))
    pol = sc.data["policies"][0]
    assert "median_weeks" not in pol and pol["mlat_median_weeks"] == 12.0
    assert sc.data["agreements"][-1]["mlat_median_weeks"] == 30.0
    assert from_dict(pol).mlat_median_weeks == 12.0
    assert (
        from_dict({"type": "add_mlat", "between": ["A", "B"], "median_weeks": 9}).mlat_median_weeks
        == 9
    )
    data["policies"][0]["mlat_median_weeks"] = 12.0  # both names in one table: refused
    with pytest.raises(ScenarioError, match="median_weeks"):
        load_scenario(write(tmp_path / "both.toml", data))


def test_shipped_files_use_the_british_spelling():
    for f in sorted(S.SCENARIO_DIR.glob("*.toml")):
        text = f.read_text(encoding="utf-8")
        assert "organization" not in text, f"{f.name}: say organisation(s)"


@pytest.mark.parametrize("parent_us", [False, True], ids=["british-parent", "american-parent"])
def test_extends_merges_across_spellings(tmp_path, parent_us):
    parent = _american(toy()) if parent_us else toy()
    write(tmp_path / "parent.toml", parent)
    key = "organisations" if parent_us else "organizations"  # the child spells it the other way
    child = {"extends": "parent.toml", "name": "c", key: [{"id": "red", "loss_tolerance": 0.05}]}
    sc = load_scenario(write(tmp_path / "c.toml", child))
    assert "organizations" not in sc.data
    ids = [o["id"] for o in TOY_DATA["organisations"]]
    assert [o["id"] for o in sc.data["organisations"]] == ids
    red = _get(sc.data, "organisations", ("id", "red"))
    assert red == {**_get(TOY_DATA, "organisations", ("id", "red")), "loss_tolerance": 0.05}


@pytest.mark.parametrize("where", ["top", "policy", "candidate"])
def test_both_spellings_in_one_file_is_a_one_line_error(tmp_path, where):
    data = toy()
    if where == "top":
        data["organizations"] = copy.deepcopy(data["organisations"])
        key = "organizations"
    else:
        table = "policies" if where == "policy" else "candidates"
        extra = {} if where == "policy" else {"label": "cut"}
        data[table] = [{**REMOVE, **extra, "organisation": "red", "organization": "red"}]
        key = f"{table}[0].organization"
    f = write(tmp_path / "both.toml", data)
    with pytest.raises(ScenarioError) as ei:
        load_scenario(f)
    msg = str(ei.value)
    assert one_line(msg), msg
    assert ei.value.key == key and ei.value.file == str(f)
    assert "organisation" in msg and "keep one" in msg


def test_validate_renames_the_american_spelling_in_place():
    data = _american(toy())
    data["policies"] = [{**REMOVE, "organization": "blue"}]
    validate(data, "x.toml")
    assert "organizations" not in data and data["organisations"] == TOY_DATA["organisations"]
    assert data["policies"] == [{**REMOVE, "organisation": "blue"}]


@pytest.mark.parametrize("spelling", ["organisation", "organization"])
def test_remove_members_names_a_known_organisation(spelling):
    data = toy()
    data["policies"] = [{**REMOVE, spelling: "green"}]
    with pytest.raises(ScenarioError, match="unknown organisation 'green'") as ei:
        validate(data, "x.toml")
    assert ei.value.key == "policies[0].organisation"


# ---------------------------------------------------------------------- 2. overrides
def _get(data: dict, *path):
    for p in path:
        if isinstance(p, tuple):  # ("id", value): the list element with that id
            (data,) = [x for x in data if x["id"] == p[1]]
        else:
            data = data[p]
    return data


GOOD_OVERRIDES = [
    ("exploration=0.3", ("params", "exploration"), 0.3),
    ("params.k_paths=3", ("params", "k_paths"), 3),
    ("states.MID.capacity=60", ("states", ("id", "MID"), "capacity"), 60),
    (
        "organisations.red.loss_tolerance=0.05",
        ("organisations", ("id", "red"), "loss_tolerance"),
        0.05,
    ),
    (  # the American spelling is accepted in --set paths too
        "organizations.red.loss_tolerance=0.06",
        ("organisations", ("id", "red"), "loss_tolerance"),
        0.06,
    ),
    ("burn_in = 10", ("burn_in",), 10),
    ("description=a bare string", ("description",), "a bare string"),
    ('states.MID.laws=["trafficking"]', ("states", ("id", "MID"), "laws"), ["trafficking"]),
]


@pytest.mark.parametrize(
    "override,path,expected", GOOD_OVERRIDES, ids=[g[0] for g in GOOD_OVERRIDES]
)
def test_set_override(override, path, expected):
    sc = load_scenario("toy_corridor", overrides=[override])
    got = _get(sc.data, *path)
    assert got == expected and type(got) is type(expected)
    assert sc.overrides == [override]
    # the shipped data is untouched for the next load
    assert load_scenario("toy_corridor").data == TOY_DATA


def test_set_overrides_together():
    sets = [
        "exploration=0.3",
        "params.k_paths=3",
        "states.MID.capacity=60",
        "organisations.red.loss_tolerance=0.05",
        "ticks=30",
        "burn_in=5",
    ]
    sc = load_scenario("toy_corridor", overrides=sets)
    assert sc.params["exploration"] == 0.3
    assert sc.params["k_paths"] == 3
    assert sc.params["shipment_size"] == 100  # the file's other params survive
    assert state(sc.data, "MID")["capacity"] == 60
    assert state(sc.data, "WES")["capacity"] == state(TOY_DATA, "WES")["capacity"]
    assert _get(sc.data, "organisations", ("id", "red"), "loss_tolerance") == 0.05
    assert "loss_tolerance" not in _get(sc.data, "organisations", ("id", "blue"))
    assert (sc.ticks, sc.burn_in) == (30, 5)
    assert sc.overrides == sets


def test_an_agreement_field_by_name_or_label():
    sc = load_scenario("central_america_cocaine", ["agreements.interpol.red_notices=false"])
    db = next(a for a in sc.data["agreements"] if a.get("name") == "interpol")
    assert db["red_notices"] is False
    assert next(
        a for a in load_scenario("central_america_cocaine").data["agreements"]
        if a.get("name") == "interpol"
    )["red_notices"] is True  # fmt: skip
    for bad, key in (
        ("agreements.interpl.red_notices=false", "agreements.interpl.red_notices"),
        ("agreements.interpol.red_notice=false", "agreements[1].red_notice"),
    ):
        with pytest.raises(ScenarioError) as ei:
            load_scenario("central_america_cocaine", [bad])
        assert ei.value.key == key and one_line(str(ei.value))
    assert "did you mean 'interpol'" in str(
        pytest.raises(
            ScenarioError,
            load_scenario,
            "central_america_cocaine",
            ["agreements.interpl.red_notices=false"],
        ).value  # fmt: skip
    )


def test_ticks_override_alone_clashes_with_the_toys_burn_in():
    # the toy's burn_in is 52, so ticks=30 alone is rejected; with burn_in it is fine
    with pytest.raises(ScenarioError) as ei:
        load_scenario("toy_corridor", overrides=["ticks=30"])
    assert ei.value.key == "burn_in"
    assert load_scenario("toy_corridor", overrides=["ticks=30", "burn_in=0"]).ticks == 30


def test_with_overrides_returns_a_new_scenario():
    sc = load_scenario("toy_corridor")
    sc2 = sc.with_overrides(["states.MID.capacity=60"])
    assert state(sc2.data, "MID")["capacity"] == 60
    assert state(sc.data, "MID")["capacity"] == state(TOY_DATA, "MID")["capacity"] != 60
    assert sc2.overrides == ["states.MID.capacity=60"]
    with pytest.raises(ScenarioError, match="exploration"):
        sc.with_overrides(["exploration=-1"])


BAD_OVERRIDES = [
    ("nosuchparam=1", "nosuchparam"),
    ("states.XXX.capacity=1", "states.XXX.capacity"),
    ("exploration", "exploration"),
    ("exploration=2.0", "params.exploration"),
    ("params.nosuch=1", "params.nosuch"),
    ("states.MID.capacity=-1", "states.MID.capacity"),
    ("states.MID.capacty=1", "states.MID.capacty"),
    ("organisations.green.loss_tolerance=0.1", "organisations.green.loss_tolerance"),
    ("k_paths=0", "params.k_paths"),
    ("k_paths=2.5", "params.k_paths"),
    ("ticks=-5", "ticks"),
    ("ticks=abc", "ticks"),
    ("a.b=1", "a.b"),
]


@pytest.mark.parametrize("override,key", BAD_OVERRIDES, ids=[b[0] for b in BAD_OVERRIDES])
def test_bad_set_override(override, key):
    with pytest.raises(ScenarioError) as ei:
        load_scenario("toy_corridor", overrides=[override])
    msg = str(ei.value)
    assert one_line(msg)
    assert ei.value.key == key
    assert "toy_corridor.toml" in msg and key in msg


# ----------------------------------------------------------- 3. malformed scenarios
def _set(path, value):
    def mutate(d):
        _get(d, *path[:-1])[path[-1]] = value

    return mutate


ORG0 = TOY_DATA["organisations"][0]["id"]
MARKET = TOY_DATA["organisations"][0]["markets"][0]
LOC1 = TOY_DATA["locations"][1]["id"]


def _drop_legs_into_market(d):
    d["legs"] = [leg for leg in d["legs"] if MARKET not in (leg["to"], leg["from"])]


def _leg_to_itself(d):
    d["legs"][0]["to"] = d["legs"][0]["from"]


def _dup_state(d):
    d["states"].append(copy.deepcopy(state(d, "MID")))


def _del_cost(d):
    del d["legs"][0]["cost"]


def _add_policy(**pol):
    def mutate(d):
        d["policies"] = [pol]

    return mutate


MID = ("states", ("id", "MID"))
# (case id, mutation, expected ScenarioError.key, other fragments the message must hold)
MALFORMED = [
    ("unknown_top_key", _set(("colour",), "red"), "colour", ["unknown key"]),
    ("unknown_state_key", _set((*MID, "capacty"), 10), "states.MID.capacty", ["unknown key"]),
    ("string_capacity", _set((*MID, "capacity"), "10"), "states.MID.capacity", ["'10'"]),
    ("detection_above_1", _set((*MID, "detection"), 1.5), "states.MID.detection", ["1.5"]),
    ("detection_nan", _set((*MID, "detection"), math.nan), "states.MID.detection", ["nan"]),
    ("negative_capacity", _set((*MID, "capacity"), -5), "states.MID.capacity", [">= 0"]),
    ("bool_investigators", _set((*MID, "investigators"), True), "states.MID.investigators", []),
    ("leg_to_nowhere", _set(("legs", 3, "to"), "NOWHERE"), "legs[3].to", ["NOWHERE"]),
    ("leg_to_itself", _leg_to_itself, "legs[0]", ["itself"]),
    ("leg_bad_mode", _set(("legs", 1, "mode"), "teleport"), "legs[1].mode", ["sea"]),
    ("leg_without_cost", _del_cost, "legs[0].cost", ["missing"]),
    (
        "location_in_no_state",
        _set(("locations", 1, "state"), "ZZZ"),
        f"locations.{LOC1}.state",
        ["ZZZ"],
    ),
    ("location_bad_kind", _set(("locations", 1, "kind"), "castle"), f"locations.{LOC1}.kind", []),
    (
        "policy_no_state",
        _add_policy(type="surge", state="ZZZ", factor=2.0),
        "policies[0].state",
        ["ZZZ"],
    ),
    (
        "policy_unknown_type",
        _add_policy(type="teleport", state="MID"),
        "policies[0].type",
        ["teleport"],
    ),
    (
        "policy_end_before_start",
        _add_policy(type="surge", state="MID", factor=2.0, start=10, end=5),
        "policies[0].end",
        ["start"],
    ),  # fmt: skip
    (
        "policy_missing_factor",
        _add_policy(type="surge", state="MID"),
        "policies[0].factor",
        ["missing"],
    ),
    ("unknown_param", _set(("params", "explorashun"), 0.1), "params.explorashun", ["unknown"]),
    ("k_paths_zero", _set(("params", "k_paths"), 0), "params.k_paths", []),
    ("market_unreachable", _drop_legs_into_market, f"organisations.{ORG0}.markets", [MARKET]),
    (
        "org_unknown_source",
        _set(("organisations", 0, "sources"), ["nowhere"]),
        f"organisations.{ORG0}.sources",
        ["nowhere"],
    ),  # fmt: skip
    ("duplicate_state", _dup_state, "states.MID", ["duplicate"]),
    ("burn_in_ge_ticks", _set(("burn_in",), 300), "burn_in", ["300"]),
    ("ticks_zero", _set(("ticks",), 0), "ticks", []),
    ("states_not_tables", _set(("states",), "MID"), "states", []),
    (
        "agreement_same_states",
        _set(("agreements", 0, "between"), ["NOR", "NOR"]),
        "agreements[0].between",
        ["NOR"],
    ),  # fmt: skip
    (
        "agreement_unknown_type",
        _set(("agreements", 0, "type"), "friendship"),
        "agreements[0].type",
        ["friendship"],
    ),  # fmt: skip
    (
        "uncertainty_low_above_high",
        _set(("uncertainties", "exploration"), [0.5, 0.1]),
        "uncertainties.exploration",
        ["low"],
    ),  # fmt: skip
]
BROKEN_LINE = "broken = = 1"


def _write_case(tmp_path: Path, case: str, mutate) -> Path:
    if mutate is None:  # invalid TOML syntax, on a known line
        return write(
            tmp_path / f"{case}.toml", TOY.read_text(encoding="utf-8") + BROKEN_LINE + "\n"
        )
    data = toy()
    mutate(data)
    return write(tmp_path / f"{case}.toml", data)


ALL_MALFORMED = [*MALFORMED, ("invalid_toml", None, "", ["TOML", "line"])]


def test_at_least_twelve_kinds_of_malformed_scenario():
    assert len({c[0] for c in ALL_MALFORMED}) == len(ALL_MALFORMED) >= 12


@pytest.mark.parametrize(
    "case,mutate,key,fragments", ALL_MALFORMED, ids=[c[0] for c in ALL_MALFORMED]
)
def test_malformed_scenario(tmp_path, case, mutate, key, fragments):
    f = _write_case(tmp_path, case, mutate)
    with pytest.raises(ScenarioError) as ei:
        load_scenario(f)
    err = ei.value
    msg = str(err)
    assert one_line(msg), msg
    assert f.name in msg and msg.startswith(str(f))
    assert err.key == key, msg
    assert key in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)
    if mutate is None:
        lineno = TOY.read_text(encoding="utf-8").count("\n") + 1
        assert f"line {lineno}" in msg
    # the same data, unmutated, is fine: the error is the mutation's
    if mutate is not None:
        validate(toy(), f)


# ---------------------------------------------------------------------- 3b. the CLI
@pytest.fixture
def xborder():
    assert XBORDER.exists(), f"{XBORDER} missing: reinstall the package (pip install -e .)"
    return XBORDER


def _run_cli(exe: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_cli_describe_accepts_the_toy(xborder):
    proc = _run_cli(xborder, "describe", "toy_corridor")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


CLI_CASES = [
    "detection_above_1",
    "unknown_top_key",
    "leg_without_cost",
    "market_unreachable",
    "invalid_toml",
]


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_describe_reports_a_malformed_scenario(tmp_path, xborder, case):
    _, mutate, key, _ = next(c for c in ALL_MALFORMED if c[0] == case)
    f = _write_case(tmp_path, case, mutate)
    proc = _run_cli(xborder, "describe", str(f))
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert f.name in lines[0] and key in lines[0]


def test_cli_describe_reports_a_bad_override(xborder):
    proc = _run_cli(xborder, "describe", "toy_corridor", "--set", "exploration=2.0")
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "exploration" in lines[0], proc.stderr


# ----------------------------------------------------------- known bugs, one by one
@pytest.mark.parametrize("where", ["agreements", "policies"])
def test_unhashable_type_is_a_scenario_error(where):
    d = toy()
    d[where] = [{"type": ["surge"], "state": "MID"}]
    with pytest.raises(ScenarioError, match=rf"{where}\[0\]\.type"):
        validate(d, "x.toml")


@pytest.mark.parametrize(
    "path", [("params", "exploration"), (*MID, "capacity"), ("uncertainties", "exploration")]
)
def test_huge_int_is_a_scenario_error(path):
    d = toy()
    _set(path, 10**400 if path[0] != "uncertainties" else [0, 10**400])(d)
    with pytest.raises(ScenarioError):
        validate(d, "x.toml")


def test_huge_int_in_a_file_is_a_scenario_error(tmp_path):
    f = write(
        tmp_path / "huge.toml",
        TOY.read_text().replace("detection = 0.01", "detection = " + "9" * 400, 1),
    )
    with pytest.raises(ScenarioError, match="detection"):
        load_scenario(f)


@pytest.mark.parametrize(
    "sets",
    [
        ["params=1", "exploration=0.3"],
        ["params=[1]", "params.k_paths=2"],
        ["states=1", "states.MID.capacity=3"],
    ],
)
def test_override_into_a_replaced_container(sets):
    with pytest.raises(ScenarioError):
        load_scenario("toy_corridor", overrides=sets)


@pytest.mark.parametrize("case", ["override_key", "override_no_equals", "state_id", "table_key"])
def test_error_message_stays_one_line_with_newlines_in_keys(case):
    d = toy()
    with pytest.raises(ScenarioError) as ei:
        if case == "override_key":
            apply_overrides(d, ["no\nsuch=1"], "x.toml")
        elif case == "override_no_equals":
            apply_overrides(d, ["no\nsuch"], "x.toml")
        elif case == "state_id":
            state(d, "MID").update(id="M\nID", capacity=-1)
            validate(d, "x.toml")
        else:
            state(d, "MID")["capa\ncity"] = 1
            validate(d, "x.toml")
    assert one_line(str(ei.value)), str(ei.value)


# ------------------------------------------------------------ 4. property-based tests
def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


# The toy plus one of every policy and agreement type, so that every table kind is hit.
FUZZ_BASE = toy()
FUZZ_BASE["params"]["k_paths"] = 3
FUZZ_BASE["policies"] = [
    {"type": "surge", "state": "MID", "factor": 2.0, "start": 10, "end": 20, "label": "s"},
    {"type": "capacity_building", "state": "WES", "capacity": 1.5, "ramp_weeks": 10, "cost": 1e6},
]
FUZZ_BASE["agreements"] += [
    {"type": "mlat", "between": ["MID", "NOR"], "mlat_median_weeks": 30.0, "success": 0.5},
    {"type": "database", "name": "db", "members": ["MID", "WES"], "lag": 2, "coverage": 0.5},
    {"type": "jit", "states": ["MID", "NOR"]},
]
FUZZ_PATHS = list(_paths(FUZZ_BASE))
_KNOWN_KEYS = sorted(
    set(S.SCHEMA_TOP) | set(S.SCHEMA_STATE) | set(S.SCHEMA_LOCATION) | set(S.SCHEMA_LEG)
    | set(S.SCHEMA_ORG) | set(P.PARAMS) | {"type", "between", "members", "state", "factor", "end"}
)  # fmt: skip
_IDS = ["MID", "NOR", LOC1, MARKET, "surge", "mlat", "jit", "hub", "sea", ""]

scalars = st.one_of(
    st.integers(),
    st.sampled_from([0, 1, -1, 2**63, 10**309, -(10**309)]),  # incl. ints too big for a float
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1.0, 0.5, 1.5, math.nan, math.inf, -math.inf]),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(_IDS),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(_KNOWN_KEYS), st.text(max_size=8)), inner, max_size=4
        ),
    ),
    max_leaves=10,
)
mutations = st.lists(
    st.tuples(
        st.sampled_from(FUZZ_PATHS),
        st.sampled_from(["set", "set", "set", "del", "add"]),
        values,
        st.one_of(st.sampled_from(_KNOWN_KEYS), st.text(max_size=8)),
    ),
    min_size=1,
    max_size=3,
)

_MISSING = object()


def _walk(node, path):
    for p in path:
        if isinstance(node, dict) and p in node:
            node = node[p]
        elif isinstance(node, list) and isinstance(p, int) and p < len(node):
            node = node[p]
        else:
            return _MISSING
    return node


def _mutate(data: dict, path: tuple, op: str, value, key: str) -> None:
    """Apply one mutation; silently skip paths an earlier mutation removed."""
    if op == "add" or not path:
        target = _walk(data, path)
        if isinstance(target, dict):
            target[key] = value
        elif isinstance(target, list):
            target.append(value)
        return
    parent = _walk(data, path[:-1])
    last = path[-1]
    if isinstance(parent, dict) and isinstance(last, str) and (op == "set" or last in parent):
        if op == "set":
            parent[last] = value
        else:
            del parent[last]
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        if op == "set":
            parent[last] = value
        else:
            del parent[last]


def test_fuzz_base_is_valid_and_mutations_apply():
    validate(copy.deepcopy(FUZZ_BASE), "x.toml")  # else every fuzz case would trivially fail
    d = copy.deepcopy(FUZZ_BASE)
    _mutate(d, ("states", 1, "capacity"), "set", -3, "")
    _mutate(d, ("legs", 0), "del", None, "")
    _mutate(d, ("params",), "add", 7, "new")
    assert d["states"][1]["capacity"] == -3
    assert d["legs"] == FUZZ_BASE["legs"][1:]
    assert d["params"]["new"] == 7


@settings(max_examples=200, deadline=None, report_multiple_bugs=False)
@given(muts=mutations)
@example(muts=[(("agreements", 0, "type"), "set", ["extradition"], "")])
@example(muts=[(("params", "exploration"), "set", 10**400, "")])
def test_validate_raises_only_scenario_error_on_mutated_toy(muts):
    data = copy.deepcopy(FUZZ_BASE)
    for m in muts:
        _mutate(data, *m)
    try:
        validate(data, "x.toml")
    except ScenarioError as e:
        assert str(e).startswith("x.toml: ")
        assert one_line(str(e)), str(e)


_OVERRIDE_KEYS = [
    *P.PARAMS, *S.SCHEMA_TOP, "params.k_paths", "params.nope", "states.MID.capacity",
    "states.XXX.capacity", "states.MID.detection", "organisations.red.loss_tolerance",
    "organizations.red.loss_tolerance",
    f"locations.{LOC1}.kind", "states.MID", "a.b.c.d", "legs.0.cost", "", " ",
]  # fmt: skip
_OVERRIDE_VALUES = [
    "0", "-1", "0.5", "1.5", "nan", "inf", "-inf", "true", "[1, 2]", '["MID"]', "{a = 1}",
    '"MID"', "'x'", "1979-05-27", "07:32:00", "9" * 400, "[]", "{}", "", "=", "[[", "1\nx = 2",
]  # fmt: skip
overrides = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.builds(
            lambda k, sep, v: f"{k}{sep}{v}",
            st.one_of(st.sampled_from(_OVERRIDE_KEYS), st.text(max_size=12)),
            st.sampled_from(["=", " = ", "=="]),
            st.one_of(
                st.sampled_from(_OVERRIDE_VALUES),
                st.text(max_size=12),
                st.integers().map(str),
                st.floats().map(repr),
            ),
        ),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=200, deadline=None, report_multiple_bugs=False)
@given(sets=overrides)
@example(sets=["params=1", "exploration=0.3"])
@example(sets=["exploration=" + "9" * 400])
def test_overrides_raise_only_scenario_error(sets):
    data = toy()
    try:
        apply_overrides(data, sets, "x.toml")
        validate(data, "x.toml")
    except ScenarioError as e:
        assert str(e).startswith("x.toml: ")
        assert one_line(str(e)), str(e)


# ------------------------------------------------------------------ candidate policies
def test_candidates_are_validated_but_not_applied():
    sc = load_scenario("toy_corridor")
    assert set(sc.candidates) == {"mlat_MKT_NOR", "surge_MID"}
    assert not any(p.get("label") == "mlat_MKT_NOR" for p in sc.data.get("policies", []))
    on = sc.with_candidates(["mlat_MKT_NOR"])
    assert on.name == "toy_corridor+mlat_MKT_NOR"
    assert [p["type"] for p in on.data["policies"]][-1] == "add_mlat"
    assert "policies" not in sc.data or len(sc.data["policies"]) == len(on.data["policies"]) - 1


def test_unknown_candidate_label_is_a_scenario_error():
    sc = load_scenario("toy_corridor")
    with pytest.raises(ScenarioError, match="no candidate 'nope'"):
        sc.with_candidates(["nope"])


@pytest.mark.parametrize(
    "cand, key",
    [
        ({"type": "add_mlat", "between": ["MKT", "NOR"]}, "candidates[0].label"),
        ({"type": "add_mlat", "between": ["MKT", "ZZZ"], "label": "x"}, "candidates[0].between"),
        ({"type": "warp", "label": "x"}, "candidates[0].type"),
    ],
)
def test_malformed_candidate(tmp_path, cand, key):
    data = copy.deepcopy(load_scenario("toy_corridor").data)
    data["candidates"] = [cand]
    with pytest.raises(ScenarioError) as e:
        validate(data, tmp_path / "x.toml")
    assert e.value.key == key, str(e.value)


def test_duplicate_candidate_labels(tmp_path):
    data = copy.deepcopy(load_scenario("toy_corridor").data)
    data["candidates"] = [data["candidates"][0], data["candidates"][0]]
    with pytest.raises(ScenarioError, match="used twice"):
        validate(data, tmp_path / "x.toml")
