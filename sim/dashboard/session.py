"""CorridorViz: one participant's runs, the agreement switches, and what the page shows.

``CorridorViz`` holds the run the participant drives (``main``) and, on the same seed,
its status-quo twin (``base``, shown side by side); both share their luck (common
random numbers) and differ only by the switches. It also keeps a small **noise
ensemble**: the same pair of runs on ``NOISE_SEEDS`` other seeds, with the same
switches, so the narrator can tell an effect from run-to-run noise.

Every run first **warms up** (``warmup`` weeks, the scenario's burn-in by default)
before the story's week 0, so the audience never watches the transient. Until the
first switch a run and its twin are the same run; the twin is copied from it at the
first switch (and rebuilt from the warm-up snapshot when side by side is turned on
later), so a participant pays for the twin only when it differs.

A switch is a plain dict in the scenario's ``[[policies]]`` form, built into a policy
by ``sim.policies.from_dict`` (the CLI's registry) with ``start`` = this week: the
model rebuilds its legal state on the next step. Switching it off sets its ``end``.
A switch that would change nothing (an MLAT the pair already has: :mod:`sim.policy_checks`)
is greyed out in the page; applied anyway, its message says "no effect" and why.
Everything here is plain Python, run in a worker process per participant
(:mod:`sim.dashboard.worker`); :meth:`CorridorViz.view` is the data the page draws.
"""

from __future__ import annotations

import copy
import pickle
import re

import numpy as np

from sim.dashboard.switches import SWITCHES, switch_policy
from sim.model import TraffickingModel
from sim.policy_checks import check_added, check_policies
from sim.scenario import list_scenarios, load_scenario

# The sliders: model parameters (sim/params.py) that matter and are uncertain.
SLIDERS = {
    "exploration": ("exploration", 0.0, 0.6, 0.01),
    "risk_aversion": ("risk aversion", 0.0, 3.0, 0.05),
    "loss_tolerance": ("loss tolerance", 0.01, 0.3, 0.01),
    "mlat_median_weeks": ("MLAT weeks", 4.0, 104.0, 1.0),
}

#: Extra seeds run in the background (both arms) to tell effects from noise.
NOISE_SEEDS = 3


def scenario_names() -> list[str]:
    """Every shipped scenario's name."""
    return [name for name, _, _ in list_scenarios()]


def warm_models(scenario_name: str, overrides: list[str], seeds: list[int], weeks: int):
    """One model per seed, each stepped ``weeks`` weeks (the warm-up)."""
    sc = load_scenario(scenario_name, overrides)
    models = [TraffickingModel(sc, seed=s) for s in seeds]
    for m in models:
        for _ in range(min(weeks, m.ticks)):
            m.step()
    return models


