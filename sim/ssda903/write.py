"""A simulated run's children written as SSDA903 ``episodes.csv`` and ``header.csv``.

Each period of care of a child in the model is one episode (``RNE = S``), with codes from
:mod:`sim.ssda903.codes` (``WRITE_*`` tables): placement and provider from the model's
placement, legal status from care proceedings (``C1``) or not (``V2``), the reason the
period ended from how the model ended it (a return home is ``E4A``), and the category of
need from the family's entry reason. What the model does not have is drawn from the run's
own seeded ``ssda903`` stream, one number a child (sex, and which of N2-N8 an ``other``
reason is), or written as a placeholder: ``ETHNIC = NOBT`` (information not yet obtained),
``UPN = UN1``, postcodes and ``URN`` blank. Identifiers are the model's child numbers.

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


def ssda903_frames(episodes: pd.DataFrame, *, seed: int, start_year: int, warmup_years: int,
                   councils: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(episodes, header)`` tables in SSDA903 layout from a run's episode log
    (:meth:`sim.records.Records.episodes_frame`). An ``LA`` column is added when the run has
    more than one council."""
    year0 = origin_year(start_year, warmup_years)
    ep = episodes.sort_values(["child", "start"], kind="stable").reset_index(drop=True)
    kids = ep.drop_duplicates("child")
    sex, cin = _draw_codes(kids["child"].to_numpy(), kids["reason"].to_numpy(), seed)
    cin_of = pd.Series(cin, index=kids["child"].to_numpy())
    place = {int(p): v for p, v in codes.WRITE_PLACE.items()}
    rec = {int(k): v for k, v in codes.WRITE_REC.items()}
    closed = ep["end_kind"].to_numpy() >= 0
    out = pd.DataFrame({
        "CHILD": ep["child"].astype(str),
        "DECOM": model_dates(ep["start"].to_numpy(), year0).strftime(DATE_FORMAT),
        "RNE": codes.NEW_PERIOD_RNE,
        "LS": np.where(ep["care_order"].to_numpy(), codes.WRITE_LS[True], codes.WRITE_LS[False]),
        "CIN": cin_of.reindex(ep["child"].to_numpy()).to_numpy(),
        "PLACE": [place[p][0] for p in ep["placement"].tolist()],
        "PLACE_PROVIDER": [place[p][1] for p in ep["placement"].tolist()],
        "DEC": pd.Series(model_dates(ep["end"].to_numpy(), year0).strftime(DATE_FORMAT)
                         ).where(closed, "").to_numpy(),
        "REC": [rec[k] if k >= 0 else "" for k in ep["end_kind"].tolist()],
        "REASON_PLACE_CHANGE": "", "HOME_POST": "", "PL_POST": "", "URN": ""})
    header = pd.DataFrame({
        "CHILD": kids["child"].astype(str).to_numpy(), "SEX": sex,
        "DOB": model_dates(kids["birth"].to_numpy(), year0).strftime(DATE_FORMAT),
        "ETHNIC": "NOBT", "UPN": "UN1", "MOTHER": "", "MC_DOB": ""})
    if len(councils) > 1:
        names = np.asarray(councils, dtype=object)
        out.insert(0, "LA", names[ep["council"].to_numpy()])
        header.insert(0, "LA", names[kids["council"].to_numpy()])
    return out, header


def write_ssda903(folder: str | Path, episodes: pd.DataFrame, *, seed: int, start_year: int,
                  warmup_years: int, councils: list[str], years: int | None = None
                  ) -> list[Path]:
    """Write ``episodes.csv`` and ``header.csv`` (every period of care since the run
    started) into ``folder``. With ``years``, also write annual extracts as a council
    would return them: ``episodes_YYYY.csv`` and ``header_YYYY.csv`` for each collection
    year of the measured period (ending 31 March YYYY), holding the episodes open at some
    time in that year, with no end date while open at its 31 March."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ep, hd = ssda903_frames(episodes, seed=seed, start_year=start_year,
                            warmup_years=warmup_years, councils=councils)
    written = [folder / "episodes.csv", folder / "header.csv"]
    ep.to_csv(written[0], index=False)
    hd.to_csv(written[1], index=False)
    if years:
        start = pd.to_datetime(ep["DECOM"], format=DATE_FORMAT)
        end = pd.to_datetime(ep["DEC"].replace("", None), format=DATE_FORMAT)
        for y in range(start_year + 1, start_year + years + 1):
            y0, y1 = pd.Timestamp(y - 1, 4, 1), pd.Timestamp(y, 4, 1)
            keep = (start < y1) & (end.isna() | (end >= y0))
            part = ep[keep].copy()
            still_open = (end[keep].isna() | (end[keep] >= y1)).to_numpy()
            part.loc[still_open, ["DEC", "REC"]] = ""
            part.to_csv(folder / f"episodes_{y}.csv", index=False)
            hd[hd["CHILD"].isin(part["CHILD"])].to_csv(folder / f"header_{y}.csv", index=False)
            written += [folder / f"episodes_{y}.csv", folder / f"header_{y}.csv"]
    return written


def write_model(model: Any, folder: str | Path, years: int | None = None) -> list[Path]:
    """Write a finished model's children (see :func:`write_ssda903`)."""
    cfg = model.config
    return write_ssda903(folder, model.records.episodes_frame(), seed=cfg.seed,
                         start_year=cfg.start_year, warmup_years=cfg.warmup_years,
                         councils=[c.name for c in model.councils], years=years)


__all__ = ["model_dates", "ssda903_frames", "write_model", "write_ssda903"]
