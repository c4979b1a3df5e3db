"""A simulated run's children written as SSDA903 ``episodes.csv`` and ``header.csv``.

Each period of care of a child in the model is one episode (``RNE = S``), or with
placements over a period of care on one episode a placement (a move starts an episode with
``RNE = P``, :func:`split_at_moves`), with codes from
:mod:`sim.ssda903.codes` (``WRITE_*`` tables): placement and provider from the model's
placement, legal status from care proceedings (``C1``) or not (``V2``), the reason the
period ended from how the model ended it (a return home is ``E4A``), and the category of
need from the family's entry reason. What the model does not have is drawn from the run's
own seeded ``ssda903`` stream, one number a child (sex, and which of N2-N8 an ``other``
reason is), or written as a placeholder: ``ETHNIC = NOBT`` (information not yet obtained),
``UPN`` the DfE's code for an unknown UPN at the child's age (``UN1``, ``UN2``), ``MOTHER``
``0`` for girls, postcodes and ``URN`` blank. Dates and episodes follow the DfE's validation
rules on a return (:func:`_follow_rules`). Identifiers are the model's child numbers.

**Dates.** Model month 0 is 1 April of ``start_year - warmup_years`` (so the measured period
starts on 1 April ``start_year``). A time ``t`` in months is the day it falls in: month
``floor(t)`` after that origin, day ``1 + floor(frac(t) * days in that month)``. Rounding
down keeps every event in the model month it happened in, so counts over months and years
come back exactly; a duration comes back to within a day (less than 1/28 month).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.agents.child import Placement
from sim.rng import Streams
from sim.ssda903 import codes

DATE_FORMAT = "%d/%m/%Y"


def origin_year(start_year: int, warmup_years: int) -> int:
    """The calendar year whose 1 April is model month 0."""
    return int(start_year) - int(warmup_years)


def model_dates(t: np.ndarray, year0: int) -> pd.DatetimeIndex:
    """The day each model time ``t`` (months from 1 April ``year0``) falls in; NaT for NaN."""
    t = np.asarray(t, dtype=float)
    ok = ~np.isnan(t)
    m = np.floor(np.where(ok, t, 0.0))
    frac = np.where(ok, t, 0.0) - m
    ym = year0 * 12 + 3 + m.astype(np.int64)  # 3: April, counting January as 0
    first = pd.to_datetime(pd.DataFrame({"year": ym // 12, "month": ym % 12 + 1, "day": 1}))
    dim = first.dt.days_in_month.to_numpy()
    day = np.minimum(np.floor(frac * dim).astype(np.int64), dim - 1)
    out = pd.DatetimeIndex(first + pd.to_timedelta(day, unit="D"))
    return out.where(ok, pd.NaT)


def _draw_codes(children: np.ndarray, reasons: np.ndarray, seed: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Sex and category of need for each child, from the run's ``ssda903`` stream."""
    ks = Streams(seed).keyed("ssda903")
    sex = np.empty(len(children), dtype=object)
    cin = np.empty(len(children), dtype=object)
    tables = {int(r): (list(t), np.cumsum(list(t.values())) / sum(t.values()))
              for r, t in codes.WRITE_CIN.items()}
    for i, (c, r) in enumerate(zip(children.tolist(), reasons.tolist())):
        sex[i] = "1" if ks.uniform(c, 0) < codes.WRITE_SHARE_MALE else "2"
        names, cum = tables[r]
        cin[i] = names[min(int(np.searchsorted(cum, ks.uniform(c, 1), side="right")),
                           len(names) - 1)]
    return sex, cin


def upn_placeholder(dob: pd.Series, collection_year: int | np.ndarray) -> np.ndarray:
    """The unknown-UPN code for each child in the collection year ending 31 March
    ``collection_year``: ``UN1`` (not yet of school age) while the child is under 4 on the
    31 August before the collection year starts (rule 209), otherwise ``UN2`` (codes.UPN_UNKNOWN)."""
    start_year = np.asarray(collection_year) - 1  # the collection year starts 1 April of this
    ref = pd.to_datetime(pd.DataFrame({"year": np.broadcast_to(start_year - 1, len(dob)),
                                       "month": 8, "day": 31}))
    four = pd.DatetimeIndex(dob) + pd.DateOffset(years=4)
    school_age = np.asarray(ref.to_numpy() >= four.to_numpy())
    return np.where(school_age, codes.UPN_SCHOOL_AGE, codes.UPN_UNDER_SCHOOL_AGE)


