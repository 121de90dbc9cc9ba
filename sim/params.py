"""Model-wide parameters: a typed table of defaults, sources and roles.

Every default carries its source; numbers without a published source are marked
illustrative. Each parameter has a role (EMA workbench's distinction, Kwakkel 2017):

- ``uncertain``: what we do not know (detection, learning and legal rates). Global
  sensitivity analysis varies these; each has a default ``range`` (illustrative) used
  when a scenario has no ``[uncertainties]`` table.
- ``lever``: what a government or an agreement decides (database lag and coverage,
  the case deadline); scenarios and comparisons vary these.
- ``structural``: modelling choices (graph search depth, adaptation period, network
  size, output thresholds).

Scenario files override defaults under ``[params]``; ``--set NAME=VALUE`` overrides
them from the command line.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("uncertain", "lever", "structural")


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Attributes:
        name: the key in ``[params]``, ``--set`` and ``--param``.
        default: its default value.
        kind: value check: ``prob`` (0..1), ``pos`` (> 0), ``nonneg`` (>= 0), ``int``.
        role: ``uncertain``, ``lever`` or ``structural``.
        range: for uncertain parameters, the default (low, high) of sensitivity studies
            (illustrative); None for the others.
        doc: meaning, and the source of the default or "illustrative".
    """

    name: str
    default: float
    kind: str
    role: str
    range: tuple[float, float] | None
    doc: str


