"""``--show``: the main figure opens in the system viewer when a display is there,
else a compact ASCII chart of the main result is drawn on stderr (<= 80 columns)."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app, show

ROOT = Path(__file__).resolve().parents[1]
SURGE = str(ROOT / "scenarios" / "toy_surge.toml")
runner = CliRunner()
RUN = ["run", "toy_corridor", "-r", "2", "--ticks", "120", "--workers", "1"]
COMPARE = ["compare", "toy_corridor", SURGE, "-r", "2", "--ticks", "120", "--workers", "1"]
SENSITIVITY = [
    "sensitivity",
    "toy_corridor",
    "--method",
    "morris",
    "-N",
    "2",
    "-r",
    "1",
    "--ticks",
    "60",
    "--param",
    "exploration=0.1:0.3",
    "--param",
    "route_logit=3:9",
    "--workers",
    "1",
]


@pytest.fixture
def no_display(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(show.sys, "platform", "linux")


def fits(text: str) -> None:
    assert text.isascii()
    assert all(len(line) <= 80 for line in text.splitlines())


def test_run_show_without_display_draws_the_weekly_series(no_display):
    r = runner.invoke(app, [*RUN, "--show"])
    assert r.exit_code == 0, r.output
    assert "delivered: weekly mean over 2 replicates" in r.stderr
    assert "kg/week |" in r.stderr
    assert "week 0" in r.stderr and "week 119" in r.stderr
    assert "opened:" not in r.stderr
    fits(r.stderr)
    chart = [line for line in r.stderr.splitlines() if " |" in line]
    assert 3 <= len(chart) <= 10 and all(len(line) <= 72 for line in chart)


def test_compare_show_draws_each_main_metric_on_a_zero_centred_axis(no_display):
    r = runner.invoke(app, [*COMPARE, "--show"])
    assert r.exit_code == 0, r.output
    assert "toy_surge vs toy_corridor" in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("delivered ")]
    assert lines and "o" in lines[0] and "kg/week" in lines[0]
    for m in ("delivered", "seized", "interdiction_rate"):
        assert any(line.startswith(m) for line in r.stderr.splitlines())
    fits(r.stderr)


def test_sensitivity_show_draws_bars_of_the_total_index(no_display):
    r = runner.invoke(app, [*SENSITIVITY, "--show"])
    assert r.exit_code == 0, r.output
    assert "delivered: mu_star per parameter (morris)" in r.stderr
    bars = [line for line in r.stderr.splitlines() if line.startswith(("exploration", "route"))]
    assert len(bars) == 2 and any("#" in line for line in bars)
    fits(r.stderr)


def test_show_opens_the_main_figure_when_a_display_is_there(monkeypatch, tmp_path):
    monkeypatch.setattr(show.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(show, "opener_command", lambda: ["true"])
    out = tmp_path / "surge"
    r = runner.invoke(app, [*COMPARE, "--out", str(out), "--show"])
    assert r.exit_code == 0, r.output
    assert f"opened: {out / 'figures' / 'forest.png'}" in r.stderr
    assert "toy_surge vs toy_corridor" not in r.stderr


def test_a_missing_opener_falls_back_to_the_chart(monkeypatch):
    monkeypatch.setattr(show.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(show, "opener_command", lambda: None)
    lines = []
    monkeypatch.setattr(show.typer, "echo", lambda line, err=False: lines.append(line))
    show.present(True, ["figure.png"], lambda: ["chart"])
    assert lines == ["chart"]


def test_interval_bar_marks_zero_interval_and_change():
    bar = show.interval_bar(-1.0, 2.0, 4.0, 4.0, width=21)
    assert bar[10] == "|" and bar.count("o") == 1 and "=" in bar
    assert bar.index("o") > 10 and len(bar) == 21


def test_without_show_nothing_is_drawn(no_display):
    r = runner.invoke(app, RUN)
    assert r.exit_code == 0, r.output
    assert "weekly mean over" not in r.stderr
