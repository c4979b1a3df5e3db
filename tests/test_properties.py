"""Invariants that hold for all inputs (hypothesis), and the numerical pieces against
independent expectations: the random streams against the published SplitMix64, the t
interval against Student's t as SciPy tabulates it, the bootstrap against a known spread,
the ledger against its own additions, ``sweep.csv`` against each job's ``metrics.json``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.ledger import COMPONENTS, GROUPS, PRICE_INDEX, Ledger, convert
from sim.rng import STREAM_NAMES, KeyedStream, Streams
from sim.sweep import aggregate
from sim.sweep.intervals import (BOOTSTRAP_SAMPLES, bootstrap_interval, mean_interval, ratio,
                                 spread, t975)
from sim.sweep.jobs import COMPLETE, FAILED, MISSING, Job

U64 = st.integers(min_value=0, max_value=2**64 - 1)
KEY = st.integers(min_value=0, max_value=2**40)

# ---------------------------------------------------------------- random streams


def splitmix64(z: int) -> int:
    """SplitMix64's output function (Steele, Lea & Flood 2014), as published."""
    m = (1 << 64) - 1
    z = (z + 0x9E3779B97F4A7C15) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    return z ^ (z >> 31)


def test_splitmix64_reference_vector() -> None:
    # the first outputs of the reference generator seeded with 0 (its state advances by
    # the golden gamma each call)
    gamma = 0x9E3779B97F4A7C15
    assert splitmix64(0) == 0xE220A8397B1DCDAF
    assert splitmix64(gamma) == 0x6E789E6AA1B965F4
    from sim.rng import _mix

    for z in (0, gamma, 1, 2**63, 2**64 - 1):
        assert _mix(z) == splitmix64(z)


@settings(max_examples=300, deadline=None)
@given(key=U64, a=KEY, b=st.integers(0, 2**20), c=st.integers(0, 2**20))
def test_keyed_uniform_is_the_documented_function_of_its_key(key: int, a: int, b: int,
                                                            c: int) -> None:
    """uniform = (top 53 bits of mix(mix(key ^ a) ^ ((b << 20) ^ c)) + 1/2) / 2^53: a pure
    function of the key, so a family's numbers cannot depend on other families' draws."""
    s = KeyedStream(key)
    z = splitmix64(splitmix64(key ^ a) ^ ((b << 20) ^ c))
    u = ((z >> 11) + 0.5) * 2.0**-53
    assert s.uniform(a, b, c) == u
    assert 0.0 < u < 1.0
    assert s.exponential(a, b, c) == -math.log(u)
    # the array engine's draws: the same numbers, element by element
    many = s.uniform_many(np.array([a, a, 1]), np.array([b, 0, b]), np.array([c, 0, c]))
    assert many[0] == u and many[1] == s.uniform(a) and many[2] == s.uniform(1, b, c)
    assert s.exponential_many(np.array([a]), np.array([b]), np.array([c]))[0] == \
        pytest.approx(-math.log(u), rel=1e-15)
    # the key's parts left out are 0 (callers rely on it: a family's draw keyed by id only)
    assert s.uniform(a) == s.uniform(a, 0, 0) and s.uniform(a, b) == s.uniform(a, b, 0)
    assert s.exponential(a) == s.exponential(a, 0, 0)
    assert s.uniform_many(np.array([a]))[0] == s.uniform(a)


def test_keyed_uniforms_are_uniform_and_independent_of_the_key_parts() -> None:
    s = Streams(3).keyed("clock")
    for draws in ([s.uniform(a) for a in range(20000)],
                  [s.uniform(7, b) for b in range(20000)],
                  [s.uniform(7, 1, c) for c in range(20000)]):
        x = np.array(draws)
        counts = np.histogram(x, bins=20, range=(0, 1))[0]
        assert scipy.stats.chisquare(counts).pvalue > 1e-4
        assert abs(np.corrcoef(x[:-1], x[1:])[0, 1]) < 0.03


