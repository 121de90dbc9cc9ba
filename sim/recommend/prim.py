"""PRIM, the patient rule induction method: boxes of inputs where an outcome concentrates.

Implemented from Friedman & Fisher (1999), "Bump hunting in high-dimensional data",
Statistics and Computing 9:123-143, as used for scenario discovery by Bryant & Lempert
(2010), "Thinking inside the box", Technological Forecasting & Social Change 77:34-49,
and the EMA workbench (the names coverage, density, mass, quasi-p come from there).

* **Peeling** (top-down): from the box holding every point, try removing the share
  ``peel_alpha`` of the box's points at the low or the high end of each input; keep
  the single peel that leaves the highest mean outcome; repeat while the box holds at
  least ``mass_min`` of all points. Each box on the way is a step of the trajectory.
* **Pasting** (bottom-up): from the chosen box, try widening each side again by about
  ``paste_alpha`` of its points; keep the widening with the highest mean; repeat while
  the mean does not fall (so a pure box grows back to its edges).
* **Covering**: take the points of a box out and look for the next box in the rest.

For a 0/1 outcome ("the policy fails"): coverage = share of all failures inside the
box, density = share of the box's points that fail, mass = share of all points inside.
The quasi-p-value of a restricted input is the one-sided binomial probability of
seeing at least the box's failures if that restriction were dropped (Bryant & Lempert
2010): a large value says the restriction adds little.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Box:
    """A box: per input, a lower and an upper limit (inclusive).

    Attributes:
        low, high: (d,) limits.
        coverage, density, mass: as in the module docstring.
        n: points inside.
        restricted: (d,) whether the box cuts an input below its data range ends.
        qp: (d,) quasi-p-values of the restricted inputs (NaN where not restricted).
    """

    low: np.ndarray
    high: np.ndarray
    coverage: float = 0.0
    density: float = 0.0
    mass: float = 0.0
    n: int = 0
    restricted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    qp: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def contains(self, X: np.ndarray) -> np.ndarray:
        """Which rows of ``X`` lie inside."""
        return np.all((X >= self.low) & (X <= self.high), axis=1)


def _stats(box: Box, X, y, lo_data, hi_data, total_y: float, n_all: int) -> Box:
    inside = box.contains(X)
    n = int(inside.sum())
    box.n = n
    box.mass = n / n_all
    box.density = float(y[inside].mean()) if n else 0.0
    box.coverage = float(y[inside].sum() / total_y) if total_y > 0 else 0.0
    box.restricted = (box.low > lo_data) | (box.high < hi_data)
    return box


def _peel_once(box: Box, X, y, alpha: float, min_n: int, lo_data, hi_data) -> Box | None:
    """The best single peel, or None when every peel would leave fewer than ``min_n`` points.

    Best: the highest mean, then the larger box, then the fewer restricted inputs; a
    tie beyond that goes to the first input, its high side before its low side. The
    last two rules are the EMA workbench's (``Prim`` sorts by objective, then by
    unrestricted inputs, stably, high side first), so with distinct input values the
    two peel the same points at every step (tests/test_ema.py).
    """
    inside = box.contains(X)
    Xi, yi = X[inside], y[inside]
    restricted = (box.low > lo_data) | (box.high < hi_data)
    best, best_key = None, None
    for j in range(X.shape[1]):
        xj = Xi[:, j]
        n_res = int(restricted.sum()) + (0 if restricted[j] else 1)
        for side in (1, 0):
            q = np.quantile(xj, alpha if side == 0 else 1 - alpha)
            keep = xj > q if side == 0 else xj < q
            if keep.all():  # ties at the quantile: peel the extreme value itself
                edge = xj.min() if side == 0 else xj.max()
                keep = xj > edge if side == 0 else xj < edge
            n_keep = int(keep.sum())
            if n_keep < min_n or n_keep == len(xj):
                continue
            key = (float(yi[keep].mean()), n_keep, -n_res)
            if best_key is None or key > best_key:
                low, high = box.low.copy(), box.high.copy()
                if side == 0:
                    low[j] = xj[keep].min()
                else:
                    high[j] = xj[keep].max()
                best, best_key = Box(low, high), key
    return best


def _paste(box: Box, X, y, alpha: float) -> Box:
    """Widen the box side by side while its mean outcome does not fall.

    Of the widenings that keep or raise the mean, the one with the highest mean wins
    (then the one adding more points), so a pure box grows until it meets non-cases.
    """
    while True:
        inside = box.contains(X)
        mean = float(y[inside].mean()) if inside.any() else 0.0
        n_add = max(1, int(round(alpha * inside.sum())))
        best, best_key = None, None
        for j in range(X.shape[1]):
            others = np.delete(np.arange(X.shape[1]), j)
            in_rest = np.all(
                (X[:, others] >= box.low[others]) & (X[:, others] <= box.high[others]), axis=1
            )
            for side in (0, 1):
                out = in_rest & ((X[:, j] < box.low[j]) if side == 0 else (X[:, j] > box.high[j]))
                if not out.any():
                    continue
                xs = np.sort(X[out, j])
                edge = xs[-min(n_add, len(xs))] if side == 0 else xs[min(n_add, len(xs)) - 1]
                low, high = box.low.copy(), box.high.copy()
                if side == 0:
                    low[j] = edge
                else:
                    high[j] = edge
                cand = Box(low, high)
                now = cand.contains(X)
                key = (float(y[now].mean()), int(now.sum()))
                if key[0] >= mean - 1e-12 and (best_key is None or key > best_key):
                    best, best_key = cand, key
        if best is None:
            return box
        box = best


def _quasi_p(box: Box, X, y) -> np.ndarray:
    from scipy.stats import binomtest

    inside = box.contains(X)
    k, n = int(y[inside].sum()), int(inside.sum())
    qp = np.full(X.shape[1], np.nan)
    for j in np.flatnonzero(box.restricted):
        low, high = box.low.copy(), box.high.copy()
        low[j], high[j] = -np.inf, np.inf
        relaxed = Box(low, high).contains(X)
        p0 = float(y[relaxed].mean())
        qp[j] = binomtest(k, n, min(max(p0, 0.0), 1.0), alternative="greater").pvalue if n else 1
    return qp


@dataclass
class PrimResult:
    """Boxes found, the peeling trajectory of the first, and the data's base rate.

    Attributes:
        boxes: chosen (and pasted) boxes, one per covering round.
        trajectory: the first round's peeling trajectory (boxes with their statistics).
        base_rate: mean outcome over all points.
        low, high: (d,) data range of each input.
    """

    boxes: list[Box]
    trajectory: list[Box]
    base_rate: float
    low: np.ndarray
    high: np.ndarray


def prim(
    X,
    y,
    *,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_density: float = 0.8,
    max_boxes: int = 1,
) -> PrimResult:
    """Find boxes of ``X`` where ``y`` (0/1, or any outcome to maximise) is high.

    The box chosen on each trajectory is the one with the largest coverage among
    those whose density reaches ``min_density``, else the densest; it is then pasted.
    Covering stops after ``max_boxes`` or when a box is no denser than the points left.

    Args:
        X: (n, d) inputs.
        y: (n,) outcome; 1 marks a case of interest (a failure).
        peel_alpha: share of the box's points removed by a peel.
        paste_alpha: share of the box's points added by a paste.
        mass_min: smallest box, as a share of all points.
        min_density: density a box should reach to be preferred.
        max_boxes: covering rounds.

    Returns:
        A :class:`PrimResult`.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or len(X) != len(y) or len(X) < 2:
        raise ValueError("prim: X must be (n, d) and y (n,), with n >= 2")
    n_all, total = len(X), float(y.sum())
    lo_data, hi_data = X.min(axis=0), X.max(axis=0)
    min_n = max(1, int(np.ceil(mass_min * n_all)))
    left = np.ones(n_all, dtype=bool)
    boxes: list[Box] = []
    first_traj: list[Box] = []
    for _round in range(max_boxes):
        Xr, yr = X[left], y[left]
        if len(Xr) < min_n or yr.sum() == 0:
            break
        box = Box(lo_data.copy(), hi_data.copy())
        traj = [box]
        while True:
            nxt = _peel_once(traj[-1], Xr, yr, peel_alpha, min_n, lo_data, hi_data)
            if nxt is None:
                break
            traj.append(nxt)
        for b in traj:  # statistics against all points, so rounds add up
            _stats(b, X, y, lo_data, hi_data, total, n_all)
        dense = [b for b in traj if b.density >= min_density]
        pick = max(dense, key=lambda b: b.coverage) if dense else max(traj, key=lambda b: b.density)
        chosen = _stats(_paste(pick, Xr, yr, paste_alpha), X, y, lo_data, hi_data, total, n_all)
        if boxes and chosen.density <= float(yr.mean()):
            break
        chosen.qp = _quasi_p(chosen, X, y)
        boxes.append(chosen)
        if not first_traj:
            first_traj = traj
        left &= ~chosen.contains(X)
    return PrimResult(boxes, first_traj, float(y.mean()), lo_data, hi_data)


__all__ = ["Box", "PrimResult", "prim"]