def _collection_year(d: pd.DatetimeIndex) -> np.ndarray:
    return np.where(d.month >= 4, d.year + 1, d.year)


def _follow_rules(out: pd.DataFrame, dob18: np.ndarray) -> pd.DataFrame:
    """Dates and episodes made to pass the DfE's rules on a return (docs/ssda903.md, "The
    DfE's rules"): no period starting at or after 18 (352: such a start, the model's entry
    within a day of 18 rounded to the day, is written the day before the 18th birthday), no
    ``E17`` before 18 (460: the end is written on the 18th birthday), no episode starting
    and ending on one day (355: its end is written a day later, unless the child's next
    episode starts that day), and an adoption preceded by a placement for adoption (390: the
    period is split :data:`~sim.ssda903.codes.WRITE_PLACED_FOR_ADOPTION_MONTHS` before the
    adoption, or half way through a shorter period, the second episode ``A6`` under a placement order ``E1`` for a care order,
    ``A4`` (with consent) for accommodation under section 20; a period of under two days
    is written as the placement for adoption alone)."""
    day = pd.Timedelta(days=1)
    decom = pd.to_datetime(out["DECOM"], format=DATE_FORMAT).to_numpy()
    dec = pd.to_datetime(out["DEC"].replace("", None), format=DATE_FORMAT).to_numpy()
    dob18 = np.asarray(dob18, dtype="datetime64[ns]")
    late = decom >= dob18
    decom = np.where(late, dob18 - day, decom)
    e17 = (out["REC"].to_numpy() == "E17") & (dec < dob18)
    dec = np.where(e17, dob18, dec)
    child = out["CHILD"].to_numpy()
    next_start = np.full(len(out), np.datetime64("NaT"), dtype="datetime64[ns]")
    same = np.zeros(len(out), dtype=bool)
    same[:-1] = child[:-1] == child[1:]
    next_start[:-1] = np.where(same[:-1], decom[1:], np.datetime64("NaT"))
    short = (dec == decom) & ~(next_start <= decom + day)
    dec = np.where(short, decom + day, dec)
    out = out.copy()
    out["DECOM"] = pd.DatetimeIndex(decom).strftime(DATE_FORMAT)
    out["DEC"] = pd.Series(pd.DatetimeIndex(dec).strftime(DATE_FORMAT)).where(
        ~pd.isna(dec), "").to_numpy()
    adoption = out["REC"].isin(codes.ADOPTION_REC).to_numpy()
    adopted = adoption & (dec - decom >= 2 * day)
    at_once = adoption & ~adopted  # too short to split: the one episode is the placement
    if at_once.any():
        order = out["LS"].isin(codes.CARE_ORDER_LS).to_numpy()
        for col, (with_order, without) in codes.WRITE_PLACED_FOR_ADOPTION.items():
            if col != "RNE":
                out.loc[at_once, col] = np.where(order, with_order, without)[at_once]
    if adopted.any():
        months = pd.DateOffset(months=codes.WRITE_PLACED_FOR_ADOPTION_MONTHS)
        half = (decom[adopted] + (dec[adopted] - decom[adopted]) / 2).astype("datetime64[D]")
        split = np.maximum(pd.DatetimeIndex(dec[adopted]) - months,
                           pd.DatetimeIndex(half)).to_numpy()
        first = out[adopted].copy()
        second = out[adopted].copy()
        first["DEC"] = pd.DatetimeIndex(split).strftime(DATE_FORMAT)
        first["REC"] = codes.SAME_PERIOD_REC
        first["REASON_PLACE_CHANGE"] = codes.WRITE_ADOPTION_PLACE_CHANGE
        order = second["LS"].isin(codes.CARE_ORDER_LS).to_numpy()
        second["DECOM"] = first["DEC"].to_numpy()
        for col, (with_order, without) in codes.WRITE_PLACED_FOR_ADOPTION.items():
            second[col] = np.where(order, with_order, without)
        keep = out[~adopted]
        out = pd.concat([keep, first, second]).reset_index(names="_row")
        out["_d"] = pd.to_datetime(out["DECOM"], format=DATE_FORMAT)
        out = out.sort_values(["_row", "_d"], kind="stable").drop(columns=["_row", "_d"])
    return out.reset_index(drop=True)