def test_streams_are_named_seeded_and_separate() -> None:
    a, b = Streams(5), Streams(5)
    assert a.generator("entries").random(3).tolist() == b.generator("entries").random(3).tolist()
    assert a.generator("entries").random() != a.generator("councils").random()
    assert a.generator("entries").random() != Streams(6).generator("entries").random()
    k = {n: a.keyed(n).uniform(1, 2, 3) for n in STREAM_NAMES}
    assert len(set(k.values())) == len(STREAM_NAMES)
    assert a.keyed("policy", 1).uniform(1) != a.keyed("policy", 2).uniform(1)
    assert a.keyed("policy", 1).uniform(1) == b.keyed("policy", 1).uniform(1)
    assert a.keyed("clock").uniform(1) != Streams(6).keyed("clock").uniform(1)
    # a stream is its name's place in the list (never a hash of the name): the published
    # derivation, so adding names at the end changes no existing stream
    seq = np.random.SeedSequence(5, spawn_key=(STREAM_NAMES.index("clock"),))
    state = seq.generate_state(2, np.uint64)
    assert a.keyed("clock").uniform(9) == KeyedStream(
        int(state[0]) ^ splitmix64(int(state[1]) ^ 0)).uniform(9)
    assert a.generator("entries").random() == np.random.default_rng(
        np.random.SeedSequence(5, spawn_key=(STREAM_NAMES.index("entries"),))).random()
    with pytest.raises(KeyError, match="unknown random stream 'nope'; known: councils"):
        a.generator("nope")


# ---------------------------------------------------------------- intervals

def test_t_quantiles_against_scipy() -> None:
    for df in (1, 2, 3, 5, 9, 19, 29, 30, 31, 45, 100, 1000):
        assert t975(df) == pytest.approx(scipy.stats.t.ppf(0.975, df), abs=2e-3), df
    assert math.isnan(t975(0))


