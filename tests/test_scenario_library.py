"""The shipped scenario library: every scenario loads, runs, is mapped and offers working levers.

Each shipped file (``sim.scenario.list_scenarios``) must load, run a few weeks with exact
conservation, give every location coordinates for the corridor map, and switch its candidate
policies on without breaking. The CLI must list it and describe it. Calibration (VALIDATION V6) is
checked by ``xborder validate``, not here.
"""

import copy

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.model import TraffickingModel
from sim.scenario import Scenario, list_scenarios, load_scenario

SHIPPED = list_scenarios()
NAMES = [name for name, _, _ in SHIPPED]
#: shipped alternatives: a region plus policies, for `xborder compare` (not status quos)
ALTERNATIVES = {"central_america_gtm_mex_surrender": "central_america_cocaine"}
REAL = [n for n in NAMES if not n.startswith("toy") and n not in ALTERNATIVES]
TICKS = 30
runner = CliRunner()


def _load(name: str) -> Scenario:
    return load_scenario(dict((n, p) for n, _, p in SHIPPED)[name])


def test_library_has_the_five_regions():
    for region in (
        "central_america_cocaine",
        "balkan_route_heroin",
        "mekong_synthetic_drugs",
        "us_mexico_firearms",
        "western_balkans_firearms",
    ):
        assert region in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_loads_and_runs_with_exact_conservation(name):
    sc = _load(name)
    assert sc.name == name
    m = TraffickingModel(sc, seed=1, ticks=TICKS)
    for _ in range(TICKS):
        m.step()
        assert m.conserved
    assert m.total_produced > 0
    assert m.total_delivered > 0, "nothing reached a market in 30 weeks"
    assert m.total_seized > 0, "no agency seized anything in 30 weeks"


@pytest.mark.parametrize("name", NAMES)
def test_every_location_has_coordinates(name):
    for loc in _load(name).data["locations"]:
        assert isinstance(loc.get("lat"), float | int), f"{loc['id']} has no lat"
        assert isinstance(loc.get("lon"), float | int), f"{loc['id']} has no lon"
        assert -90 <= loc["lat"] <= 90 and -180 <= loc["lon"] <= 180, loc["id"]


@pytest.mark.parametrize("name", REAL)
def test_real_regions_offer_candidate_levers(name):
    sc = _load(name)
    assert 4 <= len(sc.candidates) <= 8
    assert not sc.data.get("policies"), "a shipped region is the status quo: no policy applied"
    for label, cand in sc.candidates.items():
        assert cand.get("cost", 0) > 0, f"{label}: candidates carry a cost"
        on = sc.with_candidates([label])
        assert on.data["policies"][-1] == cand
        assert on.data["policies"][-1]["label"] == label


def test_central_america_has_the_portfolio_labels():
    labels = set(_load("central_america_cocaine").candidates)
    assert labels == {"mlat", "database", "harmonize", "joint_team", "extradition", "capacity"}


@pytest.mark.parametrize("name", [n for n in NAMES if _load(n).candidates])
def test_all_candidates_switched_on_still_run(name):
    # every candidate at once, moved to tick 5 so a short run sees them all act
    sc = _load(name)
    data = copy.deepcopy(sc.with_candidates(list(sc.candidates)).data)
    for pol in data["policies"]:
        pol["start"] = 5
        pol.pop("end", None)
    on = Scenario(f"{name}+all", sc.path, data)
    m = TraffickingModel(on, seed=2, ticks=TICKS).run()
    assert m.conserved
    expected = sum(pol.get("cost", 0.0) for pol in data["policies"])
    assert expected >= sum(c["cost"] for c in sc.candidates.values() if "cost" in c) > 0
    assert m.series["policy_cost"][4] == 0.0
    assert m.series["policy_cost"][TICKS - 1] == pytest.approx(expected)


def _state_offence(m, state: str, offence: str) -> bool:
    w = m.world
    return bool(m.legal.laws[w.state_index[state], w.offence_index[offence]])