# fmt: off
_TABLE = (
    Param("exploration", 0.2, "prob", "uncertain", (0.05, 0.4),
          "share of an agency's effort spread at random (illustrative)"),
    Param("agency_learning_rate", 0.55, "prob", "uncertain", (0.3, 0.8),
          'agency belief update p <- (1-d)p + d*1[seizure]; NarcoLogic d ~0.55-0.6 (Magliocca et '
          'al. PNAS 2019, SI)'),
    Param("risk_memory", 56.0, "pos", "uncertain", (26.0, 104.0),
          'weeks of exponentially weighted seizure memory; NarcoLogic ~13 months (~56 weeks)'),
    Param("prior_strength", 4.0, "pos", "uncertain", (1.0, 10.0),
          "pseudo-observations of the Beta prior on a leg's seizure risk (illustrative)"),
    Param("risk_aversion", 1.0, "nonneg", "uncertain", (0.5, 2.0),
          'weight of expected seizure loss (risk x value) in route utility (illustrative)'),
    Param("freight_share", 0.15, "prob", "uncertain", (0.08, 0.3),
          "share of a leg's cost (NarcoLogic's value added per km, which includes risk "
          'compensation) that is freight and labour; the rest emerges from losses. Smuggling '
          'into the US costs low thousands of USD/kg against ~26,000 of value added Colombia-LA '
          '(Reuter & Kleiman 1986; Caulkins & Reuter 2010; recalled, value illustrative)'),
    Param("freelance_markup", 0.5, "nonneg", "uncertain", (0.25, 1.0),
          'extra freight through a state where the organisation has no active broker of its own: '
          'it hires freelance transporters (transportistas, UNODC TOCTA 2012; value illustrative)'),
    Param("freelance_exposure", 1.5, "pos", "uncertain", (1.2, 2.0),
          'detection multiplier on loads moved by freelance transporters (illustrative)'),
    Param("capacity_headroom", 1.5, "pos", "structural", None,
          "an organisation's weekly release capacity at a source at full strength, as a multiple "
          'of its base production share (illustrative)'),
    Param("freelance_capacity", 0.5, "prob", "uncertain", (0.25, 0.75),
          "share of an organisation's release capacity that freelance transporters provide "
          'whatever its own network has lost (illustrative)'),
    Param("inland_inspection", 0.25, "prob", "uncertain", (0.1, 0.5),
          'inspection intensity of a land leg inside one state to an inland hub, relative to a '
          'border crossing, port, airport or patrolled water (illustrative)'),
    Param("inspections_per_effort", 50.0, "pos", "uncertain", (20.0, 100.0),
          'shipments one unit of effort can examine in a week before more traffic dilutes it '
          '(enforcement swamping, Kleiman 1993; value illustrative)'),
    Param("size_elasticity", 0.2, "nonneg", "uncertain", (0.0, 0.5),
          'detection scales with (load / initial load size)^this (illustrative)'),
    Param("demand_elasticity", 0.5, "pos", "uncertain", (0.3, 1.0),
          '|price elasticity of demand| at the markets; meta-analyses put cocaine and heroin '
          'around 0.3-0.7 (Gallet 2014, Health Economics 23; recalled, value illustrative)'),
    Param("reference_loss", 0.25, "prob", "structural", None,
          'share of the flow seized at which markets sit at their scenario price and demand: the '
          'calibration target (NarcoLogic 0.25-0.34; docs/VALIDATION.md V6)'),
    Param("price_memory", 13.0, "pos", "structural", None,
          'weeks over which seizure losses pass into the retail price (illustrative)'),
    Param("entry_weeks", 26, "int", "uncertain", (13, 52),
          'weeks an organisation stays dormant (no active leader or broker) before a new one '
          'enters its markets with members of its own (illustrative)'),
    Param("broker_ties", 1, "int", "structural", None,
          'ties from each broker to other brokers of its organisation (illustrative)'),
    Param("shared_couriers", 0.2, "prob", "structural", None,
          "share of couriers who also move loads for another organisation's broker in their "
          'state (illustrative)'),
    Param("route_logit", 6.0, "nonneg", "uncertain", (3.0, 12.0),
          'logit sensitivity to relative path cost: weight exp(-beta (C/Cmin - 1)) (illustrative)'),
    Param("k_paths", 4, "int", "structural", None,
          'candidate paths per source-market pair (illustrative)'),
    Param("loss_tolerance", 0.1, "prob", "uncertain", (0.045, 0.2),
          'share of shipped value an organisation tolerates losing per period. NarcoLogic '
          'calibrated ~0.045 (Magliocca et al. PNAS 2019) against its own monthly node '
          'accounting; here losses are valued where the seizure happens and compared with shipped '
          'value at market price, so 0.1 (illustrative, recalibrated on the toy)'),
    Param("expand_max", 2, "int", "structural", None,
          'new legs opened per adaptation period; NarcoLogic 8 a month, here per 4 weeks scaled '
          'to the smaller graphs of the scenarios (illustrative)'),
    Param("adapt_period", 4, "int", "structural", None,
          'weeks between expand/consolidate decisions (NarcoLogic: monthly)'),
    Param("production_growth", 0.0, "nonneg", "uncertain", (0.0, 0.15),
          'growth of production per year (fraction; 0 = constant supply, the default). For scale: '
          'UNODC World Drug Report 2023 reports global cocaine manufacture more than doubling '
          '2014-2021, ~+12%/year (recalled; illustrative here)'),
    Param("shipment_size", 644.0, "pos", "uncertain", (300.0, 1000.0),
          'units per shipment at start; ~644 kg per movement (NarcoLogic code comments, CCDB)'),
    Param("min_shipment_size", 50.0, "pos", "structural", None,
          'smallest shipment organisations split down to (illustrative)'),
    Param("size_shrink", 0.85, "prob", "uncertain", (0.7, 0.95),
          'factor on shipment size when losses exceed tolerance: dispersion (illustrative)'),
    Param("displacement_threshold", 0.01, "prob", "structural", None,
          'share of first-year flow above which a state counts as used (illustrative)'),
    Param("brokers_per_state", 2, "int", "structural", None,
          'brokers an organisation keeps in each state it crosses (illustrative)'),
    Param("couriers_per_broker", 3, "int", "structural", None,
          'couriers under each broker (illustrative)'),
    Param("recruit_weeks_courier", 4.0, "pos", "uncertain", (2.0, 8.0),
          'mean weeks to replace a courier (illustrative)'),
    Param("recruit_weeks_broker", 26.0, "pos", "uncertain", (13.0, 52.0),
          'mean weeks to replace a broker (illustrative)'),
    Param("leader_succession_weeks", 8.0, "pos", "uncertain", (4.0, 16.0),
          'mean weeks before a broker succeeds an arrested leader (illustrative)'),
    Param("relocation_probability", 0.3, "prob", "uncertain", (0.1, 0.5),
          'chance a leader targeted by a case moves to a safe haven (illustrative)'),
    Param("case_probability", 0.3, "prob", "uncertain", (0.15, 0.5),
          'chance a seizure opens a case (illustrative)'),
    Param("case_deadline", 104, "int", "lever", None,
          'weeks before an unfinished case expires (illustrative)'),
    Param("leader_exposure", 0.25, "prob", "uncertain", (0.1, 0.5),
          'chance that evidence against a broker also implicates the leader, so a case can climb '
          'to him; leaders trade efficiency for security and keep their distance (Morselli, '
          'Giguere & Petit 2007, Social Networks 29; value illustrative)'),
    Param("conviction_probability", 0.85, "prob", "uncertain", (0.6, 0.95),
          'chance a tried member is convicted on complete evidence; the chance of a trial is '
          'this x (1 - exp(-evidence / evidence_scale)) (illustrative)'),
    Param("evidence_scale", 1.5, "pos", "uncertain", (1.0, 3.0),
          'evidence (points: a seizure in flagrante 2, each answer 1, a joint team\'s 2) at '
          'which a conviction is 63% of its full chance (illustrative)'),
    Param("home_prosecution_factor", 0.6, "prob", "uncertain", (0.3, 0.9),
          'weight of the evidence when a state prosecutes a national it would not surrender '
          '(aut dedere aut judicare: evidence transferred from abroad; illustrative)'),
    Param("default_penalty_years", 10.0, "pos", "structural", None,
          'maximum penalty of an offence a state holds when its file gives none (illustrative)'),
    Param("extradition_min_penalty_years", 1.0, "pos", "structural", None,
          'minimum penalty, in both states, for an extraditable offence (UN Model Treaty on '
          'Extradition 1990, Art. 2(1): one or two years, recalled)'),
    Param("extradition_median_weeks", 40.0, "pos", "uncertain", (20.0, 104.0),
          'median duration of treaty extradition proceedings, arrest to surrender decision '
          '(illustrative: months to years; extraditions from Guatemala to Mexico take 6-12 '
          'months, PGR 2017, data/process_statistics.csv extradition_duration_gtm_mex)'),
    Param("surrender_consent_weeks", 3, "int", "structural", None,
          'weeks from arrest to decision under a surrender arrangement when the person '
          'consents: 15 days (European Commission EAW statistics 2017, recalled)'),
    Param("surrender_contested_weeks", 6, "int", "structural", None,
          'the same without consent: 40 days (European Commission EAW statistics 2017, '
          'recalled)'),
    Param("surrender_consent_share", 0.5, "prob", "uncertain", (0.3, 0.7),
          'share of persons who consent to their surrender (illustrative)'),
    Param("political_refusal", 0.05, "prob", "uncertain", (0.0, 0.15),
          'chance an extradition is refused on political or human-rights grounds '
          '(illustrative)'),
    Param("authority_capacity", 3.0, "pos", "uncertain", (1.0, 6.0),
          'requests a central authority takes up a week when its file gives none; the '
          'model\'s cases are a sample of a corridor, so this is relative (illustrative)'),
    Param("transmission_weeks", 3.0, "pos", "uncertain", (1.0, 6.0),
          'weeks a request takes from the requesting to the requested central authority on '
          'paper, translation included (illustrative)'),
    Param("letters_transmission_weeks", 8.0, "pos", "uncertain", (4.0, 16.0),
          'the same for letters rogatory through the diplomatic channel (illustrative)'),
    Param("e_transmission_factor", 0.25, "prob", "lever", None,
          'transmission time where both states transmit electronically (illustrative)'),
    Param("eio_median_weeks", 10.0, "pos", "uncertain", (6.0, 17.0),
          'median execution of an EIO-like order (illustrative, below its deadline)'),
    Param("eio_deadline_weeks", 17.0, "pos", "structural", None,
          'deadline of an EIO-like order: 30 days to recognise + 90 to execute (Directive '
          '2014/41/EU, Art. 12); a legal limit that V20 checks the median against, not a cap'),
    Param("eio_success", 0.9, "prob", "uncertain", (0.8, 0.98),
          'chance an EIO-like order is executed (illustrative)'),
    Param("production_order_weeks", 1.0, "pos", "structural", None,
          'median answer to a production order for stored data (illustrative)'),
    Param("production_order_deadline_weeks", 1.43, "pos", "structural", None,
          'deadline of a production order: 10 days (Regulation (EU) 2023/1543, Art. 10); '
          'checked in V20, not a cap'),
    Param("production_order_success", 0.9, "prob", "uncertain", (0.7, 0.98),
          'chance a service provider answers a production order (illustrative)'),
    Param("stored_data_share", 0.3, "prob", "uncertain", (0.1, 0.6),
          'share of evidence requests that seek stored data (illustrative)'),
    Param("coercive_share", 0.5, "prob", "uncertain", (0.2, 0.8),
          'share of evidence requests that need a coercive measure (search, seizure, '
          'interception), the only ones checked for dual criminality (illustrative)'),
    Param("controlled_delivery_trust", 0.6, "prob", "uncertain", (0.4, 0.8),
          'trust two states need to run a controlled delivery without a joint team '
          '(illustrative)'),
    Param("jit_investigators", 2, "int", "structural", None,
          'investigators each member seconds to a joint investigation team (illustrative)'),
    Param("domestic_weeks", 6.0, "pos", "uncertain", (3.0, 12.0),
          'median weeks of domestic evidence gathering (illustrative)'),
    Param("domestic_success", 0.9, "prob", "uncertain", (0.8, 0.98),
          'chance domestic evidence is obtained (illustrative)'),
    Param("mlat_median_weeks", 36.0, "pos", "uncertain", (26.0, 48.0),
          'median execution of an MLAT request once its central authority takes it up; with '
          "transmission and the queue the median answer is ~10 months (President's Review "
          'Group 2013; EU e-evidence impact assessment SWD(2018)118)'),
    Param("mlat_success", 0.8, "prob", "uncertain", (0.6, 0.95),
          'chance an MLAT request is answered (illustrative)'),
    Param("latency_sigma", 0.55, "pos", "uncertain", (0.3, 0.8),
          'lognormal sigma of request latency (also of domestic, JIT, EIO and extradition '
          'durations): with a 40-week median, 80% take 4.6-19 months, near the 6-24 months '
          'the Council of Europe T-CY (2014) reports as typical (not an 80% interval; '
          'illustrative fit)'),
    Param("letters_rogatory_median_weeks", 80.0, "pos", "uncertain", (52.0, 104.0),
          'median latency without a treaty (illustrative: slower than MLATs)'),
    Param("letters_success", 0.3, "prob", "uncertain", (0.1, 0.5),
          'chance letters rogatory are answered (illustrative)'),
    Param("jit_median_weeks", 1.5, "pos", "uncertain", (1.0, 4.0),
          'evidence latency inside a joint team (illustrative)'),
    Param("jit_success", 0.95, "prob", "uncertain", (0.85, 0.99),
          'chance evidence is shared inside a JIT (illustrative)'),
    Param("jit_effort_boost", 1.25, "pos", "uncertain", (1.1, 1.5),
          'effort multiplier where JIT members pool effort on shared borders (illustrative)'),
    Param("db_intel_boost", 2.0, "pos", "uncertain", (1.5, 3.0),
          'detection multiplier on a load whose identifier the inspecting state holds on '
          'record in a shared database (illustrative)'),
    Param("db_lag", 1, "int", "lever", None,
          'default weeks before partners see a record (illustrative)'),
    Param("db_coverage", 0.8, "prob", "lever", None,
          'default share of seizures entered (illustrative)'),
    Param("identifiers_per_org", 6, "int", "structural", None,
          "identifiers an organisation's loads carry in turn (vessels and vehicles, consignees, "
          'phones; illustrative)'),
    Param("identifier_weeks", 26.0, "pos", "uncertain", (13.0, 52.0),
          'mean weeks before an organisation replaces an identifier (turnover: records go stale; '
          'illustrative)'),
    Param("leak_rate", 0.3, "prob", "uncertain", (0.1, 0.6),
          'chance a received record leaks, per unit of (1 - integrity) of the receiving agency '
          '(illustrative)'),
    Param("trust_loss_leak", 0.05, "prob", "uncertain", (0.02, 0.1),
          'trust lost between a pair per leaked record (illustrative)'),
    Param("reciprocity_weeks", 26.0, "pos", "structural", None,
          'weeks over which records given and received are weighed for reciprocity '
          '(illustrative)'),
    Param("reciprocity_tolerance", 1.0, "nonneg", "structural", None,
          'a member taking more than (1 + this) x what it gives sees partners\' willingness '
          'toward it fall (illustrative)'),
    Param("reciprocity_rate", 0.05, "prob", "uncertain", (0.02, 0.1),
          'weekly change of a partner\'s willingness under (or without) free-riding '
          '(illustrative)'),
    Param("db_request_speedup", 0.5, "prob", "uncertain", (0.25, 0.8),
          'latency factor of a formal request that follows a database match (a targeted '
          'request; illustrative)'),
    Param("suspension_delay", 3.0, "pos", "uncertain", (1.5, 5.0),
          'latency factor of formal requests between a pair whose cooperation is suspended '
          '(illustrative)'),
    Param("trust_shock", 0.02, "prob", "uncertain", (0.01, 0.05),
          'trust lost each week cooperation between a pair is suspended (illustrative)'),
    Param("case_drop_rate", 0.02, "prob", "uncertain", (0.0, 0.05),
          'weekly chance, per unit of (1 - integrity), that a corrupt officer drops an open case '
          '(illustrative)'),
    Param("bribe_sensitivity", 0.1, "nonneg", "uncertain", (0.0, 0.3),
          'how much integrity falls with the value moved through a state relative to the mean '
          '(bribes grow with the money; illustrative)'),
    Param("trust_default", 0.7, "prob", "uncertain", (0.5, 0.9),
          'trust between states not listed in [[trust]] (illustrative)'),
    Param("trust_gain", 0.05, "prob", "uncertain", (0.02, 0.1),
          'trust gained per answered request (illustrative)'),
    Param("trust_decay", 0.005, "prob", "uncertain", (0.001, 0.01),
          'weekly decay of trust toward its start (illustrative)'),
)
# fmt: on
#: name -> Param, in table order.
PARAMS: dict[str, Param] = {p.name: p for p in _TABLE}

#: Parameters an organisation may override for itself.
ORG_PARAMS = (
    "loss_tolerance",
    "risk_aversion",
    "expand_max",
    "shipment_size",
)
#: Parameters a state may override for itself.
STATE_PARAMS = ("exploration", "agency_learning_rate")


def defaults() -> dict[str, float]:
    """Return a fresh dict of the default parameter values."""
    return {name: p.default for name, p in PARAMS.items()}


def by_role(role: str) -> list[str]:
    """Names of the parameters with ``role`` (one of :data:`ROLES`), in table order."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    return [name for name, p in PARAMS.items() if p.role == role]


def default_uncertainties() -> dict[str, tuple[float, float]]:
    """The default range of every uncertain parameter (used without ``[uncertainties]``)."""
    return {name: p.range for name, p in PARAMS.items() if p.role == "uncertain" and p.range}