def test_t_interval_against_a_tabulated_value() -> None:
    # [1..5]: mean 3, s^2 = 2.5; scipy.stats.t.interval(0.95, 4, loc=3, scale=sqrt(0.5))
    m, lo, hi = mean_interval(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert m == 3.0
    # (the table holds t to 3 decimals: 2.776 for 2.7764, 3e-4 on the interval's ends)
    assert lo == pytest.approx(1.0367568, abs=5e-4) and hi == pytest.approx(4.9632432, abs=5e-4)
    # NaN left out; one value has no interval; none has no mean
    assert mean_interval(np.array([1.0, np.nan, 2.0, 3.0, 4.0, 5.0]))[1:] == (lo, hi)
    assert math.isnan(mean_interval(np.array([2.0]))[1])
    assert math.isnan(mean_interval(np.array([]))[0])
    # 40 values (beyond the table): 2.0227 (scipy) times s / sqrt(40)
    x = np.arange(40.0)
    m, lo, hi = mean_interval(x)
    assert hi - m == pytest.approx(scipy.stats.t.ppf(0.975, 39) * x.std(ddof=1) / math.sqrt(40),
                                   rel=1e-4)


def test_bootstrap_interval_has_the_known_spread() -> None:
    """For a mean of n values with standard deviation s, the 95% interval is about
    +-1.96 s / sqrt(n): the bootstrap must find that width, centred on the estimate."""
    rng = np.random.default_rng(12)
    for n, s in ((60, 1.0), (200, 5.0)):
        x = rng.normal(10.0, s, n)
        cols = np.column_stack([x, np.ones(n)])
        est, lo, hi = bootstrap_interval(cols, lambda mm: mm[0] / mm[1])
        assert est == pytest.approx(x.mean())
        half = 1.96 * x.std(ddof=1) / math.sqrt(n)
        assert (hi - lo) / 2 == pytest.approx(half, rel=0.12), (n, s)
        assert abs((lo + hi) / 2 - est) < 0.25 * half
    # a ratio of two means: the delta method's standard error, as a check of another kind
    a, b = rng.normal(20, 2, 150), rng.normal(10, 1, 150)
    est, lo, hi = bootstrap_interval(np.column_stack([a, b]), lambda mm: mm[0] / mm[1])
    r = a.mean() / b.mean()
    se = r * math.sqrt(a.var(ddof=1) / (150 * a.mean() ** 2) + b.var(ddof=1) / (150 * b.mean() ** 2)
                       - 2 * np.cov(a, b)[0, 1] / (150 * a.mean() * b.mean()))
    assert est == pytest.approx(r) and (hi - lo) / 2 == pytest.approx(1.96 * se, rel=0.15)


def test_bootstrap_gives_no_interval_without_replicates_or_with_undefined_values() -> None:
    assert bootstrap_interval(np.array([[1.0, 2.0]]), lambda m: m[0] / m[1])[1:] == (
        pytest.approx(math.nan, nan_ok=True), pytest.approx(math.nan, nan_ok=True))
    # most resamples undefined (here 3 in 4): no interval rather than a biased one
    est, lo, hi = bootstrap_interval(np.array([[0.0], [1.0]]),
                                     lambda m: m[0] if m[0] > 0.9 else math.nan)
    assert math.isnan(lo) and math.isnan(hi)
    # a few undefined (1 in 4): left out, the interval from the others
    est, lo, hi = bootstrap_interval(np.array([[0.0], [1.0]]),
                                     lambda m: m[0] if m[0] > 0.1 else math.nan)
    assert (lo, hi) == (0.5, 1.0)
    assert ratio(1.0, 0.0) != ratio(1.0, 0.0) and ratio(6.0, 3.0) == 2.0
    assert math.isnan(ratio(1.0, math.inf))
    assert BOOTSTRAP_SAMPLES >= 1000


def test_spread_is_the_replicates_own_2_5_and_97_5_percentiles() -> None:
    assert spread(np.arange(201.0)) == (5.0, 195.0)  # the 6th and 196th of 201 values
    assert spread(np.array([2.0, np.nan])) == (2.0, 2.0)
    assert all(math.isnan(v) for v in spread(np.array([np.nan])))


def test_a_report_is_the_same_every_time_it_is_made() -> None:
    x = np.random.default_rng(1).normal(size=(30, 2)) + 5
    first = bootstrap_interval(x, lambda m: m[0] / m[1])
    assert bootstrap_interval(x.copy(), lambda m: m[0] / m[1]) == first


FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(FINITE, min_size=2, max_size=40))
def test_intervals_contain_the_estimate(values: list[float]) -> None:
    x = np.array(values)
    m, lo, hi = mean_interval(x)
    assert lo <= m <= hi
    assert m == pytest.approx(float(np.mean(x)), abs=1e-6)
    s_lo, s_hi = spread(x)
    assert x.min() <= s_lo <= s_hi <= x.max()
    est, b_lo, b_hi = bootstrap_interval(x[:, None], lambda mm: mm[0])
    assert b_lo - 1e-6 <= est <= b_hi + 1e-6
    assert x.min() - 1e-6 <= b_lo and b_hi <= x.max() + 1e-6
    # shifting every value shifts the t interval and leaves its width
    m2, lo2, hi2 = mean_interval(x + 100.0)
    assert (hi2 - lo2) == pytest.approx(hi - lo, rel=1e-6, abs=1e-6)


# ---------------------------------------------------------------- the ledger

ADDS = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 3),
                          st.integers(0, len(COMPONENTS) - 1),
                          st.floats(min_value=0, max_value=1e7, allow_nan=False)),
                max_size=60)


