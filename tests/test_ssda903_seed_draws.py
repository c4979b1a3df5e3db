"""What a run from data draws that SSDA903 does not record (issue 23: mutation testing of
``sim/ssda903/seed.py``'s ``initial_table``, ``_draw_ages`` and ``council_data`` with a
fit). Hand-made children tables and parameters; every share is checked against an
expectation worked out here (the parameters' shares, the two-state chain's matrix
exponential, the rejection's conditional probability) within 4 binomial standard errors,
so a test fails for a wrong draw, not by chance (a fixed seed: the same result each run)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import expm

from sim.agents.child import EntryReason
from sim.initial_stock import AGE_OUT, COLUMNS
from sim.ssda903.seed import CouncilData, DataError, _draw_ages, council_data, initial_table

NEGLECT, ABUSE, OTHER = (int(EntryReason.NEGLECT), int(EntryReason.OTHER_ABUSE),
                         int(EntryReason.OTHER))
BANDS = [0.0, 12.0, 60.0, 120.0, 192.0, 215.0]


def _entry(neglect: float = 0.3, abuse: float = 0.2,
           an: tuple = (0.4, 0.3, 0.1, 0.1), other: tuple = (0.05, 0.05, 0.1, 0.3)
           ) -> SimpleNamespace:
    return SimpleNamespace(
        share_neglect=neglect, share_other_abuse=abuse,
        age_under1_abuse_neglect=an[0], age_1to4_abuse_neglect=an[1],
        age_5to9_abuse_neglect=an[2], age_10to15_abuse_neglect=an[3],
        age_under1_other=other[0], age_1to4_other=other[1], age_5to9_other=other[2],
        age_10to15_other=other[3])


def _family(**kw: float) -> SimpleNamespace:
    base = dict(substance_prevalence_other=0.1, substance_prevalence_abuse_neglect=0.5,
                domestic_abuse_prevalence=0.4, mental_health_prevalence=0.8,
                other_reason_problem_multiplier=1.5, resolve_substance=0.3,
                resolve_domestic_abuse=0.1, resolve_mental_health=0.05,
                in_care_resolution_multiplier=0.5, relapse=0.2)
    return SimpleNamespace(**{**base, **kw})


def _params(entry: SimpleNamespace | None = None, family: SimpleNamespace | None = None,
            var: float = 0.5) -> SimpleNamespace:
    return SimpleNamespace(entry=entry or _entry(), family=family or _family(),
                           after_return=SimpleNamespace(frailty_variance=var),
                           placement=SimpleNamespace(moves=False))


def _kids(n: int, need: str, *, location: str = "in_care", start: float = -2.0,
          ret: float = np.nan, unplanned: bool = False, age: float = 60.0) -> pd.DataFrame:
    home = location == "at_home"
    return pd.DataFrame({
        "location": [location] * n, "need": [need] * n, "age_months": [age] * n,
        "care_order": [False] * n, "placement": [-1 if home else 0] * n,
        "place_code": [None if home else "U1"] * n, "period_start": [start] * n,
        "return_time": [ret if home else np.nan] * n, "unplanned": [unplanned] * n,
        "episodes": [1] * n, "returns": [1 if home else 0] * n,
        "first_return_time": [ret if home else np.nan] * n})


def _data(*blocks: pd.DataFrame, groups: np.ndarray | None = None) -> CouncilData:
    kids = pd.concat(blocks, ignore_index=True)
    kids.insert(0, "group", np.arange(len(kids)) if groups is None else groups)
    return CouncilData(name="C", la="LA1", extract_date=pd.Timestamp("2020-04-01"),
                       children=kids, starts_per_year=10.0, fit=None, counts={}, quality="")


def _near(got: float, p: float, n: int) -> None:
    """A share of ``n`` draws within 4 binomial standard errors of ``p``."""
    se = max(np.sqrt(p * (1 - p) / n), 1e-9)
    assert abs(got - p) <= 4 * se, f"share {got:.4f}, expected {p:.4f} (n {n})"


def _bit(t: pd.DataFrame, col: str, k: int) -> np.ndarray:
    return (t[col].to_numpy() >> k) & 1 == 1


def _chain(resolve_month: float, relapse_month: float, months: float) -> np.ndarray:
    """The 2x2 transition matrix (unresolved, resolved) over ``months``, for monthly
    chances of resolving and relapsing (the rate whose month gives that chance)."""
    r, b = -np.log(1 - resolve_month), -np.log(1 - relapse_month)
    return expm(np.array([[-r, r], [b, -b]]) * months)


# ------------------------------------------------------------------ entry reasons
@pytest.mark.parametrize("neglect, abuse", [(0.3, 0.2), (0.9, 0.6)])
def test_entry_reasons_split_abuse_and_neglect_and_draw_the_unknown(neglect: float,
                                                                    abuse: float) -> None:
    n = 6000
    t = initial_table(_data(_kids(n, "abuse_neglect"), _kids(n, "other"),
                            _kids(n, "unknown")), _params(_entry(neglect, abuse)), 1,
                      thoroughness=0.5)
    assert list(t.columns) == list(COLUMNS) and len(t) == 3 * n
    an, ot, un = (t["reason"].to_numpy()[i * n:(i + 1) * n] for i in range(3))
    assert (ot == OTHER).all()  # SSDA903's other categories of need: the model's other
    assert not (an == OTHER).any()  # N1: neglect or other abuse, in their shares
    _near((an == NEGLECT).mean(), neglect / (neglect + abuse), n)
    # unknown: the entry shares, taken in proportion when they add up to more than 1
    rest = max(0.0, 1 - neglect - abuse)
    total = neglect + abuse + rest
    for r, p in ((NEGLECT, neglect), (ABUSE, abuse), (OTHER, rest)):
        _near((un == r).mean(), p / total, n)


# ------------------------------------------------------------------ problems present
def test_problems_are_present_as_at_entry_by_reason() -> None:
    n = 6000
    t = initial_table(_data(_kids(n, "other"), _kids(n, "abuse_neglect")), _params(), 2,
                      thoroughness=0.5)
    # other reason: substance 0.1; domestic 0.4 x 1.5; mental health 0.8 x 1.5, at most 1
    for rows, want in ((slice(0, n), (0.1, 0.6, 1.0)), (slice(n, 2 * n), (0.5, 0.4, 0.8))):
        part = t.iloc[rows]
        for k, p in enumerate(want):
            _near(_bit(part, "problems", k).mean(), p, n)
        # unresolved only where present
        assert not (part["unresolved"].to_numpy() & ~part["problems"].to_numpy()).any()


# ------------------------------------------------------------------ unresolved at month 0
def test_in_care_problems_stay_unresolved_as_the_chain_in_care_says() -> None:
    """Every problem present (prevalences 1), unresolved at the start of the period two
    months ago, resolving at half the rate in care; no selection (thoroughness is for
    returns)."""
    n = 8000
    fam = _family(substance_prevalence_abuse_neglect=1.0, domestic_abuse_prevalence=1.0,
                  mental_health_prevalence=1.0)
    t = initial_table(_data(_kids(n, "abuse_neglect", start=-2.0)), _params(family=fam), 3,
                      thoroughness=0.7)
    assert (t["problems"] == 7).all()
    for k, res in enumerate((0.3, 0.1, 0.05)):
        # half the rate: the monthly chance whose rate is half
        res_care = 1 - np.exp(0.5 * np.log(1 - res))
        _near(_bit(t, "unresolved", k).mean(), _chain(res_care, 0.2, 2.0)[0, 0], n)


@pytest.mark.parametrize("thoroughness", [0.0, 0.3, 1.0])
def test_a_return_selects_families_without_unresolved_problems(thoroughness: float) -> None:
    """One problem (substance, always present), six months since the start, the return
    three months ago. At the return it is unresolved with chance p (the chain in care); a
    planned return keeps a family with it unresolved at 1 - thoroughness of the rate of one
    without, so P(unresolved at the return) = p(1 - t) / (p(1 - t) + 1 - p); an unplanned
    return does not select. Then three months of the chain at home."""
    n = 12000
    fam = _family(substance_prevalence_abuse_neglect=1.0, domestic_abuse_prevalence=0.0,
                  mental_health_prevalence=0.0)
    kw = dict(location="at_home", start=-6.0, ret=-3.0)
    t = initial_table(_data(_kids(n, "abuse_neglect", **kw),
                            _kids(n, "abuse_neglect", unplanned=True, **kw)),
                      _params(family=fam), 4, thoroughness=thoroughness)
    assert (t["problems"] == 1).all() and not (t["unresolved"] & 6).any()
    res_care = 1 - np.exp(0.5 * np.log(1 - 0.3))
    p = _chain(res_care, 0.2, 3.0)[0, 0]
    home = _chain(0.3, 0.2, 3.0)
    kept = p * (1 - thoroughness) / (p * (1 - thoroughness) + 1 - p)
    for rows, at_return in ((slice(0, n), kept), (slice(n, 2 * n), p)):
        now = at_return * home[0, 0] + (1 - at_return) * home[1, 0]
        _near(_bit(t.iloc[rows], "unresolved", 0).mean(), now, n)


# ------------------------------------------------------------------ frailty
def test_frailty_is_gamma_with_mean_one_and_the_variance_or_one() -> None:
    n = 10000
    data = _data(_kids(n, "other"))
    f = initial_table(data, _params(var=0.5), 5, thoroughness=0.5)["frailty"].to_numpy()
    assert abs(f.mean() - 1.0) <= 4 * np.sqrt(0.5 / n)
    # sample variance of a gamma (shape 2): sd about sqrt(var^2 (2 + 6 var) / n)
    assert abs(f.var() - 0.5) <= 4 * np.sqrt(0.25 * 5 / n)
    assert len(np.unique(f)) == n
    ones = initial_table(data, _params(var=0.0), 5, thoroughness=0.5)["frailty"]
    assert (ones == 1.0).all()


# ------------------------------------------------------------------ ages
def test_unknown_ages_are_drawn_by_the_familys_reason_plus_the_months_since() -> None:
    """Other reason: all enter aged 10 to 15; abuse or neglect: all under 1. Group numbers
    out of the children's order (families of two), 24 months in care: the age at entry
    (age + period_start) lies in the band of the child's own family's reason."""
    m = 1000
    e = _entry(an=(1.0, 0.0, 0.0, 0.0), other=(0.0, 0.0, 0.0, 1.0))
    rng = np.random.default_rng(0)
    groups = np.repeat(rng.permutation(2 * m), 2)
    need = np.where(groups % 2 == 0, "other", "abuse_neglect")
    kids = _kids(len(need), "", start=-24.0, age=np.nan).assign(need=need)
    t = initial_table(_data(kids, groups=groups), _params(e), 6, thoroughness=0.5)
    assert len(t) == 4 * m
    entry = t["age_months"].to_numpy() + t["period_start"].to_numpy()
    other = t["reason"].to_numpy() == OTHER
    assert (other == (need == "other")).all()
    assert ((entry >= 120) & (entry < 192))[other].all()
    assert ((entry >= 0) & (entry < 12))[~other].all()
    # families numbered 0.. in the table's order, one number a group
    fam = t["family"].to_numpy()
    assert sorted(set(fam)) == list(range(2 * m))
    assert (fam[0::2] == fam[1::2]).all() and fam[0] == 0


def test_children_who_would_be_18_are_left_out_and_families_renumbered() -> None:
    """Aged 10 to 15 at entry (uniform over 120-192 months), 60 months ago: 180 to 252
    now, so half are 18 or over and left out; a known 216 months is 18."""
    n = 4000
    e = _entry(an=(0.0, 0.0, 0.0, 1.0))
    t = initial_table(_data(_kids(1, "abuse_neglect", age=AGE_OUT),
                            _kids(n, "abuse_neglect", start=-60.0, age=np.nan),
                            _kids(1, "abuse_neglect", age=100.0)), _params(e), 7,
                      thoroughness=0.5)
    assert (t["age_months"] < AGE_OUT).all() and (t["age_months"] >= 180).sum() == len(t) - 1
    _near((len(t) - 1) / n, (AGE_OUT - 180) / 72, n)
    assert t["age_months"].iat[-1] == 100.0
    assert t["family"].tolist() == list(range(len(t)))


@pytest.mark.parametrize("other_shares", [(0.05, 0.05, 0.1, 0.3), (0.5, 0.5, 0.5, 0.5)])
def test_drawn_ages_follow_the_entry_bands_by_reason(other_shares: tuple) -> None:
    n = 10000
    e = _entry(other=other_shares)
    reason = np.concatenate([np.full(n, NEGLECT), np.full(n, OTHER), np.full(n, ABUSE)])
    age = _draw_ages(np.random.default_rng(8), e, reason)
    assert ((age >= 0) & (age < 215)).all()
    band = np.digitize(age, BANDS[1:-1])
    for rows, sh in ((np.r_[0:n, 2 * n:3 * n], (0.4, 0.3, 0.1, 0.1)),
                     (np.r_[n:2 * n], other_shares)):
        p = np.array(list(sh) + [max(0.0, 1 - sum(sh))])
        p = p / p.sum()
        for b in range(5):
            _near((band[rows] == b).mean(), p[b], len(rows))
    # uniform within its band: the position in the band has mean 1/2, half below 1/2
    lo, hi = np.array(BANDS[:-1])[band], np.array(BANDS[1:])[band]
    pos = (age - lo) / (hi - lo)
    assert abs(pos.mean() - 0.5) <= 4 * np.sqrt(1 / 12 / len(age))
    _near((pos < 0.5).mean(), 0.5, len(age))


# ------------------------------------------------------------------ council_data and a fit
HEAD = ("LA,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n")
HEADER = "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def _one_child_files(tmp_path: Path) -> Path:
    """A folder of SSDA903 files of council LA1 with one child in care since May 2015."""
    d = tmp_path / "files"
    d.mkdir()
    (d / "episodes.csv").write_text(HEAD + "LA1,A,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n")
    (d / "header.csv").write_text(HEADER + "LA1,A,1,01/01/2010,WBRI,,,\n")
    return d


def test_a_fit_file_sets_the_practice_and_scale_and_is_read_again_when_changed(
        tmp_path: Path) -> None:
    d = _one_child_files(tmp_path)
    fit = tmp_path / "fit.json"
    base = {"council": "LA1", "extract_date": "2016-04-01",
            "children_in_care_at_extract_date": 1}
    fit.write_text(json.dumps({**base, "return_propensity": 0.7, "thoroughness": 0.4,
                               "scale": 0.02}))
    without = council_data(str(d))
    assert without.fit is None and without.practice() == {}
    data = council_data(str(d), fit=str(fit))
    assert data.practice() == {"return_propensity": 0.7, "thoroughness": 0.4}
    assert data.scale(1000.0) == 0.02
    # the same file written again (a new fit): read again, not the cached one
    fit.write_text(json.dumps({**base, "return_propensity": 1.3, "thoroughness": 0.9,
                               "scale": 0.05}))
    st = fit.stat()
    os.utime(fit, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    again = council_data(str(d), fit=str(tmp_path))  # the folder holding fit.json
    assert again.practice() == {"return_propensity": 1.3, "thoroughness": 0.9}
    assert again.scale(1000.0) == 0.05


@pytest.mark.parametrize("thoroughness", [0.5, 0.8])
def test_the_state_at_a_return_on_the_extract_date_is_the_selected_one(
        thoroughness: float) -> None:
    """A return just before the extract date (0.001 months): the state now is the state at
    the return. A family with its problem unresolved is redrawn at ``thoroughness`` and one
    without it is never redrawn, so P = p(1 - t) / (p(1 - t) + 1 - p), seed by seed (a
    family drawn resolved and redrawn anyway would give (1 - t) p + t P instead)."""
    n = 10000
    fam = _family(substance_prevalence_abuse_neglect=1.0, domestic_abuse_prevalence=0.0,
                  mental_health_prevalence=0.0)
    data = _data(_kids(n, "abuse_neglect", location="at_home", start=-6.0, ret=-0.001))
    res_care = 1 - np.exp(0.5 * np.log(1 - 0.3))
    p = _chain(res_care, 0.2, 6.0)[0, 0]
    home = _chain(0.3, 0.2, 0.001)
    kept = p * (1 - thoroughness) / (p * (1 - thoroughness) + 1 - p)
    now = kept * home[0, 0] + (1 - kept) * home[1, 0]
    for seed in range(6):
        t = initial_table(data, _params(family=fam), seed, thoroughness=thoroughness)
        _near(_bit(t, "unresolved", 0).mean(), now, n)


def test_the_council_number_is_the_one_given_or_0() -> None:
    data = _data(_kids(3, "other"))
    assert (initial_table(data, _params(), 1, thoroughness=0.5)["council"] == 0).all()
    assert (initial_table(data, _params(), 1, thoroughness=0.5, council=4)["council"]
            == 4).all()


def test_a_fit_of_another_extract_or_broken_is_refused_naming_the_field(
        tmp_path: Path) -> None:
    d = _one_child_files(tmp_path)
    allowed = ("allowed: the fit.json that revolving-door-data fit wrote for the same "
               "council's files")
    good = {"council": "LA1", "extract_date": "2016-04-01",
            "children_in_care_at_extract_date": 1, "return_propensity": 0.7,
            "thoroughness": 0.4, "scale": 0.02}
    for i, (text, says) in enumerate((
            ("{not json", "is not a readable fit.json ("),
            (json.dumps({**good, "scale": -1}), ": scale is -1; allowed: a number of at "
                                                 "least 0; "),
            (json.dumps({**good, "council": "LA9"}),
             " was fitted to council 'LA9', extract date 2016-04-01, 1 children in care "
             "then; councils.path holds council 'LA1', extract date 2016-04-01, 1 children "
             "in care then; "),
            (json.dumps({**good, "council": ""}),
             " was fitted to council '(no LA column)', extract date 2016-04-01, 1 children"),
            (json.dumps({k: v for k, v in good.items() if k != "scale"}),
             " has no scale (a fit written before runs from data could read it: fit "
             "again); "))):
        fit = tmp_path / f"fit{i}.json"
        fit.write_text(text, encoding="utf-8")
        with pytest.raises(DataError) as err:
            council_data(str(d), fit=str(fit))
        msg = str(err.value)
        assert msg.startswith(f"councils.fit: {fit}") and says in msg, msg
        assert msg.endswith(allowed), msg


def test_the_named_council_keeps_its_own_rows_and_a_line_without_reasons(
        tmp_path: Path) -> None:
    from sim.ssda903.seed import left_out_line

    d = tmp_path / "two"
    d.mkdir()
    (d / "episodes.csv").write_text(HEAD + "LA1,A,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n"
                                    "LA2,B,01/06/2015,S,C2,N2,U3,PR1,,,,,,\n")
    (d / "header.csv").write_text(HEADER + "LA1,A,1,01/01/2010,WBRI,,,\n"
                                  "LA2,B,1,01/01/2011,WBRI,,,\n")
    # B: born 1 Jan 2011, 63 months on 1 Apr 2016; in care since 1 Jun 2015, other need
    kids = council_data(str(d), council="LA2").children
    assert kids["age_months"].tolist() == [63.0] and kids["need"].tolist() == ["other"]
    assert left_out_line({"episode_rows_read": 10, "episode_rows_left_out": 0,
                          "share": 0.0}) == (
        "Data-quality checks: 0 of 10 episode rows left out (0.0%).")


def test_the_latest_place_code_is_kept_for_children_in_care_only(tmp_path: Path) -> None:
    d = tmp_path / "places"
    d.mkdir()
    # 0: adopted (not kept); A: in care, moved from U3 to P1 (the latest); B: went home
    # (E4A) from K2 (the children kept are not the reader's first numbers)
    (d / "episodes.csv").write_text(
        HEAD + "LA1,0,01/01/2015,S,C2,N1,U3,PR1,01/03/2015,E11,,,,\n"
        "LA1,A,01/05/2015,S,C2,N1,U3,PR1,01/09/2015,X1,,,,\n"
        "LA1,A,01/09/2015,T,C2,N1,P1,PR1,,,,,,\n"
        "LA1,B,01/06/2015,S,C2,N1,K2,PR1,01/10/2015,E4A,,,,\n")
    (d / "header.csv").write_text(HEADER + "LA1,0,1,01/01/2012,WBRI,,,\n"
                                  "LA1,A,1,01/01/2010,WBRI,,,\nLA1,B,1,01/01/2011,WBRI,,,\n")
    kids = council_data(str(d)).children
    assert kids["location"].tolist() == ["in_care", "at_home"]
    assert kids["place_code"].iat[0] == "P1" and pd.isna(kids["place_code"].iat[1])


# ------------------------------------------------------------------ frailty given history
def _posterior_mean(var: float, failures: int, hazard: float) -> float:
    """The mean frailty given ``failures`` re-entries over cumulative hazard ``hazard``,
    by Bayes' rule on a grid (prior gamma of mean 1 and variance ``var`` times the
    likelihood ``z^failures exp(-z hazard)``): a second way of counting, not the conjugate
    formula the code uses."""
    from scipy.stats import gamma
    z = np.linspace(1e-6, 40.0, 400_001)
    post = gamma.pdf(z, a=1.0 / var, scale=var) * z ** failures * np.exp(-z * hazard)
    return float((z * post).sum() / post.sum())


def test_frailty_is_drawn_given_the_familys_times_at_home_after_a_return() -> None:
    """Issue 24: a family at home for two years after a return without coming back is
    likelier of low risk, one that came back after six months of high. With the council's
    re-entry curve S (80% still home at 6 months, 60% at 24) and the model's gamma
    frailty, the baseline hazard is H(m) = (S(m)^-var - 1) / var; the families' mean
    frailties are checked against Bayes' rule worked on a grid, within 4 standard
    errors; a family without a return keeps the unconditional mean 1. Fails if the
    frailty is drawn as for a new family (the code before issue 24's change), or if the
    re-entries or the months at home are left out."""
    from sim.ssda903.seed import frailty_given_history
    var, n = 0.5, 20_000
    survival = np.interp(np.arange(37), [0, 6, 24, 36], [1.0, 0.8, 0.6, 0.55])
    h6, h24 = (0.8 ** -var - 1) / var, (0.6 ** -var - 1) / var
    cases = {"no return": ((), 1.0),
             "home 24 months, still home": (((24.0, False),), _posterior_mean(var, 0, h24)),
             "back after 6 months": (((6.0, True),), _posterior_mean(var, 1, h6)),
             "back after 6, then home 24": (((6.0, True), (24.0, False)),
                                            _posterior_mean(var, 1, h6 + h24))}
    spells = [sp for sp, _m in cases.values() for _ in range(n)]
    z = frailty_given_history(np.random.default_rng(5), var, spells, survival)
    for i, (name, (_sp, mean)) in enumerate(cases.items()):
        got = z[i * n:(i + 1) * n]
        se = got.std() / np.sqrt(n)
        assert abs(got.mean() - mean) <= 4 * se, f"{name}: mean {got.mean():.3f}, " \
            f"expected {mean:.3f}"
    assert cases["home 24 months, still home"][1] < 0.85 < 1.2 < cases["back after 6 months"][1]
    # no frailty variance: every family 1; no re-entry curve: the unconditional gamma
    assert (frailty_given_history(np.random.default_rng(1), 0.0, spells[:5], survival)
            == 1.0).all()
    z0 = frailty_given_history(np.random.default_rng(5), var, spells[n:2 * n], None)
    assert abs(z0.mean() - 1.0) <= 4 * z0.std() / np.sqrt(n)


def test_a_childs_times_at_home_are_read_from_the_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """children_at: a child who went home, came back 6 months later, went home again 2
    years before the extract date has two times at home, one ended by a re-entry; the
    council's re-entry curve is the Kaplan-Meier of its returns (here one re-entry of two
    returns followed: half back by month 6)."""
    from sim.ssda903.seed import children_at, reentry_survival
    from sim.ssda903.measure import months
    d = pd.Timestamp("2020-04-01")
    rows = [("A", "2016-04-01", "2017-04-01", "E4A"), ("A", "2017-10-01", "2018-04-01", "E4A")]
    ep = pd.DataFrame({
        "child": [r[0] for r in rows], "DECOM": pd.to_datetime([r[1] for r in rows]),
        "DEC": pd.to_datetime([r[2] for r in rows]), "REC": [r[3] for r in rows],
        "RNE": "S", "LS": "V2", "CIN": "N1", "PLACE": "U1", "la": "", "file": 0, "row": [0, 1],
        "dob": pd.Timestamp("2012-01-01")})
    kids, _ = children_at(ep, d)
    (sp,) = kids["home_spells"].tolist()
    m1 = float(months(pd.Series([pd.Timestamp("2017-10-01")]), pd.Timestamp("2017-04-01"))[0])
    m2 = float(months(pd.Series([d]), pd.Timestamp("2018-04-01"))[0])
    assert [(round(m, 6), e) for m, e in sp] == [(round(m1, 6), True), (round(m2, 6), False)]
    assert kids["failed_returns"].tolist() == [1]
    s = reentry_survival(ep, d)
    assert s[0] == 1.0 and s[5] == 1.0 and s[7] == pytest.approx(0.5)


def test_the_initial_table_draws_frailty_given_the_files_history() -> None:
    """initial_table passes each family's times at home and the council's re-entry curve
    to the frailty draw: families at home 24 months after a return have the mean frailty
    Bayes' rule gives (worked on a grid), families in care without a return the
    unconditional 1. Fails if the table draws every family's frailty as a new family's."""
    import dataclasses
    n, var = 6000, 0.5
    survival = np.interp(np.arange(37), [0, 6, 24, 36], [1.0, 0.8, 0.6, 0.55])
    home = _kids(n, "abuse_neglect", location="at_home", start=-40.0, ret=-24.0)
    home["home_spells"] = [((24.0, False),)] * n
    care = _kids(n, "abuse_neglect")
    care["home_spells"] = [()] * n
    data = dataclasses.replace(_data(home, care), reentry_survival=survival)
    t = initial_table(data, _params(var=var), 4, thoroughness=0.5)
    at_home = (t["location"] == "at_home").to_numpy()
    want = _posterior_mean(var, 0, (0.6 ** -var - 1) / var)
    for sel, mean in ((at_home, want), (~at_home, 1.0)):
        z = t.loc[sel, "frailty"].to_numpy()
        assert abs(z.mean() - mean) <= 4 * z.std() / np.sqrt(len(z)), (z.mean(), mean)