class CorridorViz:
    """A participant's runs: the main run, its status-quo twin, the noise ensemble.

    Args:
        scenario_name: a shipped scenario's name or a scenario file.
        seed: the run seed (the twin uses the same one; the ensemble the next ones).
        side_by_side: show the status quo next to the main run.
        exploration, risk_aversion, loss_tolerance, mlat_median_weeks: parameter
            overrides (None: the scenario's value).
        warmup: weeks simulated before the story's week 0 (None: the scenario's burn-in).
        noise_seeds: extra seeds of the noise ensemble.
        snapshot: a :meth:`snapshot` of the same set-up, to skip the warm-up.
    """

    def __init__(
        self,
        scenario_name: str = "toy_corridor",
        seed: int = 1,
        side_by_side: bool = False,
        exploration: float | None = None,
        risk_aversion: float | None = None,
        loss_tolerance: float | None = None,
        mlat_median_weeks: float | None = None,
        warmup: int | None = None,
        noise_seeds: int = NOISE_SEEDS,
        snapshot: bytes | None = None,
    ):
        values = {
            "exploration": exploration,
            "risk_aversion": risk_aversion,
            "loss_tolerance": loss_tolerance,
            "mlat_median_weeks": mlat_median_weeks,
        }
        self.overrides = [f"{k}={v}" for k, v in values.items() if v is not None]
        self.scenario_name = scenario_name
        self.run_seed = int(seed)
        self.sc = load_scenario(scenario_name, self.overrides)
        self.warmup = int(self.sc.burn_in if warmup is None else warmup)
        self.seeds = [self.run_seed + k for k in range(1 + int(noise_seeds))]
        self._warm = snapshot or pickle.dumps(
            warm_models(scenario_name, self.overrides, self.seeds, self.warmup)
        )
        #: the runs with the switches, one per seed (``runs[0]`` is ``main``)
        self.runs: list[TraffickingModel] = pickle.loads(self._warm)
        #: their status-quo twins, None while a run has no switch (twin == run)
        self.twins: list[TraffickingModel | None] = [None] * len(self.runs)
        self.warmup = int(self.runs[0].tick)  # a short horizon caps the warm-up
        self.side_by_side = bool(side_by_side)
        self.switches: list[dict] = []  # the policy dicts applied, in order
        self.messages: list[str] = [
            f"No effect: {w.line()}" for w in check_policies(self.sc, self.main.ticks)
        ]
        self.running = True

    # ------------------------------------------------------------------ the runs
    @property
    def main(self) -> TraffickingModel:
        """The run that receives the switches."""
        return self.runs[0]

    @property
    def base(self) -> TraffickingModel | None:
        """The status-quo twin in side-by-side mode (the main run itself before a switch)."""
        if not self.side_by_side:
            return None
        return self.twins[0] if self.twins[0] is not None else self.main

    @property
    def tick(self) -> int:
        """Weeks simulated so far, warm-up included."""
        return int(self.main.tick)

    @property
    def week(self) -> int:
        """Weeks of the story so far (after the warm-up)."""
        return self.tick - self.warmup

    @property
    def horizon(self) -> int:
        """Weeks the story can last."""
        return int(self.main.ticks) - self.warmup

    @property
    def markers(self) -> list[tuple[int, str, str]]:
        """(story week, label, "on" or "off") of every switch turned on or off, in order."""
        out = [(int(d["start"]) - self.warmup, d["label"], "on") for d in self.switches]
        out += [
            (int(d["end"]) - self.warmup, d["label"], "off")
            for d in self.switches
            if d.get("end") is not None
        ]
        return sorted(out, key=lambda m: m[0])

    def snapshot(self) -> bytes:
        """The warmed-up runs, pickled (another participant with the same set-up starts here)."""
        return self._warm

    def step(self, n: int = 1) -> None:
        """``n`` weeks of every run (stops at the horizon)."""
        for _ in range(int(n)):
            if self.main.tick >= self.main.ticks:
                break
            for m in self.runs:
                m.step()
            for m in self.twins:
                if m is not None:
                    m.step()
        self.running = self.main.tick < self.main.ticks

    def step_view(self, n: int, metrics=("delivered", "seized", "interdiction_rate")) -> dict:
        """Step ``n`` weeks, then return :meth:`view` (one round trip from the page)."""
        self.step(n)
        return self.view(metrics)

    def panel(self, a: str, b: str) -> dict:
        """The agreement panel for states ``a``, ``b``: what exists, which switches are no-ops."""
        out = {"existing": self.existing(a, b), "no_effect": {}}
        for kind in SWITCHES:
            try:
                why = self.no_effect(kind, a, b)
            except ValueError as e:
                why = [str(e)]
            if why:
                out["no_effect"][kind] = "; ".join(why)
        return out

    def set_side_by_side(self, on: bool) -> None:
        """Show (or hide) the status-quo twin, keeping every switch."""
        self.side_by_side = bool(on)

    # ---------------------------------------------------------------- switches
    def no_effect(self, kind: str, a: str, b: str | None = None) -> list[str]:
        """Why switch ``kind`` on ``a``, ``b`` this week would change nothing (empty: it would).

        Raises:
            ValueError: as :func:`switch_policy`.
        """
        d = self._policy(kind, a, b)
        same = self._same_on(d)
        if same is not None:
            return [f"{same['label']} is already on (since week {same['start'] - self.warmup})"]
        live = self.live_switches()
        why = check_added(self.sc, [*live, d], self.main.ticks)
        named = [*self.sc.data.get("policies", []), *live]  # "policies[k]": the k-th of these

        def name(m: re.Match) -> str:
            k = int(m.group(1))
            return named[k].get("label", m.group(0)) if k < len(named) else m.group(0)

        return [re.sub(r"policies\[(\d+)\]", name, w) for w in why]

    def _policy(self, kind: str, a: str, b: str | None) -> dict:
        return switch_policy(self.main, kind, a, b, list(self.sc.candidates.values()))

    def _same_on(self, d: dict) -> dict | None:
        """A switch still on that is ``d`` again (the same kind on the same states, any order)."""

        def key(x: dict) -> tuple:
            states = x.get("between") or x.get("states") or [x.get("state")]
            return x["type"], x.get("name"), frozenset(states)

        return next((s for s in self.live_switches() if key(s) == key(d)), None)

    def live_switches(self) -> list[dict]:
        """The switches still on."""
        return [d for d in self.switches if d.get("end") is None]

    def switch_on(self, kind: str, a: str, b: str | None = None) -> dict:
        """Apply agreement switch ``kind`` from this week on; return its policy dict.

        A switch with no effect is applied too; its message says why it changes nothing.
        """
        from sim.policies import from_dict

        d = self._policy(kind, a, b)
        same = self._same_on(d)
        if same is not None:
            raise ValueError(f"{same['label']} is already on")
        why = self.no_effect(kind, a, b)
        for k, m in enumerate(self.runs):
            if self.twins[k] is None:  # the twin splits off at the first switch
                self.twins[k] = copy.deepcopy(m)
            m.policies.append(from_dict(d))
        self.switches.append(d)
        note = f" (no effect: {'; '.join(why)})" if why else ""
        self.messages.append(f"Week {self.week}: {d['label']} switched on{note}")
        return d

    def switch_off(self, label: str) -> None:
        """End the switch labelled ``label`` this week (its policy stops acting)."""
        live = [d for d in self.live_switches() if d["label"] == label]
        if not live:
            raise ValueError(f"no switch {label!r} is on")
        d = live[0]
        d["end"] = self.tick
        for m in self.runs:
            for p in m.policies:
                if p.label == label and p.end is None:
                    p.end = self.tick
        self.messages.append(f"Week {self.week}: {label} switched off")

    def existing(self, a: str, b: str) -> list[str]:
        """Agreements in force between ``a`` and ``b`` this week (switches just made included)."""
        from sim.agreements import rebuild

        m, w = self.main, self.main.world
        legal = rebuild(w, m.cooperation.agreements + m.policies, m.tick)
        i, j = w.state_index[a], w.state_index[b]
        out = []
        if i != j:
            if legal.mlat_median_weeks[i, j] > 0:
                out.append(f"MLAT ({legal.mlat_median_weeks[i, j]:.0f} weeks median)")
            if legal.extradition[i, j]:
                out.append("extradition treaty")
            if legal.jit[i, j]:
                out.append("joint team")
        for db in legal.databases.values():
            if i in db.members and (i == j or j in db.members):
                out.append(f"database {db.name}")
        return out

    # -------------------------------------------------------------- for the page
    def geometry(self) -> dict:
        """The corridor's fixed geometry (sent to the browser once)."""
        w = self.main.world
        return {
            "lon": w.lon.tolist(),
            "lat": w.lat.tolist(),
            "loc_state": w.loc_state.tolist(),
            "leg_from": w.leg_from.tolist(),
            "leg_to": w.leg_to.tolist(),
            "state_ids": list(w.state_ids),
            "state_names": list(w.state_names),
            "unit": w.unit,
        }

    def view(self, metrics=("delivered", "seized", "interdiction_rate"), recent: int = 4) -> dict:
        """Everything the page draws now, as plain data (lists and numbers)."""
        from sim.dashboard.narrator import what_happened

        t0, t = self.warmup, self.tick
        runs = [("main", self.main)] + ([("base", self.base)] if self.base is not None else [])
        out = {
            "scenario": self.scenario_name,
            "seed": self.run_seed,
            "week": self.week,
            "warmup": self.warmup,
            "horizon": self.horizon,
            "running": self.running,
            "side_by_side": self.side_by_side,
            "markers": self.markers,
            "params": {k: float(self.main.params[k]) for k in SLIDERS},
            "switches": [{"label": d["label"], "on": d.get("end") is None} for d in self.switches],
            "messages": list(self.messages),
            "series": {
                name: {k: _clean(m.series[name][t0:t]) for k, m in runs} for name in metrics
            },
            "maps": {k: _map_data(m, recent) for k, m in runs},
            "story": what_happened(self.main, self.markers, start=t0, noise=self),
        }
        return out


def _clean(a) -> list:
    """A float series as a JSON-safe list (NaN -> None)."""
    a = np.asarray(a, dtype=float)
    return [None if not np.isfinite(x) else round(float(x), 6) for x in a]


def _map_data(model: TraffickingModel, recent: int) -> dict:
    """The map's live data: flow per leg and seizure rate per state (last weeks), leaders."""
    from sim.members import ACTIVE, LEADER

    w, t = model.world, model.tick
    lo = slice(max(0, t - recent), t)
    flow = model.leg_flow[lo].mean(0) if t else np.zeros(w.n_legs)
    sflow = model.state_flow[lo].sum(0) if t else np.zeros(len(w.state_ids))
    sseiz = model.state_seized[lo].sum(0) if t else np.zeros(len(w.state_ids))
    rate = np.divide(sseiz, sflow, out=np.zeros_like(sseiz, dtype=float), where=sflow > 0)
    m = model.members
    lead = (m.role == LEADER) & (m.status == ACTIVE)
    return {
        "week": int(t),
        "leg_flow": _clean(flow),
        "state_rate": _clean(rate),
        "capacity": _clean(model.capacity),
        "leaders": m.state[lead].tolist(),
    }