def split_at_moves(episodes: pd.DataFrame, moves: pd.DataFrame | None) -> pd.DataFrame:
    """The episode log split at each placement change within a period of care
    (:meth:`sim.records.EpisodeLog.moves_frame`; :mod:`sim.placements`): one row a
    placement, in order of child then start, with ``move`` (True for a placement that began
    with a move, False for the first of a period) and ``same_type_run`` (how many
    placements of the same type came just before it in the period). A placement that a
    move ends has ``end_kind`` -2 (the period goes on); the last keeps the period's end.
    Without moves, the episodes as they are (``move`` False, ``same_type_run`` 0)."""
    ep = episodes.sort_values(["child", "start"], kind="stable").reset_index(drop=True)
    ep["move"] = False
    ep["same_type_run"] = 0
    if moves is None or len(moves) == 0:
        return ep
    ep["_period"] = np.arange(len(ep))
    mv = moves.sort_values("time", kind="stable")
    owner = pd.merge_asof(mv.rename(columns={"time": "start"}),
                          ep[["child", "start", "_period"]].sort_values("start", kind="stable"),
                          on="start", by="child", direction="backward")
    if owner["_period"].isna().any():
        raise ValueError("a placement move outside every period of care of its child")
    rows = ep.loc[owner["_period"].astype(np.int64).to_numpy()].copy()
    rows["start"] = owner["start"].to_numpy()
    rows["placement"] = owner["placement"].to_numpy()
    rows["move"] = True
    out = pd.concat([ep, rows]).sort_values(["_period", "start"], kind="stable")
    out = out.reset_index(drop=True)
    period = out["_period"].to_numpy()
    last = np.ones(len(out), dtype=bool)
    last[:-1] = period[:-1] != period[1:]
    nxt = np.empty(len(out))
    nxt[:-1] = out["start"].to_numpy()[1:]
    out.loc[~last, "end"] = nxt[~last]
    out.loc[~last, "end_kind"] = -2
    place = out["placement"].to_numpy()
    same = np.zeros(len(out), dtype=bool)
    same[1:] = (period[1:] == period[:-1]) & (place[1:] == place[:-1])
    run_id = np.cumsum(~same)
    out["same_type_run"] = pd.Series(same.astype(np.int64)).groupby(run_id).cumsum().to_numpy()
    return out.drop(columns="_period")


def _placement_codes(ep: pd.DataFrame, dob: pd.Series, year0: int) -> tuple[list, list]:
    """``PLACE`` and ``PLACE_PROVIDER`` of each placement: :data:`codes.WRITE_PLACE`; an
    ``other`` placement of a child under 16 :data:`codes.WRITE_PLACE_OTHER_UNDER16`; a
    placement of the same type as the one before it in the period (a move within type)
    with the other provider of :data:`codes.WRITE_PROVIDER_ALTERNATE` every second time, so
    that the episode shows the change of placement (rule 435)."""
    place = {int(p): v for p, v in codes.WRITE_PLACE.items()}
    p = ep["placement"].to_numpy()
    code = np.array([place[int(x)][0] for x in p], dtype=object)
    prov = np.array([place[int(x)][1] for x in p], dtype=object)
    other = p == int(Placement.OTHER)
    if other.any():
        born = pd.DatetimeIndex(dob.reindex(ep["child"].astype(str)).to_numpy())
        start = model_dates(ep["start"].to_numpy(), year0)
        young = other & np.asarray(start < born + pd.DateOffset(years=16))
        code[young] = codes.WRITE_PLACE_OTHER_UNDER16[0]
        prov[young] = codes.WRITE_PLACE_OTHER_UNDER16[1]
    alt = ep["same_type_run"].to_numpy() % 2 == 1
    if alt.any():
        prov[alt] = [codes.WRITE_PROVIDER_ALTERNATE[v] for v in prov[alt]]
    return code.tolist(), prov.tolist()