@settings(max_examples=150, deadline=None)
@given(ADDS, st.integers(0, 12), st.integers(0, 12))
def test_ledger_sums_are_the_sums_of_what_was_added(adds: list[tuple[int, int, int, float]],
                                                    start: int, stop: int) -> None:
    led = Ledger(12, 4, 2024)
    for month, council, comp, amount in adds:
        led.add(month, council, comp, amount)
    window = [a for a in adds if start <= a[0] < stop]
    assert led.total(start, stop) == pytest.approx(math.fsum(a[3] for a in window), rel=1e-9,
                                                   abs=1e-6)
    by = led.by_component(start, stop)
    assert list(by) == list(COMPONENTS)
    for i, name in enumerate(COMPONENTS):
        assert by[name] == pytest.approx(math.fsum(a[3] for a in window if a[2] == i),
                                         rel=1e-9, abs=1e-6)
    groups = led.by_group(start, stop)
    for g, members in GROUPS.items():
        assert groups[g] == pytest.approx(math.fsum(a[3] for a in window
                                                    if COMPONENTS[a[2]] in members),
                                          rel=1e-9, abs=1e-6)
    assert led.total() == pytest.approx(math.fsum(a[3] for a in adds), rel=1e-9, abs=1e-6)
    # the defaults are the whole run, from month 0
    everything = math.fsum(a[3] for a in adds)
    assert math.fsum(led.by_component().values()) == pytest.approx(everything, rel=1e-9,
                                                                   abs=1e-6)
    assert led.by_group()["placement"] + led.by_group()["process"] + \
        led.by_group()["after_return"] == pytest.approx(everything, rel=1e-9, abs=1e-6)


def test_ledger_refuses_a_negative_cost_and_keeps_its_price_year() -> None:
    led = Ledger(2, 1, 2019)
    with pytest.raises(ValueError, match="negative cost -1.0 for support"):
        led.add(0, 0, COMPONENTS.index("support"), -1.0)
    assert led.price_year == 2019 and led.total() == 0.0


def test_price_index_follows_the_published_values_and_growth_rates() -> None:
    # PSSRU PSS pay and prices index, Unit Costs 2009 Table 2 (corrected): 2006/07 249.8,
    # 2007/08 257.0, 2008/09 268.6; 2009-10 to 2014-15 filled with the GDP deflator's growth
    # (2.9% into 2010, ...); from 2015-16 the NHSCII pay and prices growth of the Unit Costs
    # 2025 Manual (0.40% into 2016, 7.32% into 2023, 4.02% into 2025)
    assert PRICE_INDEX[2007] == pytest.approx(249.8)
    assert PRICE_INDEX[2008] == pytest.approx(257.0)
    assert PRICE_INDEX[2009] == pytest.approx(268.6)
    assert PRICE_INDEX[2010] == pytest.approx(268.6 * 1.029)
    assert PRICE_INDEX[2016] == pytest.approx(PRICE_INDEX[2015] * 1.0040)
    assert PRICE_INDEX[2023] == pytest.approx(PRICE_INDEX[2022] * 1.0732)
    assert PRICE_INDEX[2025] == pytest.approx(PRICE_INDEX[2024] * 1.0402)
    assert convert(100.0, 2013, 2024) == pytest.approx(100 * PRICE_INDEX[2024] / PRICE_INDEX[2013])
    assert convert(100.0, 2013, 2024) > 120  # 2013 to 2024 prices: about a quarter more
    for bad in ((2006, 2024), (2024, 2026)):
        with pytest.raises(ValueError, match="price year (2006|2026) is outside the price "
                                             "index: allowed 2007-2025"):
            convert(1.0, *bad)


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 1e9, allow_nan=False), st.integers(2007, 2025), st.integers(2007, 2025))
def test_converting_there_and_back_gives_the_amount(amount: float, a: int, b: int) -> None:
    assert convert(convert(amount, a, b), b, a) == pytest.approx(amount, rel=1e-12, abs=1e-9)
    assert convert(amount, a, a) == pytest.approx(amount, rel=1e-14)


# ---------------------------------------------------------------- sweep.csv

def _job(folder: Path, num: int, status: str, metrics: dict[str, float] | None) -> Job:
    job = Job(num, [f"seed={num + 1}", "policy/support=entitlement", "run.resume=true"],
              folder / str(num), status=status)
    (job.folder / ".hydra").mkdir(parents=True)
    (job.folder / ".hydra" / "config.yaml").write_text(
        f"scale: 0.0{num + 1}\nyears: 3\nwarmup_years: 4\n"
        "policy:\n  support:\n    kind: entitlement\n    cap_months: 12\n")
    if metrics is not None:
        (job.folder / "metrics.json").write_text(json.dumps(metrics))
    return job


