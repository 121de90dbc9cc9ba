"""Model-wide parameters: defaults, their sources, and which ones are uncertain.

Every default carries its source; numbers without a published source are marked
illustrative. Scenario files override these under ``[params]``; ``--set NAME=VALUE``
overrides them from the command line.
"""

from __future__ import annotations

#: name -> (default, kind, description). kind is "prob", "pos", "nonneg", "int".
PARAMS: dict[str, tuple[float, str, str]] = {
    # --- enforcement -------------------------------------------------------------
    "exploration": (0.2, "prob", "share of an agency's effort spread at random (illustrative)"),
    "agency_learning_rate": (
        0.55,
        "prob",
        "agency belief update p <- (1-d)p + d*1[seizure]; NarcoLogic d ~0.55-0.6 "
        "(Magliocca et al. PNAS 2019, SI)",
    ),
    # --- traffickers: risk perception (NarcoLogic, Magliocca et al. PNAS 2019, SI) -
    "risk_memory": (
        56.0,
        "pos",
        "ticks of exponentially weighted seizure memory; NarcoLogic ~13 months (~56 weeks)",
    ),
    "prior_strength": (
        4.0,
        "pos",
        "pseudo-observations of the Beta prior on a leg's seizure risk (illustrative)",
    ),
    "base_risk": (
        0.10,
        "prob",
        "risk at which the risk premium starts to bite; NarcoLogic calibrated 0.40-0.43 "
        "per month of use; per shipment-leg here, so lower (illustrative)",
    ),
    "risk_premium_rate": (
        0.5,
        "prob",
        "learning rate d of the risk premium RP (Caulkins, Crawford & Reuter 1993); "
        "NarcoLogic ~0.36-0.66",
    ),
    "risk_aversion": (
        1.0,
        "nonneg",
        "weight of expected seizure loss (risk x value) in route utility (illustrative)",
    ),
    "route_logit": (
        6.0,
        "nonneg",
        "logit sensitivity to relative path cost: weight exp(-beta (C/Cmin - 1)) (illustrative)",
    ),
    "k_paths": (4, "int", "candidate paths per source-market pair (illustrative)"),
    # --- traffickers: adaptation (NarcoLogic expand / consolidate) -----------------
    "loss_tolerance": (
        0.1,
        "prob",
        "share of shipped value an organisation tolerates losing per period. NarcoLogic "
        "calibrated ~0.045 (Magliocca et al. PNAS 2019) against its own monthly node "
        "accounting; here losses are valued where the seizure happens and compared with "
        "shipped value at market price, so 0.1 (illustrative, recalibrated on the toy)",
    ),
    "expand_max": (
        2,
        "int",
        "new legs opened per adaptation period; NarcoLogic 8 a month, here per 4 weeks "
        "scaled to the smaller graphs of the scenarios (illustrative)",
    ),
    "adapt_period": (4, "int", "ticks between expand/consolidate decisions (NarcoLogic: monthly)"),
    "production_growth": (
        0.0,
        "nonneg",
        "growth of production per year (fraction; 0 = constant supply, the default). For "
        "scale: UNODC World Drug Report 2023 reports global cocaine manufacture more than "
        "doubling 2014-2021, ~+12%/year (recalled; illustrative here)",
    ),
    "shipment_size": (
        644.0,
        "pos",
        "units per shipment at start; ~644 kg per movement (NarcoLogic code comments, CCDB)",
    ),
    "min_shipment_size": (
        50.0,
        "pos",
        "smallest shipment organisations split down to (illustrative)",
    ),
    "size_shrink": (
        0.85,
        "prob",
        "factor on shipment size when losses exceed tolerance: dispersion (illustrative)",
    ),
    # --- outputs ---------------------------------------------------------------------
    "displacement_threshold": (
        0.01,
        "prob",
        "share of first-year flow above which a state counts as used (illustrative)",
    ),
    # --- members (DESIGN 6: Duijn et al. 2014; Manzi & Calderoni 2024) ------------------
    "brokers_per_state": (
        2,
        "int",
        "brokers an organisation keeps in each state it crosses (illustrative)",
    ),
    "couriers_per_broker": (3, "int", "couriers under each broker (illustrative)"),
    "recruit_weeks_courier": (4.0, "pos", "mean weeks to replace a courier (illustrative)"),
    "recruit_weeks_broker": (26.0, "pos", "mean weeks to replace a broker (illustrative)"),
    "leader_succession_weeks": (
        8.0,
        "pos",
        "mean weeks before a broker succeeds an arrested leader (illustrative)",
    ),
    "relocation_probability": (
        0.3,
        "prob",
        "chance a leader targeted by a case moves to a safe haven (illustrative)",
    ),
    # --- justice ------------------------------------------------------------------------
    "case_probability": (0.3, "prob", "chance a seizure opens a case (illustrative)"),
    "case_deadline": (104, "int", "weeks before an unfinished case expires (illustrative)"),
    "leader_exposure": (
        0.25,
        "prob",
        "chance that evidence against a broker also implicates the leader, so a case can "
        "climb to him; leaders trade efficiency for security and keep their distance "
        "(Morselli, Giguere & Petit 2007, Social Networks 29; value illustrative)",
    ),
    "conviction_probability": (0.7, "prob", "chance a tried member is convicted (illustrative)"),
    "domestic_weeks": (6.0, "pos", "median weeks of domestic evidence gathering (illustrative)"),
    "domestic_success": (0.9, "prob", "chance domestic evidence is obtained (illustrative)"),
    "mlat_median_weeks": (
        40.0,
        "pos",
        "median MLAT request latency; ~10 months (President's Review Group 2013)",
    ),
    "mlat_success": (0.8, "prob", "chance an MLAT request is answered (illustrative)"),
    "latency_sigma": (
        0.55,
        "pos",
        "lognormal sigma of request latency: with median 40 weeks, 80% of requests take "
        "6-24 months (Council of Europe T-CY 2014 range)",
    ),
    "letters_rogatory_median_weeks": (
        80.0,
        "pos",
        "median latency without a treaty (illustrative: slower than MLATs)",
    ),
    "letters_success": (0.3, "prob", "chance letters rogatory are answered (illustrative)"),
    "jit_median_weeks": (1.5, "pos", "evidence latency inside a joint team (illustrative)"),
    "jit_success": (0.95, "prob", "chance evidence is shared inside a JIT (illustrative)"),
    "jit_effort_boost": (
        1.25,
        "pos",
        "effort multiplier where JIT members pool effort on shared borders (illustrative)",
    ),
    # --- shared databases and trust -----------------------------------------------------
    "db_intel_boost": (
        2.0,
        "pos",
        "detection multiplier for flagged organisations in a shared database (illustrative)",
    ),
    "db_lag": (1, "int", "default weeks before partners see a record (illustrative)"),
    "db_coverage": (0.8, "prob", "default share of seizures entered (illustrative)"),
    "flag_memory": (26, "int", "weeks a database flag on an organisation lasts (illustrative)"),
    "trust_default": (0.7, "prob", "trust between states not listed in [[trust]] (illustrative)"),
    "trust_gain": (0.05, "prob", "trust gained per answered request (illustrative)"),
    "trust_decay": (0.005, "prob", "weekly decay of trust toward its start (illustrative)"),
}

#: Parameters an organisation may override for itself.
ORG_PARAMS = (
    "loss_tolerance",
    "risk_aversion",
    "expand_max",
    "shipment_size",
    "risk_premium_rate",
)
#: Parameters a state may override for itself.
STATE_PARAMS = ("exploration", "agency_learning_rate")


def defaults() -> dict[str, float]:
    """Return a fresh dict of the default parameter values."""
    return {name: spec[0] for name, spec in PARAMS.items()}
