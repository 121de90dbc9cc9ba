"""Extradition as a procedure: request, proceedings, surrender or refusal, prosecution at home.

When the evidence against a member abroad is complete and the state where he lives
finds him and acts on it, the investigating state requests his extradition
(:func:`lodge`). The outcome is set by the rules in force between the pair, and known
when the proceedings end (:func:`conclude`):

- **surrender arrangement** (European Arrest Warrant-like, ``legal.surrender``): he is
  surrendered, nationals included, after ``surrender_consent_weeks`` if he consents
  (``surrender_consent_share``), else ``surrender_contested_weeks``;
- **no treaty** (and the requested state does not take the conventions as a legal
  basis, ``harmonize(convention_basis)``): no extradition is possible (``no_treaty``,
  recorded at once);
- **treaty**: refused when the conduct is not an offence carrying at least
  ``extradition_min_penalty_years`` in both states (``dual_criminality``); refused when
  he is a national of a state that does not extradite nationals (``national``);
  refused on political grounds with chance ``political_refusal`` (``political``);
  otherwise surrendered. Proceedings last a lognormal time, median
  ``extradition_median_weeks``.

A surrendered member is tried in the requesting state; a national refused by a state
bound by *aut dedere aut judicare* (``aut_dedere``: Vienna 1988 Art. 6(9), UNTOC 2000
Art. 16(10)) is prosecuted at home on evidence weighing ``home_prosecution_factor``.
One who will be surrendered or tried at home is held in custody from the request
(remand: he leaves his post at once, and his slot refills as after an arrest; if he is
then acquitted he does not return to it); one whose extradition will be refused stays
at large, and is not the object of a second request meanwhile. Draws come from the
``extradition`` stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import members as M

if TYPE_CHECKING:  # pragma: no cover
    from sim.justice import Justice

#: Outcomes of an extradition request, in the order of their integer codes.
OUTCOMES = ("surrendered", "national", "dual_criminality", "political", "no_treaty")
SURRENDERED, NATIONAL, DUAL, POLITICAL, NO_TREATY = range(5)
KEYS = ("member", "requesting", "requested", "lodged", "due", "outcome", "home", "held")


class Extraditions:
    """Pending proceedings as parallel arrays, and the run's closed ones.

    Attributes:
        member, requesting, requested: who is sought, by whom, from whom.
        lodged, due: tick of the request and of the decision.
        outcome: code in :data:`OUTCOMES` (decided when lodged, effective when due).
        home: 1 where a refused national is prosecuted at home.
        held: 1 where he is held in custody through the proceedings (out of his post).
        evidence: the case's evidence (conviction chance at trial).
    """

    def __init__(self):
        for k in KEYS:
            setattr(self, k, np.zeros(0, dtype=np.int64))
        self.evidence = np.zeros(0)
        self.closed: list[dict[str, np.ndarray]] = []

    def __len__(self) -> int:
        return len(self.member)

    def _take(self, mask: np.ndarray) -> dict[str, np.ndarray]:
        out = {k: getattr(self, k)[mask] for k in (*KEYS, "evidence")}
        for k in (*KEYS, "evidence"):
            setattr(self, k, getattr(self, k)[~mask])
        return out

    def table(self) -> dict[str, np.ndarray]:
        """Every extradition request decided so far, as arrays (``KEYS`` and ``convicted``)."""
        keys = (*KEYS, "convicted")
        if not self.closed:
            return {k: np.zeros(0, dtype=np.int64) for k in keys}
        return {k: np.concatenate([c[k] for c in self.closed]) for k in keys}


def pending(ex: Extraditions, member: np.ndarray) -> np.ndarray:
    """Whether each member is already the object of proceedings while at large.

    A member held in custody has left his post (its slot may hold a successor already),
    so only proceedings against members at large block a second request.
    """
    return np.isin(member, ex.member[ex.held == 0])


def lodge(j: Justice, member: np.ndarray, requesting: np.ndarray, evidence, t: int) -> None:
    """Request the extradition of ``member`` (living abroad) to ``requesting``."""
    if not len(member):
        return
    p, m, w, legal = j.params, j.mem, j.world, j.coop.legal
    rng = j.streams["extradition"]
    n = len(member)
    u = rng.random((2, n))  # consent, political refusal
    z = rng.standard_normal(n)  # duration
    x = m.state[member]
    offence = M.offence_of(m, w, member)
    arrangement = legal.surrender[requesting, x]
    treaty = legal.extradition[requesting, x] | legal.basis[x]  # or the conventions
    floor = p["extradition_min_penalty_years"]
    dual = (legal.conduct_penalty[x, offence] >= floor) & (
        legal.conduct_penalty[requesting, offence] >= floor
    )
    national = (m.nationality[member] == x) & ~legal.nationals[x]
    outcome = np.full(n, SURRENDERED)
    outcome[treaty & ~arrangement & (u[1] < p["political_refusal"])] = POLITICAL
    outcome[treaty & ~arrangement & national] = NATIONAL
    outcome[treaty & ~arrangement & ~dual] = DUAL
    outcome[~treaty & ~arrangement] = NO_TREATY
    weeks = np.ceil(p["extradition_median_weeks"] * np.exp(p["latency_sigma"] * z))
    consent = u[0] < p["surrender_consent_share"]
    weeks = np.where(
        arrangement,
        np.where(consent, p["surrender_consent_weeks"], p["surrender_contested_weeks"]),
        weeks,
    )
    weeks = np.where(outcome == NO_TREATY, 0, weeks).astype(np.int64)
    home = (outcome == NATIONAL) & w.aut_dedere[x]
    # remand: one who will be surrendered, or tried at home, is held through the
    # proceedings and leaves his post at once (his slot refills as after an arrest);
    # one whose extradition will be refused stays at large
    held = (outcome == SURRENDERED) | home
    M.arrest(m, member[held], t, p, j.streams["recruitment"])
    ex = j.extraditions
    new = dict(
        member=member, requesting=requesting, requested=x, lodged=np.full(n, t),
        due=t + weeks, outcome=outcome, home=home.astype(np.int64),
        held=held.astype(np.int64),
    )  # fmt: skip
    for k, v in new.items():
        setattr(ex, k, np.concatenate([getattr(ex, k), np.asarray(v, dtype=np.int64)]))
    ex.evidence = np.concatenate([ex.evidence, np.broadcast_to(evidence, n).astype(float)])
    asked = outcome != NO_TREATY  # he is arrested pending the decision
    j.rec.count("extraditions_requested", int(asked.sum()))
    j.rec.count("arrests", int(asked.sum()))
    j.rec.count("notice_arrests", int((asked & (m.fugitive[member] != 0)).sum()))


def conclude(j: Justice, t: int) -> None:
    """Decide the proceedings due now: surrender and trial, or refusal (and trial at home)."""
    ex = j.extraditions
    if not len(ex) or not (ex.due <= t).any():
        return
    p, rec = j.params, j.rec
    d = ex._take(ex.due <= t)
    out, home = d["outcome"], d["home"] == 1
    surrendered = out == SURRENDERED
    rec.count("extraditions", int(surrendered.sum()))
    rec.count("extraditions_refused", int(((out != SURRENDERED) & (out != NO_TREATY)).sum()))
    rec.count("prosecuted_at_home", int(home.sum()))
    rec.proceedings_today.append((t - d["lodged"])[out != NO_TREATY])
    # the trial: where he was surrendered to, or at home on evidence sent from abroad
    forum = np.where(surrendered, d["requesting"], d["requested"])
    weight = np.where(home, p["home_prosecution_factor"], 1.0)
    tried = surrendered | home
    chance = conviction_chance(j, d["evidence"] * weight, forum)
    convicted = tried & (j.streams["extradition"].random(len(out)) < chance)
    rec.count("convicted_at_home", int((convicted & home).sum()))
    # those held already left their posts (a slot may hold a successor by now)
    convict(j, d["member"][convicted], t, remove=False)
    d["due"] = np.full(len(out), t)
    d["convicted"] = convicted.astype(np.int64)
    ex.closed.append(d)


def convict(j: Justice, member: np.ndarray, t: int, remove: bool = True) -> None:
    """Members convicted through an investigation: counted (leaders apart) and removed."""
    j.rec.count("convictions", len(member))
    j.rec.count("convictions_investigated", len(member))
    j.rec.count("leaders_convicted", int((j.mem.role[member] == M.LEADER).sum()))
    if remove:
        M.arrest(j.mem, member, t, j.params, j.streams["recruitment"])


def conviction_chance(j: Justice, evidence: np.ndarray, forum: np.ndarray) -> np.ndarray:
    """Chance of conviction on ``evidence`` in each forum's courts (evidence quality).

    ``conviction_probability`` x (1 - exp(-evidence / evidence_scale)), times the
    forum's courts multiplier this week (capacity building), capped at 1.
    """
    p = j.params
    base = p["conviction_probability"] * (1.0 - np.exp(-np.asarray(evidence) / p["evidence_scale"]))
    return np.minimum(base * j.courts[forum], 1.0)