def test_each_sweep_row_holds_its_own_jobs_metrics(tmp_path: Path) -> None:
    statuses = [COMPLETE, COMPLETE, FAILED, COMPLETE, MISSING, COMPLETE]
    jobs = [_job(tmp_path, i, s, {"cost_total_gbp": 1000.0 * (i + 1), "reentry_12m": i / 10,
                                  "maybe": None} if s == COMPLETE else None)
            for i, s in enumerate(statuses)]
    table = aggregate.sweep_table(jobs)
    assert list(table["job"]) == list(range(6)) and list(table["status"]) == statuses
    for i, row in table.iterrows():
        if statuses[i] == COMPLETE:
            own = json.loads((tmp_path / str(i) / "metrics.json").read_text())
            assert row["cost_total_gbp"] == own["cost_total_gbp"]
            assert row["reentry_12m"] == own["reentry_12m"]
            assert math.isnan(row["maybe"])  # null in metrics.json: empty, not None
        else:
            assert math.isnan(row["cost_total_gbp"])
        assert row["seed"] == i + 1 and row["policy/support"] == "entitlement"
        assert row["scale"] == pytest.approx(0.01 * (i + 1)) and row["support_cap_months"] == 12
    assert "run.resume" not in table.columns  # the command's switches are not columns
    assert math.isnan(table.loc[0, "treatment_share"])


def test_councils_table_stacks_each_jobs_own_councils(tmp_path: Path) -> None:
    jobs = [_job(tmp_path, i, COMPLETE if i != 1 else FAILED, {"x": 1.0}) for i in range(3)]
    for j in jobs:
        pd.DataFrame({"council": ["C001", "C002"], "v": [j.num, 10 * j.num]}).to_csv(
            j.folder / "councils.csv", index=False)
    table = aggregate.councils_table(jobs)
    assert list(table["job"]) == [0, 0, 2, 2] and list(table["v"]) == [0, 0, 2, 20]
    assert list(table["seed"]) == [1, 1, 3, 3]
    assert list(table.columns) == ["job", "seed", "policy/support", "council", "v"]
    assert list(table.index) == [0, 1, 2, 3]
    assert aggregate.councils_table([jobs[1]]).empty  # no complete job: an empty table


def test_sweep_rows_hold_the_levers_as_each_jobs_config_set_them(tmp_path: Path) -> None:
    full, bare, none = (Job(i, [f"seed={i}"], tmp_path / str(i), status=FAILED)
                        for i in range(3))
    for job, text in ((full, "scale: 0.2\nyears: 7\nwarmup_years: 3\npolicy:\n"
                             "  support: {kind: capped, cap_months: 6}\n"
                             "  monitoring: {kind: minimum_months, min_months: 24}\n"
                             "  treatment: {kind: access, share: 0.4}\n"
                             "sensitivity: {support_cost: 0.5, support_effect: 2.0}\n"),
                      (bare, "scale: 0.1\n")):
        (job.folder / ".hydra").mkdir(parents=True)
        (job.folder / ".hydra" / "config.yaml").write_text(text)
    table = aggregate.sweep_table([full, bare, none]).set_index("job")
    assert table.loc[0, list(aggregate.LEVER_COLUMNS)].tolist() == [
        0.2, 7, 3, "capped", 6, 24, 0.4, 0.5, 2.0]
    # what a config leaves out is the status quo (treatment: each council's own share)
    bare_row = table.loc[1, list(aggregate.LEVER_COLUMNS)].tolist()
    assert bare_row[0] == 0.1 and bare_row[3] == "status_quo" and bare_row[5] == 0
    assert bare_row[7:] == [1.0, 1.0]
    assert all(math.isnan(bare_row[i]) for i in (1, 2, 4, 6))
    # no composed config at all: every lever empty
    assert all(math.isnan(v) for v in table.loc[2, list(aggregate.LEVER_COLUMNS)])
