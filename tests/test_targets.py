"""[targets] in scenario files: validation (one-line errors, exit 2) and what a target measures."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.resources import shipped
from sim.scenario import ScenarioError, load_scenario
from sim.targets import parse_targets, target_value

runner = CliRunner()
TOY = shipped("scenarios") / "toy_corridor.toml"


def scenario_with(tmp_path, targets: str, extra: str = "") -> str:
    path = tmp_path / "with_targets.toml"
    path.write_text(f'extends = "{TOY}"\nname = "with_targets"\n{extra}\n{targets}\n')
    return str(path)


GOOD = """
[targets.interdiction_rate]
value = 0.12
sd = 0.02
source = "planted"

[targets.seized_nor]
metric = "seized"
state = "NOR"
years = [1, 2]
value = 100.0
sd = 20.0
source = "planted"

[targets.latency]
metric = "request_latency_median"
channel = "letters_rogatory"
value = 60
sd = 10
source = "planted"

[targets.delivered_median]
metric = "delivered"
stat = "median"
weeks = [52, 104]
value = 1500
sd = 100
source = "planted"
"""


def test_valid_targets_are_parsed_with_their_windows(tmp_path):
    sc = load_scenario(scenario_with(tmp_path, GOOD))
    ts = {t.name: t for t in parse_targets(sc.data)}
    assert list(ts) == ["interdiction_rate", "seized_nor", "latency", "delivered_median"]
    assert ts["interdiction_rate"].metric == "interdiction_rate"
    assert ts["interdiction_rate"].window(52, 260) == (52, 260)
    assert (ts["seized_nor"].start, ts["seized_nor"].end, ts["seized_nor"].state) == (
        52,
        104,
        "NOR",
    )
    assert ts["latency"].channel == "letters_rogatory"
    assert ts["delivered_median"].stat == "median"


@pytest.mark.parametrize(
    ("body", "key", "needle"),
    [
        ('[targets.interdiction_rate]\nvalue = 0.2\nsource = "x"', "sd", "missing required"),
        ('[targets.x]\nvalue = 0.2\nsd = 0.1\nsource = "x"', "targets.x", "unknown metric 'x'"),
        ('[targets.seized]\nvalue = 1\nsd = 0\nsource = "x"', "targets.seized.sd", "> 0"),
        ('[targets.seized]\nvalue = "a"\nsd = 1\nsource = "x"', "seized.value", "number"),
        ('[targets.seized]\nvalue = 1\nsd = 1\nsource = "x"\nstate = "ATL"', "state", "unknown"),
        (
            '[targets.route_entropy]\nvalue = 1\nsd = 1\nsource = "x"\nstate = "NOR"',
            "route_entropy.state",
            "not measured by state",
        ),
        ('[targets.seized]\nvalue = 1\nsd = 1\nsource = "x"\nweeks = [60, 52]', "weeks", "before"),
        ('[targets.seized]\nvalue = 1\nsd = 1\nsource = "x"\nyears = [1, 9]', "years", "horizon"),
        (
            '[targets.seized]\nvalue = 1\nsd = 1\nsource = "x"\nweeks = [52, 60]\nyears = [1, 2]',
            "targets.seized",
            "once",
        ),
        (
            '[targets.request_latency_median]\nvalue = 1\nsd = 1\nsource = "x"\nchannel = "fax"',
            "channel",
            "unknown channel",
        ),
        (
            '[targets.extradition_weeks]\nvalue = 1\nsd = 1\nsource = "x"\nstat = "median"',
            "stat",
            "only stat = window",
        ),
        ('[targets.seized]\nvalue = 1\nsd = 1\nsource = "x"\nsorce = "y"', "sorce", "unknown key"),
        ("targets = 3", "targets", "expected a table"),
    ],
)
def test_malformed_targets_are_one_line_errors_naming_file_and_key(tmp_path, body, key, needle):
    path = scenario_with(tmp_path, body)
    with pytest.raises(ScenarioError) as ei:
        load_scenario(path)
    msg = str(ei.value)
    assert msg.startswith(path) and key in ei.value.key + msg and needle in msg
    assert "\n" not in msg
    r = runner.invoke(app, ["describe", path])
    assert r.exit_code == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_calibrate_refuses_a_window_beyond_ticks_and_a_scenario_without_targets(tmp_path):
    r = runner.invoke(app, ["calibrate", str(TOY), "--workers", "1"])
    assert r.exit_code == 2 and "targets" in r.stderr and "toy_corridor.toml" in r.stderr
    path = scenario_with(tmp_path, GOOD)
    r = runner.invoke(app, ["calibrate", path, "--ticks", "80", "--workers", "1"])
    assert r.exit_code == 2 and "targets.seized_nor" in r.stderr and "80 weeks" in r.stderr


def test_targets_measure_what_they_say(tmp_path):
    from sim.model import TraffickingModel

    sc = load_scenario(scenario_with(tmp_path, GOOD))
    m = TraffickingModel(sc, seed=3, ticks=156).run()
    s = m.summary()
    ts = {t.name: t for t in parse_targets(sc.data)}
    # the default window and stat reproduce the run summary
    assert target_value(m, ts["interdiction_rate"]) == pytest.approx(s["interdiction_rate"])
    # by state: the seizures in one state over year 2, from the per-state record
    nor = sc.data["states"].index(next(x for x in sc.data["states"] if x["id"] == "NOR"))
    expect = m.state_seized[52:104, nor].mean()
    assert target_value(m, ts["seized_nor"]) == pytest.approx(expect) and expect > 0
    # weekly median over weeks 52-103
    expect = np.median(m.series["delivered"][52:104])
    assert target_value(m, ts["delivered_median"]) == pytest.approx(expect)
    # one channel: the median of the letters rogatory answered after the burn-in
    r = m.request_table()
    keep = (r["answered"] >= 52) & (r["channel"] == 4) & (r["outcome"] != 3)
    assert keep.any()
    expect = np.median((r["answered"] - r["sent"])[keep])
    assert target_value(m, ts["latency"]) == pytest.approx(expect)


def test_targets_merge_across_extends(tmp_path):
    base = scenario_with(tmp_path, GOOD)
    child = tmp_path / "child.toml"
    child.write_text(
        f'extends = "{base}"\nname = "child"\n[targets.interdiction_rate]\n'
        'value = 0.3\nsd = 0.05\nsource = "child"\n'
    )
    ts = {t.name: t for t in parse_targets(load_scenario(child).data)}
    assert ts["interdiction_rate"].value == 0.3 and "seized_nor" in ts
