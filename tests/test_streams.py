"""Named random streams (sim.rng): one independent generator per stochastic process.

Common random numbers rest on two facts tested here: every named stream has its own
seed, derived from the run seed and the stream's seed key, and drawing more from one
stream never moves another. Each test also runs against a deliberately broken
:class:`~sim.rng.Streams` (one generator shared by every name, or two names sharing a
seed) and asserts that it would then fail, so the test can fail for the reason it
exists.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from sim.rng import SPECS, STREAMS, Streams, stable_hash, stream

SEEDS = (0, 1, 12345)


def share_one_generator(monkeypatch) -> None:
    """Break the streams: every name of a Streams object returns one shared generator.

    Unknown names are still refused; only the independence of processes is lost.
    """
    original = Streams.__getitem__

    def one(self, name):
        original(self, name)
        gen = self.__dict__.get("_one")
        if gen is None:
            gen = self.__dict__["_one"] = stream(self.seed, "one generator for all")
        return gen

    monkeypatch.setattr(Streams, "__getitem__", one)


def first_draws(seed: int) -> dict[str, np.ndarray]:
    s = Streams(seed)
    return {name: s[name].random(4) for name in STREAMS}


def after_extra_draws(extra: str, seed: int) -> dict[str, np.ndarray]:
    """The next draws of every stream but ``extra``, after 1000 extra draws of ``extra``."""
    s = Streams(seed)
    s[extra].random(1000)
    return {name: s[name].random(4) for name in STREAMS if name != extra}


def others_unchanged(extra: str, seed: int) -> bool:
    ref = first_draws(seed)
    got = after_extra_draws(extra, seed)
    return all(np.array_equal(got[name], ref[name]) for name in got)


def test_every_pair_of_named_streams_has_its_own_seed():
    """Guards "two named streams sharing a seed": every pair differs in seed and draws."""
    keys = [SPECS[name].key for name in STREAMS]
    assert len(set(keys)) == len(keys) == len(STREAMS) >= 10
    assert len({stable_hash(k) for k in keys}) == len(keys)
    for seed in SEEDS:
        s = Streams(seed)
        entropy = {name: tuple(s[name].bit_generator.seed_seq.entropy) for name in STREAMS}
        draws = first_draws(seed)
        for a, b in combinations(STREAMS, 2):
            assert entropy[a] != entropy[b], (a, b)
            assert not np.any(np.isclose(draws[a], draws[b])), (a, b)


def test_pairwise_check_fails_when_two_streams_share_a_seed(monkeypatch):
    """The pairwise check above catches a stream given another stream's seed key."""
    spec = SPECS["database"]
    monkeypatch.setitem(SPECS, "database", type(spec)(spec.name, spec.draws, seed_key="detection"))
    draws = first_draws(3)
    assert np.array_equal(draws["database"], draws["detection"])
    with pytest.raises(AssertionError):
        test_every_pair_of_named_streams_has_its_own_seed()


def test_each_stream_is_seeded_from_the_run_seed_and_its_seed_key():
    """Guards the seeding rule: SeedSequence([run seed, stable_hash(seed key)])."""
    for seed in SEEDS:
        s = Streams(seed)
        for name in STREAMS:
            gen = s[name]
            assert list(gen.bit_generator.seed_seq.entropy) == [seed, stable_hash(SPECS[name].key)]
            np.testing.assert_array_equal(gen.random(3), stream(seed, SPECS[name].key).random(3))
    # request_latency keeps its pre-0.2 key: published numbers stay reproducible
    assert SPECS["request_latency"].key == "mlat_latency"
    got = Streams(5)["request_latency"].random(3)
    np.testing.assert_array_equal(got, stream(5, "mlat_latency").random(3))
    assert not np.array_equal(got, stream(5, "request_latency").random(3))
    # another run seed gives other draws in every stream
    one, two = first_draws(1), first_draws(2)
    for name in STREAMS:
        assert not np.array_equal(one[name], two[name]), name
    # the hash is fixed across machines and interpreters (pinned)
    assert stable_hash("detection") == 2854110161344746944
    assert stable_hash("route_choice") == 2278921648362265971


@pytest.mark.parametrize("extra", STREAMS)
def test_extra_draws_in_one_stream_leave_every_other_stream_unchanged(extra, monkeypatch):
    """Guards stream independence; with one shared generator the same check fails."""
    for seed in SEEDS:
        assert others_unchanged(extra, seed)
    share_one_generator(monkeypatch)
    for seed in SEEDS:
        assert not others_unchanged(extra, seed)


def test_a_stream_is_created_once_and_continues():
    """Guards lazy creation: a name always returns its one generator, which never restarts."""
    s = Streams(8)
    for name in STREAMS:
        assert s[name] is s[name]
        a = s[name].random(3)
        b = s[name].random(3)
        assert not np.array_equal(a, b)  # continues, never restarts
        np.testing.assert_array_equal(np.concatenate([a, b]), Streams(8)[name].random(6))


def test_unknown_stream_names_are_refused():
    """Guards against a misspelt name silently becoming a new process."""
    s = Streams(1)
    with pytest.raises(KeyError, match="unknown random stream 'detecton'"):
        s["detecton"]
    assert "detecton" not in s._gens
