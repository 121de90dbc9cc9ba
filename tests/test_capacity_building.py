"""Capacity building as a process: ramp-up, decay after funding, diminishing returns.

Most tests call the policy phase (``policies.apply``) on a toy model at chosen weeks,
which is fast and isolates the multipliers; one runs the toy model to check the cost
stops at ``end`` while the effect lingers.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.model import TraffickingModel
from sim.policies import BUILD_TARGETS, CapacityBuilding, apply, from_dict
from sim.policy_checks import check_policies
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario import validate as validate_scenario

SHIPPED_WITH_PROGRAMMES = (
    "balkan_route_heroin",
    "central_america_cocaine",
    "mekong_synthetic_drugs",
    "us_mexico_firearms",
    "western_balkans_firearms",
)


@pytest.fixture(scope="module")
def model():
    return TraffickingModel(load_scenario("toy_corridor"), seed=0, ticks=60)


def mults(model, policies, t):
    """This week's multipliers (field -> (S,) copy) after the policy phase at week ``t``."""
    apply([from_dict(p) for p in policies], model, t)
    enf = model.enforcement
    return {f: getattr(enf, name).copy() for f, name in BUILD_TARGETS.items()}


def mid(model):
    return model.world.state_index["MID"]


def test_ramp_is_linear_and_reaches_the_target(model):
    cb = {"type": "capacity_building", "state": "MID", "capacity": 3.0, "detection": 1.5}
    cb |= {"ramp_weeks": 10, "start": 5}
    s = mid(model)
    assert mults(model, [cb], 4)["capacity"][s] == 1.0  # before start
    assert mults(model, [cb], 5)["capacity"][s] == pytest.approx(1.2)  # 1/10 of the way
    for t in range(5, 16):  # a lone programme: bit for bit the former linear ramp
        frac = min(1.0, (t - 5 + 1) / 10)
        assert mults(model, [cb], t)["capacity"][s] == 1.0 + (3.0 - 1.0) * frac
    assert mults(model, [cb], 9)["detection"][s] == pytest.approx(1.25)  # half way
    at_full = mults(model, [cb], 14)
    assert at_full["capacity"][s] == pytest.approx(3.0)
    assert at_full["detection"][s] == pytest.approx(1.5)
    assert mults(model, [cb], 59)["capacity"][s] == pytest.approx(3.0)  # stays there


def test_gain_halves_every_decay_weeks_after_end(model):
    cb = {"type": "capacity_building", "state": "MID", "capacity": 3.0, "courts": 1.4}
    cb |= {"ramp_weeks": 10, "start": 0, "end": 30, "decay_weeks": 20}
    s = mid(model)
    last_funded = mults(model, [cb], 29)
    assert last_funded["capacity"][s] == pytest.approx(3.0)
    for halves, t in ((1, 49), (2, 69), (3, 89)):
        m = mults(model, [cb], t)
        assert m["capacity"][s] - 1 == pytest.approx(2.0 * 0.5**halves)
        assert m["courts"][s] - 1 == pytest.approx(0.4 * 0.5**halves)
    gains = [mults(model, [cb], t)["capacity"][s] for t in range(29, 60)]
    assert all(np.diff(gains) < 0)  # decays every week, from the first unfunded one


def test_decay_starts_from_what_was_built_when_funding_stops_mid_ramp(model):
    cb = {"type": "capacity_building", "state": "MID", "capacity": 3.0, "ramp_weeks": 10}
    cb |= {"start": 0, "end": 5, "decay_weeks": 8}
    s = mid(model)
    assert mults(model, [cb], 4)["capacity"][s] == pytest.approx(2.0)  # 5 of 10 weeks
    assert mults(model, [cb], 12)["capacity"][s] == pytest.approx(1.5)  # one half-life on


def test_no_end_never_decays_and_zero_decay_stops_at_end(model):
    s = mid(model)
    forever = {"type": "capacity_building", "state": "MID", "integrity": 1.2, "ramp_weeks": 4}
    assert mults(model, [forever], 10_000)["integrity"][s] == pytest.approx(1.2)
    abrupt = dict(forever, end=20, decay_weeks=0)
    assert mults(model, [abrupt], 19)["integrity"][s] == pytest.approx(1.2)
    assert mults(model, [abrupt], 20)["integrity"][s] == 1.0
    pol = from_dict(abrupt)
    assert not pol.in_effect(20) and pol.in_effect(19)
    lingering = from_dict(dict(abrupt, decay_weeks=52))
    assert lingering.in_effect(200) and not lingering.active(200)


