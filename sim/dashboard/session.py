"""CorridorViz: the Mesa model the dashboard drives, and the agreement switches.

``CorridorViz`` wraps one ``TraffickingModel`` (``main``: the run that receives the
agreements switched on in the browser) and, in side-by-side mode, a status-quo twin
(``base``) built from the same scenario and seed, so both share their luck (common
random numbers) and differ only by the switches. A switch is a plain dict in the
scenario's ``[[policies]]`` form, built into a policy by ``sim.policies.from_dict``
(the CLI's registry) with ``start`` = this week: the model rebuilds its legal state on
the next step. A switch that would change nothing (an MLAT the pair already has, a
state joining a database it is in: :mod:`sim.policy_checks`) is still applied, and its
message says "no effect" and why; so do the scenario's own policies, when it loads.
"""

from __future__ import annotations

import mesa

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

SWITCHES = {
    "mlat": "Add an MLAT between A and B",
    "database": "Add A to a shared database",
    "harmonize": "Harmonise A's laws",
    "joint_team": "Start a joint team of A and B",
    "capacity": "Fund capacity building in A",
}


def scenario_names() -> list[str]:
    """Every shipped scenario's name."""
    return [name for name, _, _ in list_scenarios()]


def switch_policy(model: TraffickingModel, kind: str, a: str, b: str | None = None) -> dict:
    """The policy dict (``[[policies]]`` form) for switch ``kind`` on states ``a``, ``b``.

    Raises:
        ValueError: unknown switch, or a switch that needs two different states.
    """
    w = model.world
    pair = kind in ("mlat", "joint_team")
    if pair and (b is None or b == a):
        raise ValueError(f"{SWITCHES[kind]}: choose two different states")
    t = int(model.tick)
    if kind == "mlat":
        return {"type": "add_mlat", "between": [a, b], "start": t, "label": f"MLAT {a}-{b}"}
    if kind == "joint_team":
        return {"type": "joint_team", "states": [a, b], "start": t, "label": f"JIT {a}+{b}"}
    if kind == "database":
        dbs = [d["name"] for d in w.agreements + w.policies if d["type"] in _DB_TYPES]
        dbs += [p.name for p in model.policies if p.type == "create_database"]
        if dbs:
            return {
                "type": "join_database",
                "name": dbs[0],
                "states": [a],
                "start": t,
                "label": f"{a} joins {dbs[0]}",
            }
        members = [a] + ([b] if b and b != a else [])
        return {
            "type": "create_database",
            "name": "regional",
            "members": members,
            "start": t,
            "label": f"database {'+'.join(members)}",
        }
    if kind == "harmonize":
        missing = [o for o in w.offences if o not in w.laws[w.state_index[a]]]
        return {
            "type": "harmonize",
            "states": [a],
            "offences": missing or list(w.offences),
            "start": t,
            "label": f"{a} harmonises",
        }
    if kind == "capacity":
        return {
            "type": "capacity_building",
            "state": a,
            "capacity": 2.0,
            "detection": 1.5,
            "integrity": 1.1,
            "ramp_weeks": 26,
            "start": t,
            "label": f"capacity {a}",
        }
    raise ValueError(f"unknown switch {kind!r} (one of {', '.join(SWITCHES)})")


_DB_TYPES = ("database", "create_database")


class CorridorViz(mesa.Model):
    """The dashboard's Mesa model: a run with live agreement switches, and its twin.

    Args:
        scenario_name: a shipped scenario's name or a scenario file.
        seed: the run seed (the twin uses the same one).
        side_by_side: also run the status quo (no switches) next to it.
        exploration, risk_aversion, loss_tolerance, mlat_median_weeks: parameter
            overrides (None: the scenario's value).
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
    ):
        super().__init__(rng=int(seed))
        values = {
            "exploration": exploration,
            "risk_aversion": risk_aversion,
            "loss_tolerance": loss_tolerance,
            "mlat_median_weeks": mlat_median_weeks,
        }
        overrides = [f"{k}={v}" for k, v in values.items() if v is not None]
        self.scenario_name = scenario_name
        self.run_seed = int(seed)
        self.sc = load_scenario(scenario_name, overrides)
        self.main = TraffickingModel(self.sc, seed=self.run_seed)
        self.base = (
            TraffickingModel(load_scenario(scenario_name, overrides), seed=self.run_seed)
            if side_by_side
            else None
        )
        self.switches: list[dict] = []  # the policy dicts applied, in order
        self.messages: list[str] = [
            f"No effect: {w.line()}" for w in check_policies(self.sc, self.main.ticks)
        ]

    @property
    def tick(self) -> int:
        """Weeks simulated so far."""
        return int(self.main.tick)

    @property
    def markers(self) -> list[tuple[int, str]]:
        """(week, label) of every switch, for the charts."""
        return [(int(d["start"]), d["label"]) for d in self.switches]

    def step(self) -> None:
        """One week of the run (and of the twin); stops at the horizon."""
        if self.main.tick >= self.main.ticks:
            self.running = False
            return
        self.main.step()
        if self.base is not None:
            self.base.step()
        self.running = self.main.tick < self.main.ticks

    def no_effect(self, kind: str, a: str, b: str | None = None) -> list[str]:
        """Why switch ``kind`` on ``a``, ``b`` this week would change nothing (empty: it would).

        Raises:
            ValueError: as :func:`switch_policy`.
        """
        d = switch_policy(self.main, kind, a, b)
        return check_added(self.sc, [*self.switches, d], self.main.ticks)

    def switch_on(self, kind: str, a: str, b: str | None = None) -> dict:
        """Apply agreement switch ``kind`` from this week on; return its policy dict.

        A switch with no effect is applied too; its message says why it changes nothing.
        """
        from sim.policies import from_dict

        why = self.no_effect(kind, a, b)
        d = switch_policy(self.main, kind, a, b)
        self.main.policies.append(from_dict(d))
        self.switches.append(d)
        note = f" (no effect: {'; '.join(why)})" if why else ""
        self.messages.append(f"Week {d['start']}: {d['label']} switched on{note}")
        return d
