"""The sample of a sensitivity analysis: uncertain parameters, bounds, SALib's design.

Parameters are model parameter names (``sim/params.py``) or dotted paths into the
scenario (``states.MID.capacity``), with bounds from ``--param NAME=LOW:HIGH`` or the
scenario's ``[uncertainties]`` table. :class:`SampleSettings` holds everything that
determines the design points, so a sample can be re-drawn exactly and an analysis
checked against it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from sim import params as P
from sim.harness.executors import HarnessError
from sim.scenario import (
    SCHEMA_LOCATION,
    SCHEMA_ORG,
    SCHEMA_STATE,
    Scenario,
    ScenarioError,
    canonical_key,
)
from sim.suggest import did_you_mean

METHODS = ("sobol", "morris", "fast")
DEFAULT_N = {"sobol": 64, "morris": 16, "fast": 128}
_NUMERIC = ("int", "float", "nonneg", "pos", "prob")
_TABLES = {"states": SCHEMA_STATE, "locations": SCHEMA_LOCATION, "organisations": SCHEMA_ORG}


# ------------------------------------------------------------------------ parameters
def parse_param(text: str) -> tuple[str, float, float]:
    """``NAME=LOW:HIGH`` -> (name, low, high); HarnessError naming the problem."""
    where = f"--param {text}"
    if "=" not in text or ":" not in text.split("=", 1)[1]:
        raise HarnessError(f"{where}: expected NAME=LOW:HIGH, e.g. exploration=0.05:0.4")
    name, rng = (s.strip() for s in text.split("=", 1))
    lo_s, hi_s = (s.strip() for s in rng.split(":", 1))
    try:
        lo, hi = float(lo_s), float(hi_s)
    except ValueError:
        raise HarnessError(f"{where}: LOW and HIGH must be numbers") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise HarnessError(f"{where}: LOW and HIGH must be finite")
    if not lo < hi:
        raise HarnessError(f"{where}: LOW must be below HIGH")
    return name, lo, hi


def param_kind(sc: Scenario, name: str, where: str) -> str:
    """The value kind of a parameter name or dotted path; HarnessError if not numeric."""
    parts = canonical_key(name).split(".")
    if name in P.PARAMS or (parts[0] == "params" and len(parts) == 2 and parts[1] in P.PARAMS):
        kind = P.PARAMS[parts[-1]].kind
    elif len(parts) == 3 and parts[0] in _TABLES:
        ids = [it.get("id") for it in sc.data.get(parts[0], [])]
        if parts[1] not in ids:
            hint = did_you_mean(parts[1], [i for i in ids if isinstance(i, str)])
            raise HarnessError(f"{where}: {name}: no {parts[0][:-1]} with id {parts[1]!r}{hint}")
        kind = _TABLES[parts[0]].get(parts[2], "").lstrip("!")
        if not kind:
            hint = did_you_mean(parts[2], _TABLES[parts[0]])
            raise HarnessError(f"{where}: {name}: unknown key {parts[2]!r}{hint}")
    elif name in ("ticks", "burn_in"):
        raise HarnessError(f"{where}: {name}: the horizon is not an uncertain parameter")
    else:
        hint = did_you_mean(parts[-1], P.PARAMS)
        raise HarnessError(
            f"{where}: {name}: unknown parameter{hint} (use a name from sim/params.py or a "
            "dotted path like states.MID.capacity)"
        )
    if kind not in _NUMERIC:
        raise HarnessError(f"{where}: {name}: not a numeric parameter ({kind})")
    return kind


def resolve_params(
    sc: Scenario | None, specs: list[str] | dict | None
) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    """Bounds and kinds of the uncertain parameters, checked against the scenario.

    ``specs`` is a list of ``NAME=LOW:HIGH`` strings or a ``{name: (low, high)}``
    dict; when empty, the scenario's ``[uncertainties]`` table is used. Both bounds
    are applied to the scenario once, so an out-of-range bound fails here, not in a run.
    """
    if isinstance(specs, dict):
        items = [(k, float(v[0]), float(v[1]), "params") for k, v in specs.items()]
        for k, lo, hi, _ in items:
            if not lo < hi:
                raise HarnessError(f"--param {k}={lo}:{hi}: LOW must be below HIGH")
    elif specs:
        items = [(*parse_param(s), f"--param {s}") for s in specs]
    elif sc is not None and sc.data.get("uncertainties"):
        where = f"{sc.path}: uncertainties"
        items = [(k, float(v[0]), float(v[1]), where) for k, v in sc.data["uncertainties"].items()]
    elif sc is not None:
        # no table: every parameter whose role is "uncertain", over its default range
        where = "sim.params (uncertain parameters' default ranges)"
        items = [
            (k, float(lo), float(hi), where) for k, (lo, hi) in P.default_uncertainties().items()
        ]
    else:
        raise HarnessError("sensitivity: --param: give NAME=LOW:HIGH, or an [uncertainties] table")
    bounds, kinds = {}, {}
    for name, lo, hi, where in items:
        if name in bounds:
            raise HarnessError(f"{where}: {name}: given twice")
        kinds[name] = param_kind(sc, name, where) if sc is not None else "float"
        if kinds[name] == "int" and (lo != int(lo) or hi != int(hi)):
            raise HarnessError(f"{where}: {name}: a whole-number parameter needs whole bounds")
        bounds[name] = (lo, hi)
        if sc is not None:
            for v in (lo, hi):
                text = str(int(v)) if kinds[name] == "int" else repr(v)
                try:
                    sc.with_overrides([f"{name}={text}"])
                except ScenarioError as e:
                    raise HarnessError(f"{where}: {e.key or name}: {e.problem}") from None
    return bounds, kinds


# ---------------------------------------------------------------------------- sample
def point_values(bounds: dict, kinds: dict, x) -> tuple[tuple[str, float], ...]:
    """One point as the (name, value) pairs of a run: "int" kinds rounded into their bounds."""
    out = []
    for (k, (lo, hi)), v in zip(bounds.items(), np.asarray(x, dtype=float)):
        if kinds.get(k) == "int":
            out.append((k, int(min(max(round(float(v)), lo), hi))))
        else:
            out.append((k, float(v)))
    return tuple(out)


@dataclass(frozen=True)
class SampleSettings:
    """Everything that determines a sample, stored with its results.

    Attributes:
        method: "sobol", "morris" or "fast".
        N: base samples (Sobol), trajectories (Morris) or samples per parameter (FAST).
        calc_second_order: Sobol only: the sample includes second-order terms.
        bounds: parameter -> (low, high), in order.
        kinds: parameter -> value kind ("int" parameters are rounded).
        seed: seed of the sample and of the runs.
        replicates: runs per design point, averaged.
        num_levels: Morris grid levels.
        M: FAST interference parameter.
    """

    method: str
    N: int
    calc_second_order: bool
    bounds: dict
    kinds: dict
    seed: int
    replicates: int
    num_levels: int = 4
    M: int = 4

    @property
    def names(self) -> list[str]:  # noqa: D102
        return list(self.bounds)

    def problem(self) -> dict:
        """SALib's problem dict; whole-number parameters get +-0.5 so rounding is uniform."""
        b = [
            [lo - 0.5, hi + 0.5] if self.kinds.get(k) == "int" else [lo, hi]
            for k, (lo, hi) in self.bounds.items()
        ]
        return {"num_vars": len(b), "names": self.names, "bounds": b}

    def rows_per_block(self) -> int:
        """Rows of one base sample (Sobol), one trajectory (Morris), or all (FAST)."""
        d = len(self.bounds)
        if self.method == "sobol":
            return 2 * d + 2 if self.calc_second_order else d + 2
        if self.method == "morris":
            return d + 1
        return self.N * d

    def n_points(self) -> int:
        """Design points the sample has."""
        if self.method == "fast":
            return self.N * len(self.bounds)
        return self.N * self.rows_per_block()

    def sample(self) -> np.ndarray:
        """The design points (deterministic given the settings)."""
        prob = self.problem()
        if self.method == "sobol":
            from SALib.sample import sobol

            return sobol.sample(
                prob, self.N, calc_second_order=self.calc_second_order, seed=self.seed
            )
        if self.method == "morris":
            from SALib.sample import morris

            return morris.sample(prob, self.N, num_levels=self.num_levels, seed=self.seed)
        from SALib.sample import fast_sampler

        return fast_sampler.sample(prob, self.N, M=self.M, seed=self.seed)

    def values(self, x: np.ndarray) -> tuple[tuple[str, float], ...]:
        """One design point as parameter values (whole-number kinds rounded, in bounds)."""
        return point_values(self.bounds, self.kinds, x)

    def to_dict(self) -> dict:
        """Plain form for JSON."""
        d = asdict(self)
        d["bounds"] = {k: list(v) for k, v in self.bounds.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> SampleSettings:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["bounds"] = {k: tuple(v) for k, v in d["bounds"].items()}
        return cls(**d)


def check_settings(st: SampleSettings) -> None:
    """Sample sizes SALib can use; HarnessError otherwise."""
    if st.method not in METHODS:
        raise HarnessError(f"--method: must be one of {', '.join(METHODS)}, got {st.method!r}")
    if st.method == "sobol" and (st.N < 2 or st.N & (st.N - 1)):
        raise HarnessError(f"-N: Sobol sampling needs a power of two (e.g. 64), got {st.N}")
    if st.method == "fast" and st.N <= 4 * st.M**2:
        raise HarnessError(f"-N: FAST needs N > {4 * st.M**2}, got {st.N}")
    if st.method == "morris" and st.N < 2:
        raise HarnessError(f"-N: Morris needs at least 2 trajectories, got {st.N}")
    if st.replicates < 1:
        raise HarnessError(f"--replicates: must be at least 1, got {st.replicates}")
    if st.calc_second_order and st.method != "sobol":
        raise HarnessError("--second-order: only the Sobol method has second-order indices")