def test_stacked_programmes_have_diminishing_returns(model):
    s = mid(model)
    one = {"type": "capacity_building", "state": "MID", "capacity": 2.0, "ramp_weeks": 1}
    single = mults(model, [one], 10)["capacity"][s]
    double = mults(model, [one, dict(one)], 10)["capacity"][s]
    assert single == pytest.approx(2.0)
    assert double == pytest.approx(1.0 + 2**0.5)  # gain x 1.41, not x 2 (nor 2 x 2 = 4)
    assert single < double < 3.0
    # the combined gain does not depend on the order the programmes act in
    big = dict(one, capacity=4.0)
    ab = mults(model, [one, big], 10)["capacity"][s]
    ba = mults(model, [big, one], 10)["capacity"][s]
    assert ab == pytest.approx(ba) == pytest.approx(1.0 + np.hypot(1.0, 3.0))
    # programmes on other targets or other states do not compete
    det = dict(one, capacity=1.0, detection=2.0)
    wes = dict(one, state="WES")
    apart = mults(model, [one, det, wes], 10)
    assert apart["capacity"][s] == pytest.approx(2.0)
    assert apart["detection"][s] == pytest.approx(2.0)
    assert apart["capacity"][model.world.state_index["WES"]] == pytest.approx(2.0)
    # a surge still multiplies on top
    surge = {"type": "surge", "state": "MID", "factor": 2.0}
    assert mults(model, [one, dict(one), surge], 10)["capacity"][s] == pytest.approx(2 * double)


def test_justice_targets_set_their_multiplier_on_their_state_only(model):
    cb = {"type": "capacity_building", "state": "EAS", "ramp_weeks": 1}
    cb |= {"investigators": 1.5, "courts": 1.2, "central_authority": 2.0}
    m = mults(model, [cb], 3)
    s = model.world.state_index["EAS"]
    others = np.arange(model.world.n_states) != s
    enf = model.enforcement
    assert enf.investigators_mult[s] == pytest.approx(1.5)
    assert enf.courts_mult[s] == pytest.approx(1.2)
    assert enf.authority_mult[s] == pytest.approx(2.0)
    for f in ("investigators", "courts", "central_authority"):
        assert (m[f][others] == 1.0).all(), f
    for f in ("capacity", "detection", "integrity"):
        assert (m[f] == 1.0).all(), f  # untouched targets stay at 1


def test_effect_lingers_after_end_but_cost_stops_in_a_run():
    sc = load_scenario("toy_corridor")
    data = copy.deepcopy(sc.data)
    cb = {"type": "capacity_building", "state": "MID", "capacity": 3.0, "ramp_weeks": 5}
    data["policies"] = [cb | {"start": 0, "end": 10, "decay_weeks": 10, "cost": 5.2e6}]
    m = TraffickingModel(Scenario("cb", sc.path, data), seed=1, ticks=30)
    caps = []
    for _ in range(30):
        m.step()
        caps.append(m.enforcement.capacity[mid(m)])
    base = m.world.capacity[mid(m)]
    assert caps[9] == pytest.approx(3.0 * base)
    assert caps[19] == pytest.approx(2.0 * base)  # one half-life after the last funded week
    assert caps[29] == pytest.approx(1.5 * base)
    cost = m.series["policy_cost"]
    assert (cost[:10] > 0).all() and (cost[10:30] == 0).all()


def test_old_programmes_keep_their_meaning():
    """A shipped candidate (old fields, no end) gives the old linear ramp exactly."""
    for name in SHIPPED_WITH_PROGRAMMES:
        sc = load_scenario(name)  # validates the candidates with the new schema
        (d,) = [c for c in sc.data["candidates"] if c["type"] == "capacity_building"]
        pol = from_dict(d)
        assert isinstance(pol, CapacityBuilding)
        assert (pol.investigators, pol.courts, pol.central_authority) == (1.0, 1.0, 1.0)
        assert pol.decay_weeks == 104.0 and pol.end is None
        for t in (pol.start - 1, pol.start, pol.start + 20, pol.start + 51, pol.start + 500):
            frac = min(1.0, max(t - pol.start + 1, 0) / pol.ramp_weeks)
            assert pol.progress(t) == pytest.approx(frac), (name, t)
        assert from_dict(pol.to_dict()) == pol


def test_new_fields_are_validated_and_checked(tmp_path):
    toy = load_scenario("toy_corridor")
    base = {"type": "capacity_building", "state": "MID"}

    def scenario(**fields):
        data = copy.deepcopy(toy.data)
        data["policies"] = [base | fields]
        return data

    validate_scenario(scenario(courts=1.3, decay_weeks=0), "x.toml")
    for bad in ({"decay_weeks": -1}, {"courts": 0}, {"central_authority": "x"}, {"judges": 2}):
        with pytest.raises(ScenarioError):
            validate_scenario(scenario(**bad), "x.toml")
    # a programme only on the justice side is not flagged as changing nothing
    only_courts = Scenario("c", toy.path, scenario(courts=1.3))
    assert check_policies(only_courts, ticks=60) == []
    nothing = check_policies(Scenario("n", toy.path, scenario()), ticks=60)
    assert len(nothing) == 1 and "courts" in nothing[0].reason