def ssda903_frames(episodes: pd.DataFrame, *, seed: int, start_year: int, warmup_years: int,
                   councils: list[str], moves: pd.DataFrame | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(episodes, header)`` tables in SSDA903 layout from a run's episode log
    (:meth:`sim.records.Records.episodes_frame`), following the DfE's rules on a return
    (:func:`_follow_rules`). An ``LA`` column is added when the run has more than one
    council (a regional file: :func:`write_ssda903` also writes one file a council).
    ``UPN`` is for the collection year of the child's latest date (see
    :func:`upn_placeholder`; the annual files have each year's)."""
    year0 = origin_year(start_year, warmup_years)
    ep = split_at_moves(episodes, moves)
    kids = ep.drop_duplicates("child")
    sex, cin = _draw_codes(kids["child"].to_numpy(), kids["reason"].to_numpy(), seed)
    cin_of = pd.Series(cin, index=kids["child"].to_numpy())
    rec = {int(k): v for k, v in codes.WRITE_REC.items()}
    rec[-2] = codes.SAME_PERIOD_REC  # a placement a move ends (split_at_moves)
    kind = ep["end_kind"].to_numpy()
    closed = (kind >= 0) | (kind == -2)
    dob = pd.Series(model_dates(kids["birth"].to_numpy(), year0), index=kids["child"].astype(str))
    place, provider = _placement_codes(ep, dob, year0)
    out = pd.DataFrame({
        "CHILD": ep["child"].astype(str),
        "DECOM": model_dates(ep["start"].to_numpy(), year0).strftime(DATE_FORMAT),
        "RNE": np.where(ep["move"].to_numpy(), codes.PLACEMENT_MOVE_RNE, codes.NEW_PERIOD_RNE),
        "LS": np.where(ep["care_order"].to_numpy(), codes.WRITE_LS[True], codes.WRITE_LS[False]),
        "CIN": cin_of.reindex(ep["child"].to_numpy()).to_numpy(),
        "PLACE": place,
        "PLACE_PROVIDER": provider,
        "DEC": pd.Series(model_dates(ep["end"].to_numpy(), year0).strftime(DATE_FORMAT)
                         ).where(closed, "").to_numpy(),
        "REC": [rec[k] if (k >= 0 or k == -2) else "" for k in kind.tolist()],
        "REASON_PLACE_CHANGE": np.where(kind == -2, codes.WRITE_MOVE_PLACE_CHANGE, ""),
        "HOME_POST": "", "PL_POST": "", "URN": ""})
    dob18 = (pd.DatetimeIndex(dob.reindex(out["CHILD"]).to_numpy())
             + pd.DateOffset(years=18)).to_numpy()
    council_of = ep["council"].to_numpy()
    out["_council"] = council_of
    out = _follow_rules(out, dob18)
    council_of = out.pop("_council").to_numpy()
    latest = pd.concat([pd.to_datetime(out["DECOM"], format=DATE_FORMAT),
                        pd.to_datetime(out["DEC"].replace("", None), format=DATE_FORMAT)]
                       ).groupby(np.concatenate([out["CHILD"].to_numpy(), out["CHILD"].to_numpy()])).max()
    girls = sex == "2"
    header = pd.DataFrame({
        "CHILD": kids["child"].astype(str).to_numpy(), "SEX": sex,
        "DOB": pd.DatetimeIndex(dob.to_numpy()).strftime(DATE_FORMAT),
        "ETHNIC": "NOBT",
        "UPN": upn_placeholder(dob, _collection_year(pd.DatetimeIndex(
            latest.reindex(kids["child"].astype(str)).to_numpy()))),
        "MOTHER": np.where(girls, codes.WRITE_MOTHER_GIRLS, ""), "MC_DOB": ""})
    if len(councils) > 1:
        names = np.asarray(councils, dtype=object)
        out.insert(0, "LA", names[council_of])
        header.insert(0, "LA", names[kids["council"].to_numpy()])
    return out, header


#: Names of a run's files of several councils, all councils together with an ``LA``
#: column (a regional or national file, as a regional analyst holds it; a council returns
#: one file of its own, written in a folder of its name without the column).
REGIONAL_EPISODES, REGIONAL_HEADER = "regional_episodes", "regional_header"


def _write_files(folder: Path, ep: pd.DataFrame, hd: pd.DataFrame, start_year: int,
                 years: int | None, episodes_name: str, header_name: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / f"{episodes_name}.csv", folder / f"{header_name}.csv"]
    ep.to_csv(written[0], index=False)
    hd.to_csv(written[1], index=False)
    if years:
        start = pd.to_datetime(ep["DECOM"], format=DATE_FORMAT)
        end = pd.to_datetime(ep["DEC"].replace("", None), format=DATE_FORMAT)
        dob = pd.to_datetime(hd["DOB"], format=DATE_FORMAT)
        for y in range(start_year + 1, start_year + years + 1):
            y0, y1 = pd.Timestamp(y - 1, 4, 1), pd.Timestamp(y, 4, 1)
            keep = (start < y1) & (end.isna() | (end >= y0))
            part = ep[keep].copy()
            still_open = (end[keep].isna() | (end[keep] >= y1)).to_numpy()
            part.loc[still_open, ["DEC", "REC"]] = ""
            part.to_csv(folder / f"{episodes_name}_{y}.csv", index=False)
            h = hd.assign(UPN=upn_placeholder(dob, y))[hd["CHILD"].isin(part["CHILD"])]
            h.to_csv(folder / f"{header_name}_{y}.csv", index=False)
            written += [folder / f"{episodes_name}_{y}.csv", folder / f"{header_name}_{y}.csv"]
    return written


def write_ssda903(folder: str | Path, episodes: pd.DataFrame, *, seed: int, start_year: int,
                  warmup_years: int, councils: list[str], years: int | None = None,
                  moves: pd.DataFrame | None = None) -> list[Path]:
    """Write ``episodes.csv`` and ``header.csv`` (every period of care since the run
    started) into ``folder``. With ``years``, also write annual extracts as a council
    would return them: ``episodes_YYYY.csv`` and ``header_YYYY.csv`` for each collection
    year of the measured period (ending 31 March YYYY), holding the episodes open at some
    time in that year, with no end date while open at its 31 March, and each child's
    ``UPN`` placeholder for that year.

    A run of several councils writes, instead, one council's files in a folder of its
    name (``folder/<council>/episodes.csv`` ..., as that council returns them, without an
    ``LA`` column) and all councils together in ``regional_episodes.csv`` and
    ``regional_header.csv`` (and ``_YYYY``) with an ``LA`` column."""
    folder = Path(folder)
    ep, hd = ssda903_frames(episodes, seed=seed, start_year=start_year,
                            warmup_years=warmup_years, councils=councils, moves=moves)
    if len(councils) == 1:
        return _write_files(folder, ep, hd, start_year, years, "episodes", "header")
    written = _write_files(folder, ep, hd, start_year, years, REGIONAL_EPISODES,
                           REGIONAL_HEADER)
    for name in councils:
        e = ep[ep["LA"] == name].drop(columns="LA")
        h = hd[hd["LA"] == name].drop(columns="LA")
        written += _write_files(folder / name, e, h, start_year, years, "episodes", "header")
    return written


def write_model(model: Any, folder: str | Path, years: int | None = None) -> list[Path]:
    """Write a finished model's children (see :func:`write_ssda903`)."""
    cfg = model.config
    moves = model.records.episodes.moves_frame() if model.placements is not None else None
    return write_ssda903(folder, model.records.episodes_frame(), seed=cfg.seed,
                         start_year=cfg.start_year, warmup_years=cfg.warmup_years,
                         councils=[c.name for c in model.councils], years=years, moves=moves)


__all__ = ["REGIONAL_EPISODES", "REGIONAL_HEADER", "model_dates", "split_at_moves",
           "ssda903_frames",
           "upn_placeholder", "write_model", "write_ssda903"]