@pytest.mark.parametrize(
    ("name", "state", "offence", "org"),
    [
        ("western_balkans_firearms", "SVK", "deactivated_reactivation", "reactivators"),
        ("us_mexico_firearms_pre2022", "USA", "firearms_trafficking", "northeast"),
    ],
)
def test_harmonize_candidate_closes_the_scenarios_legal_gap(name, state, offence, org):
    sc = _load(name)
    base = TraffickingModel(sc, seed=0, ticks=TICKS)
    w = base.world
    spec = next(o for o in w.orgs if o["id"] == org)
    assert spec["offence"] == offence  # the organisation is prosecuted under the missing offence
    assert not _state_offence(base, state, offence)
    on = sc.with_candidates(["harmonize"])
    start = on.candidates["harmonize"]["start"]
    m = TraffickingModel(on, seed=0, ticks=start + 2)
    for _ in range(start + 1):
        m.step()
    assert _state_offence(m, state, offence)


def test_cli_lists_every_shipped_scenario_with_its_description():
    r = runner.invoke(app, ["scenarios"])
    assert r.exit_code == 0, r.output
    for name, desc, _ in SHIPPED:
        assert name in r.stdout
        assert desc and "\n" not in desc
        assert " ".join(desc.split()[:3]) in r.stdout, f"{name}: description not listed"


@pytest.mark.parametrize("name", REAL)
def test_cli_describe_prints_the_agreement_matrix(name):
    r = runner.invoke(app, ["describe", name])
    assert r.exit_code == 0, r.output
    assert "Agreements in force" in r.stdout
    states = [s["id"] for s in _load(name).data["states"]]
    matrix = r.stdout.split("Agreements in force", 1)[1].split("Law overlap", 1)[0]
    rows = [line for line in matrix.splitlines() if any(f" {s} " in line for s in states)]
    assert len(rows) >= len(states)  # a header plus one row per state
    assert "D" in matrix  # every region shares at least one database (INTERPOL)


@pytest.mark.parametrize("name", sorted(ALTERNATIVES))
def test_alternatives_are_a_region_plus_policies(name):
    """A shipped alternative is its region with policies added, nothing else changed."""
    alt, region = _load(name), _load(ALTERNATIVES[name])
    assert alt.data.get("policies") and not region.data.get("policies")
    for key in ("states", "locations", "legs", "organisations", "agreements", "params"):
        assert alt.data.get(key) == region.data.get(key), key


@pytest.mark.parametrize("name", NAMES)
def test_stock_stays_small_and_no_week_delivers_a_burst(name):
    """Issue 12: goods do not pile up at the sources and leave in one week.

    Over the weeks after burn-in the mean stock waiting at the sources is at most 4
    weeks of mean production, and no week delivers more than twice it.
    """
    sc = _load(name)
    m = TraffickingModel(sc, seed=3).run()
    b = m.burn_in
    production = m.series["produced"][b:].mean()
    assert production > 0
    assert m.series["stock"][b:].mean() <= 4 * production
    assert m.series["delivered"][b:].max() <= 2 * production


def test_central_america_delivered_varies_little_across_replicates():
    """Issue 12: delivered is a flow, not inventory timing: CV across 8 replicates <= 2%."""
    sc = _load("central_america_cocaine")
    means = []
    for seed in range(8):
        m = TraffickingModel(sc, seed=seed).run()
        means.append(m.series["delivered"][m.burn_in :].mean())
    cv = np.std(means, ddof=1) / np.mean(means)
    assert cv <= 0.02, cv


@pytest.mark.parametrize("name", ["us_mexico_firearms", "western_balkans_firearms"])
def test_firearms_networks_keep_delivering_on_default_broker_parameters(name):
    """Issue 12: no absorbing death; the firearms networks run on the model defaults."""
    sc = _load(name)
    assert "brokers_per_state" not in sc.data.get("params", {})
    assert "recruit_weeks_broker" not in sc.data.get("params", {})
    m = TraffickingModel(sc, seed=2).run()
    assert (m.series["delivered"][10:] > 0).all()
