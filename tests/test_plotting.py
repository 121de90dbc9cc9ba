"""Figures: every plotting primitive, every validation recipe, the corridor map of a real run."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from sim.metrics import MAIN, REGISTRY  # noqa: E402
from sim.plotting import (  # noqa: E402
    corridor_tables,
    has_coordinates,
    meta_value,
    plot_convergence,
    plot_corridor_map,
    plot_effects,
    plot_estimates,
    plot_heatmap,
    plot_indices,
    plot_lines,
    plot_main,
    plot_series,
    plot_strip,
    plot_sweep,
    save_figure,
    write_run_figures,
)

PLOTS = Path(__file__).resolve().parent.parent / "plots"
RNG = np.random.default_rng(7)  # synthetic tables only


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def legend_texts(ax) -> list[str]:
    leg = ax.get_legend()
    return [t.get_text() for t in leg.get_texts()] if leg else []


# ------------------------------------------------------------------------ primitives
def test_plot_series_labels_band_and_policy_marks():
    ts = pd.DataFrame({"run": np.repeat([0, 1, 2], 30), "tick": np.tile(np.arange(30), 3)}).assign(
        delivered=lambda d: 100 + d["tick"] + RNG.normal(0, 5, len(d))
    )
    ax = plot_series(
        ts, "delivered", unit="firearms", burn_in=5, policies=[{"start": 12, "label": "surge"}]
    )
    assert ax.get_ylabel() == "delivered (firearms/week)"
    assert ax.get_title() == REGISTRY["delivered"].description
    mean = ax.lines[0].get_ydata()
    assert np.allclose(mean, ts.groupby("tick")["delivered"].mean())
    assert any(list(ln.get_xdata()) == [12, 12] for ln in ax.lines)  # the policy start
    assert "surge" in [t.get_text() for t in ax.texts]


def test_plot_main_has_the_main_metrics():
    ts = pd.DataFrame({"run": 0, "tick": np.arange(20)})
    for m in MAIN:
        ts[m] = RNG.random(20)
    fig = plot_main(ts, title="toy", unit="kg")
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert labels == [REGISTRY[m].label("kg") for m in MAIN]
    assert "toy" in fig._suptitle.get_text()


def test_plot_effects_relative_to_baseline_and_means_annotated():
    eff = pd.DataFrame(
        {
            "metric": ["latency", "convictions", "zero_base"],
            "baseline_mean": [40.0, 2.0, 0.0],
            "alternative_mean": [30.0, 3.0, 1.0],
            "diff_mean": [-10.0, 1.0, 1.0],
            "diff_ci_low": [-12.0, 0.5, 0.5],
            "diff_ci_high": [-8.0, 1.5, 1.5],
        }
    )
    ax = plot_effects(eff)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["latency", "convictions"]
    assert "% of baseline" in ax.get_xlabel()
    interval = ax.lines[0]
    assert list(interval.get_xdata()) == [-30.0, -20.0]  # -12/40, -8/40 in %
    assert "40 \u2192 30" in [t.get_text() for t in ax.texts]
    ax2 = plot_effects(eff.iloc[:1], relative=False, unit="kg")
    assert list(ax2.lines[0].get_xdata()) == [-12.0, -8.0]


def test_plot_indices_and_convergence():
    data = {
        "S1": {"a": 0.3, "b": 0.1},
        "ST": {"a": 0.5, "b": 0.2},
        "S1_conf": {"a": 0.05, "b": 0.05},
        "ST_conf": {"a": 0.04, "b": 0.03},
    }
    ax = plot_indices(data, metric="seized")
    assert len(ax.patches) == 4
    assert ax.get_title() == REGISTRY["seized"].label()
    assert ax.get_ylabel() == "share of variance"
    assert legend_texts(ax) == ["first order (S1)", "total (ST)"]
    conv = [
        {"n": n, "index": {"a": 0.5, "b": 0.2}, "conf": {"a": 1 / n, "b": 1 / n}}
        for n in (8, 16, 32)
    ]
    ax = plot_convergence(conv, metric="seized")
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "total index ST"
    assert [list(ln.get_xdata()) for ln in ax.lines] == [[8, 16, 32]] * 2


def test_plot_estimates_points_bars_bands_and_horizontal():
    df = pd.DataFrame(
        {
            "state": ["A", "B", "A", "B"],
            "arm": ["base", "base", "alt", "alt"],
            "mean": [1.0, 2.0, 1.5, 2.5],
            "ci_low": [0.8, 1.7, 1.2, 2.0],
            "ci_high": [1.2, 2.3, 1.8, 3.0],
            "band_low": [0.5, np.nan, 0.5, np.nan],
            "band_high": [1.6, np.nan, 1.6, np.nan],
        }
    )
    ax = plot_estimates(df, x="state", hue="arm", band=("band_low", "band_high"), ylabel="u (kg)")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B"]
    assert ax.get_ylabel() == "u (kg)"
    assert legend_texts(ax) == ["expected range", "base", "alt"]
    assert len(ax.collections) >= 1  # the band
    ax = plot_estimates(df, x="state", hue="arm", kind="bar", horizontal=True, ylabel="v")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B"]
    assert ax.get_xlabel() == "v" and len(ax.patches) == 4
    ax = plot_estimates(df[df["arm"] == "base"], x="state", log=True)
    assert ax.get_yscale() == "log"


def test_plot_sweep_lines_and_chord():
    df = pd.DataFrame({"share": [0, 0.1, 0.5], "m": [0, 0.3, 0.5]})
    df["lo"], df["hi"] = df["m"] - 0.05, df["m"] + 0.05
    ax = plot_sweep(df, x="share", mean="m", lo="lo", hi="hi", chord=True, ylabel="d (share)")
    assert list(ax.lines[0].get_ydata()) == [0, 0.3, 0.5]
    assert list(ax.lines[1].get_xdata()) == [0, 0.5]  # the chord
    assert ax.get_ylabel() == "d (share)" and ax.get_xlabel() == "share"


def test_plot_lines_hue_style_and_start():
    df = pd.DataFrame(
        [
            {"tick": t, "state": s, "arm": a, "flow": t * (i + 1)}
            for t in range(10)
            for i, s in enumerate(["A", "B"])
            for a in ("base", "alt")
        ]
    )
    ax = plot_lines(df, y="flow", hue="state", style="arm", start=4, start_label="go")
    assert legend_texts(ax) == ["A, base", "A, alt", "B, base", "B, alt"]
    assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()
    assert ax.lines[0].get_color() != ax.lines[2].get_color()
    assert "go" in [t.get_text() for t in ax.texts] and ax.get_xlabel() == "week"


def test_plot_heatmap_share_and_labels():
    ticks, states = 12, ["A", "B", "C"]
    df = pd.DataFrame(
        [
            {"tick": t, "state": s, "flow": float((t + 1) * (i + 1))}
            for t in range(ticks)
            for i, s in enumerate(states)
        ]
    )
    ax = plot_heatmap(df, share=True, labels={"A": "Alpha"}, start=6, start_label="policy")
    z = ax.images[0].get_array()
    assert z.shape == (3, ticks)
    assert np.allclose(z.sum(0), 1.0) and np.allclose(z[:, 0], [1 / 6, 2 / 6, 3 / 6])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Alpha", "B", "C"]
    cbar = ax.figure.axes[-1]
    assert "share" in cbar.get_ylabel()
    ax = plot_heatmap(df, unit="firearms", smooth=4)
    assert "firearms/week" in ax.figure.axes[-1].get_ylabel()
    assert ax.images[0].get_array()[0, 3] == pytest.approx(np.mean([1, 2, 3, 4]))


def test_plot_strip_points_and_reference():
    df = pd.DataFrame({"g": ["x"] * 5 + ["y"] * 4, "r": RNG.uniform(0.6, 1.0, 9)})
    ax = plot_strip(df, value="r", group="g", ref=0.7, ref_label="minimum")
    n_points = sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets"))
    assert n_points >= 9
    assert "minimum" in legend_texts(ax)


def test_meta_value_types():
    t = {"meta": pd.DataFrame({"key": ["start", "state", "x"], "value": ["104", "MID", "0.5"]})}
    assert meta_value(t, "start") == 104 and meta_value(t, "state") == "MID"
    assert meta_value(t, "x") == 0.5 and meta_value(t, "missing", "kg") == "kg"
    assert meta_value({}, "start") is None


def test_save_figure_png_and_reproducible_svg(tmp_path):
    def draw():
        _, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        ax.set_title("hello figure")
        return save_figure(ax.figure, tmp_path, "f")

    png, svg = draw()
    first = svg.read_bytes()
    assert png.read_bytes()[:4] == b"\x89PNG" and b"hello figure" in first
    assert draw()[1].read_bytes() == first


# ------------------------------------------------------------------------ the map
def synthetic_map_tables() -> dict[str, pd.DataFrame]:
    return {
        "locations": pd.DataFrame(
            {
                "id": ["s", "a", "b", "m"],
                "state": ["S", "A", "A", "M"],
                "kind": ["source", "port", "hub", "market"],
                "lat": [0.0, 3.0, 5.0, 8.0],
                "lon": [-70.0, -71.0, -69.0, -70.5],
            }
        ),
        "legs": pd.DataFrame(
            {"from": ["s", "a", "b", "s"], "to": ["a", "b", "m", "m"], "flow": [90, 60, 60, 0]}
        ),
        "states": pd.DataFrame(
            {
                "id": ["S", "A", "M"],
                "name": ["Src", "Mid", "Mkt"],
                "capacity": [0, 10, 5],
                "seized": [0, 30, 5],
            }
        ),
    }


def test_corridor_map_from_synthetic_tables():
    t = synthetic_map_tables()
    ax = plot_corridor_map(t, unit="kg", title="toy map")
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 3  # legs with flow; the unused s->m leg is dashed
    assert max(a.get_linewidth() for a in arrows) > min(a.get_linewidth() for a in arrows)
    assert any(ln.get_linestyle() != "-" for ln in ax.lines)
    assert len(ax.images) == 1  # territories
    labels = legend_texts(ax)
    assert any(s.endswith("kg/week") and s[0].isdigit() for s in labels)
    assert "leg not used" in labels and any(s.startswith("seized") for s in labels)
    assert {"Src", "Mid", "Mkt"} <= {t.get_text() for t in ax.texts}
    sizes = [c.get_sizes() for c in ax.collections if len(c.get_offsets()) == 2]
    assert sizes and sizes[0][0] / sizes[0][1] == pytest.approx(30 / 5)
    assert ax.get_xlabel() == "longitude" and ax.get_aspect() > 1.0
    t["locations"].loc[0, "lat"] = np.nan
    assert not has_coordinates(t) and has_coordinates(synthetic_map_tables())


def test_corridor_map_from_a_short_real_run():
    from sim.harness.runner import run_one
    from sim.scenario import load_scenario
    from sim.world import build_world

    sc = load_scenario("toy_corridor")
    r = run_one(sc, seed=3, ticks=60)
    assert r.status == "ok"
    w = build_world(sc)
    t = corridor_tables(w, r.leg_flow[52:], r.state_flow[52:], r.state_seized[52:])
    assert has_coordinates(t), "toy_corridor locations need lat/lon"
    assert np.allclose(t["legs"]["flow"], r.leg_flow[52:].mean(0))
    assert np.allclose(t["states"]["seized"], r.state_seized[52:].mean(0))
    assert list(t["states"]["capacity"]) == list(w.capacity)
    ax = plot_corridor_map(t, unit=w.unit)
    legs = t["legs"]
    used = {tuple(sorted((a, b))) for a, b, f in zip(legs["from"], legs["to"], legs["flow"]) if f}
    assert len([p for p in ax.patches if isinstance(p, FancyArrowPatch)]) == len(used)
    assert {w.state_names[i] for i in range(w.n_states)} <= {x.get_text() for x in ax.texts}


def test_run_outputs_include_map_and_displacement(tmp_path):
    from sim.harness.study import replay_first, run_study
    from sim.scenario import load_scenario

    sc = load_scenario("toy_corridor")
    study = run_study(sc, replicates=1, seed=2, ticks=60, workers=1, out=tmp_path / "o")
    write_run_figures(study, sc, replay_first(study, sc, 60))
    figs = tmp_path / "o" / "figures"
    for name in ("main_series", "corridor_map", "displacement"):
        assert (figs / f"{name}.png").stat().st_size > 10_000, name


# ------------------------------------------------------------------------ recipes
def load_recipe(name: str):
    spec = importlib.util.spec_from_file_location(f"recipe_{name}", PLOTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def meta(**kv) -> pd.DataFrame:
    return pd.DataFrame({"key": list(kv), "value": [str(v) for v in kv.values()]})


def ci(df: pd.DataFrame, col: str = "mean", half: float = 0.1) -> pd.DataFrame:
    return df.assign(ci_low=df[col] - half * df[col].abs(), ci_high=df[col] + half * df[col].abs())


STATES = ["AND", "MID", "WES", "EAS", "NOR", "MKT"]
ARMS = ["status quo", "alternative"]


def tables_v1():
    flow = pd.DataFrame(
        [
            {"state": s, "arm": a, "flow_mean": 100.0 + 10 * i + j}
            for i, s in enumerate(STATES)
            for j, a in enumerate(ARMS)
        ]  # fmt: skip
    )
    series = pd.DataFrame(
        [
            {"tick": t, "arm": a, "state": s, "flow": float(RNG.poisson(50))}
            for t in range(40)
            for a in ARMS
            for s in STATES
        ]  # fmt: skip
    )
    return {
        "state_flow": ci(flow, "flow_mean"),
        "series": series,
        "meta": meta(start=20, surged="MID"),
    }


def tables_v2():
    rows = [
        {"capacity_factor": f, "metric": m, "mean": f * k}
        for f in (0.5, 1.0, 2.0)
        for k, m in enumerate(("seized", "value_per_seizure", "route_entropy", "active_legs"), 1)
    ]
    return {"sweep": ci(pd.DataFrame(rows))}


def tables_v5():
    paths = ["s->a->m", "s->b->m", "s->a->b->m"]
    rows = [
        {"path": p, "kind": "predicted" if i == 1 else "other", "arm": a, "flow_mean": 10.0 + i}
        for i, p in enumerate(paths)
        for a in ("status quo", "blocked")
    ]
    return {"paths": ci(pd.DataFrame(rows), "flow_mean"), "meta": meta(start=104, blocked="MID")}


def tables_v6():
    df = pd.DataFrame({"scenario": ["central_america_cocaine", "balkan"], "mean": [0.2, 0.3]})
    return {"rates": ci(df).assign(band_low=0.15, band_high=0.35)}


def tables_v7():
    ticks = np.arange(52 * 3)
    series = pd.concat(
        [
            pd.DataFrame({"scenario": n, "tick": ticks, "produced": 100 * 1.003**ticks}).assign(
                seized=lambda d: 0.2 * d["produced"], delivered=lambda d: 0.8 * d["produced"]
            )
            for n in ("toy_corridor", "central_america_cocaine")
        ]
    )
    corr = pd.DataFrame(
        [
            {"scenario": n, "replicate": i, "r": 0.8 + 0.02 * i}
            for n in ("toy_corridor", "central_america_cocaine")
            for i in range(4)
        ]  # fmt: skip
    )
    return {"series": series, "correlation": corr}


def tables_v9():
    dose = pd.DataFrame(
        {"share": [0, 0.05, 0.1, 0.2, 0.5], "disruption_mean": [0, 0.1, 0.18, 0.3, 0.45]}
    )
    return {"dose": ci(dose, "disruption_mean")}


def tables_v11():
    return {
        "latency": pd.DataFrame(
            {
                "channel": ["database", "jit", "mlat", "letters_rogatory"],
                "median_weeks": [1.0, 2.0, 40.0, 70.0],
                "q25": [1.0, 1.0, 30.0, 55.0],
                "q75": [1.0, 3.0, 55.0, 90.0],
                "n": [10, 20, 30, 40],
                "band_low": [0.0, 0.0, 26.0, np.nan],
                "band_high": [2.0, 4.0, 104.0, np.nan],
            }
        )
    }


def tables_v12():
    series = pd.DataFrame(
        [
            {"tick": t, "arm": a, "interdiction_rate": 0.2 + 0.05 * (a != ARMS[0]) * (t > 30)}
            for a in ARMS
            for t in range(60)
        ]  # fmt: skip
    )
    return {"series": series, "meta": meta(start=30)}


def tables_v14():
    rows = [
        {"metric": m, "arm": a, "mean": 5.0 - i}
        for m in ("active_legs", "route_entropy", "cheapest_route_share")
        for i, a in enumerate(("status quo", "no interdiction"))
    ]
    return {"metrics": ci(pd.DataFrame(rows))}


def tables_c1():
    eff = pd.DataFrame(
        {
            "metric": ["pair_request_latency_weeks", "convictions_investigated"],
            "baseline_mean": [58.0, 0.1],
            "alternative_mean": [38.0, 0.18],
        }
    )
    eff["diff_mean"] = eff["alternative_mean"] - eff["baseline_mean"]
    lo, hi = eff["diff_mean"] * 1.3, eff["diff_mean"] * 0.7
    return {"effects": eff.assign(diff_ci_low=np.minimum(lo, hi), diff_ci_high=np.maximum(lo, hi))}


def tables_c2():
    df = pd.DataFrame({"arm": ["status quo", "harmonised"], "failures_mean": [12.0, 0.0]})
    return {"failures": ci(df, "failures_mean")}


def tables_v20():
    return {
        "ladder": pd.DataFrame(
            {
                "instrument": ["mlat", "eio", "production_order"],
                "median_weeks": [40.0, 11.0, 1.0],
                "q25": [30.0, 8.0, 1.0],
                "q75": [55.0, 15.0, 2.0],
                "n": [300, 250, 90],
                "band_low": [35.0, 0.0, 0.0],
                "band_high": [50.0, 17.0, 2.0],
            }
        )
    }


def tables_v21():
    partners = pd.DataFrame(
        {
            "partner": ["MID", "WES", "NOR"],
            "base": [40.0, 42.0, 45.0],
            "double": [60.0, 63.0, 70.0],
            "staffed": [41.0, 43.0, 47.0],
            "n_base": [40, 25, 30],
        }
    )
    return {"partners": partners}


def effects(metrics: list[str], base: list[float], alt: list[float]) -> pd.DataFrame:
    eff = pd.DataFrame({"metric": metrics, "baseline_mean": base, "alternative_mean": alt})
    eff["diff_mean"] = eff["alternative_mean"] - eff["baseline_mean"]
    lo, hi = eff["diff_mean"] * 1.3, eff["diff_mean"] * 0.7
    return eff.assign(diff_ci_low=np.minimum(lo, hi), diff_ci_high=np.maximum(lo, hi))


def tables_v22():
    return {
        "effects": effects(["prosecuted_at_home", "extraditions"], [0.001, 0.05], [0.037, 0.02])
    }


def tables_v23():
    return {
        "effects": effects(
            ["seized", "convictions_investigated", "leaders_convicted"],
            [120.0, 0.2, 0.01],
            [95.0, 0.3, 0.02],
        )
    }


RECIPES = {
    "validation_v1": (tables_v1, ["v1_state_flow", "v1_series"], "V1 balloon effect"),
    "validation_v2": (tables_v2, ["v2_sweep"], "V2 dispersion"),
    "validation_v5": (tables_v5, ["v5_paths"], "V5 route diversion"),
    "validation_v6": (tables_v6, ["v6_rates"], "V6 interdiction share"),
    "validation_v7": (tables_v7, ["v7_supply"], "V7 seizures co-move"),
    "validation_v9": (tables_v9, ["v9_dose"], "V9 arrest dose-response"),
    "validation_v11": (tables_v11, ["v11_latency"], "V11 legal-assistance latency"),
    "validation_v12": (tables_v12, ["v12_sharing"], "V12 information sharing"),
    "validation_v14": (tables_v14, ["v14_null"], "V14 null model"),
    "validation_v20": (tables_v20, ["v20_ladder"], "V20 latency ladder"),
    "validation_v21": (tables_v21, ["v21_load"], "V21 central-authority load"),
    "validation_v22": (tables_v22, ["v22_aut_dedere"], "V22 aut dedere aut judicare"),
    "validation_v23": (tables_v23, ["v23_controlled_delivery"], "V23 controlled delivery"),
    "validation_c1": (tables_c1, ["c1_effects"], "C1 MLAT"),
    "validation_c2": (tables_c2, ["c2_failures"], "C2 harmonisation"),
    "corridor_map": (synthetic_map_tables, ["corridor_map"], "seized"),
}


@pytest.mark.parametrize("name", list(RECIPES))
def test_recipe_draws_png_and_svg(name, tmp_path):
    make, stems, title = RECIPES[name]
    mod = load_recipe(name)
    assert mod.__doc__ and "Tables" in mod.__doc__
    # as the experiments hand them over: written to CSV and read back
    tables = {k: pd.read_csv(io.StringIO(v.to_csv(index=False))) for k, v in make().items()}
    paths = mod.draw(tables, tmp_path)
    expected = {tmp_path / f"{s}.{ext}" for s in stems for ext in ("png", "svg")}
    assert set(paths) == expected
    for p in paths:
        assert p.stat().st_size > 8_000, p
    svgs = " ".join(p.read_text() for p in paths if p.suffix == ".svg")
    assert title in svgs  # the title is in the figure (SVG text stays text)
    assert not plt.get_fignums()  # the recipe closed its figures
