"""The price index that moves costs between price years: PSSRU's published inflation
indices, chained, with the years not found filled by a stated method.

Unit costs come from different years (2009, 2013, 2014 and 2024 prices,
docs/evidence.md#costs). :func:`convert` moves an amount from one price year to another with
:data:`PRICE_INDEX`; it is the only conversion the model uses (the ledger converts every
unit cost once, when a model starts, :class:`sim.ledger.UnitCosts`). A price year ``Y`` is
the financial year ending in March of ``Y`` (2024 prices = 2023-24), as Holmes (2014, 2024)
and NAO (2014) state their prices.

The series is a chain of three pieces, each year's source in :data:`INDEX_SOURCES`
(docs/evidence.md#pssru-inflation-indices):

1. 2006-07 to 2008-09 (price years 2007-2009): the *personal social services (PSS) pay and
   prices index* of the PSSRU *Unit Costs of Health and Social Care* (:data:`PSS_PUBLISHED`,
   index points). Published.
2. 2009-10 to 2014-15 (price years 2010-2015): **filled**. No published PSS value for these
   years was found; each year grows by the UK GDP deflator (:data:`GDP_DEFLATOR_GROWTH`,
   rounded, strength C).
3. 2015-16 to 2024-25 (price years 2016-2025): the *NHS Cost Inflation Index (NHSCII), pay
   and prices*, the index the later PSSRU volumes publish in place of the discontinued ones
   (:data:`NHSCII_PUBLISHED`, annual per cent). Published; an NHS index, not a social-care
   one, and 2024-25 is provisional in its manual.

So 2009 to 2024 is 6 filled years and 9 published ones; 2014 to 2024 is one filled year
(2014-15) and 9 published. Outside 2007-2025 there is no index and :func:`convert` refuses
the year. Adding a PSS value found later to :data:`PSS_PUBLISHED` (with its source) makes it
published: filled years between two published levels are scaled so that both are met.
"""

from __future__ import annotations

_UC2009 = ("Curtis (2009) Unit Costs of Health and Social Care 2009, PSSRU, inflation indices "
           "Table 2, PSS pay & prices index, as corrected by PSSRU on 11 March 2010 "
           "(pssru.ac.uk/project-pages/unit-costs/unit-costs-2009/corrections/)")

#: Published PSS pay and prices index values (index points), by price year, with where each
#: was found.
PSS_PUBLISHED: dict[int, tuple[float, str]] = {
    2007: (249.8, f"{_UC2009}: 2006/07 249.8"),
    2008: (257.0, f"{_UC2009}: 2007/08 257.0"),
    2009: (268.6, f"{_UC2009}: 2008/09 268.6, marked (E), an estimate, in that volume"),
}

_UC2025 = ("Jones et al. (2026) Unit Costs of Health and Social Care 2025 Manual, PSSRU & "
           "Centre for Health Economics York, doi:10.22024/UniKent/01.02.115569, NHS Cost "
           "Inflation Index, pay & prices, annual % (as transcribed in the dmdprices R package, "
           "R/nhscii.R)")

#: Published NHSCII pay and prices annual growth (per cent) into each price year, with its
#: source: the key 2016 is 2014/15 to 2015/16.
NHSCII_PUBLISHED: dict[int, tuple[float, str]] = {
    2016: (0.40, f"{_UC2025}: 2015/16 +0.40%"),
    2017: (2.09, f"{_UC2025}: 2016/17 +2.09%"),
    2018: (1.24, f"{_UC2025}: 2017/18 +1.24%"),
    2019: (1.60, f"{_UC2025}: 2018/19 +1.60%"),
    2020: (2.14, f"{_UC2025}: 2019/20 +2.14%"),
    2021: (2.49, f"{_UC2025}: 2020/21 +2.49%"),
    2022: (2.58, f"{_UC2025}: 2021/22 +2.58%"),
    2023: (7.32, f"{_UC2025}: 2022/23 +7.32%"),
    2024: (2.47, f"{_UC2025}: 2023/24 +2.47% (revised from the 2024 Manual's provisional "
                 "4.31%)"),
    2025: (4.02, f"{_UC2025}: 2024/25 +4.02%, provisional in that manual"),
}

#: Annual growth of the UK GDP deflator at market prices (ONS YBGB / HM Treasury GDP
#: deflators), per cent, financial year ending in the key's year; rounded (strength C).
#: Fills only the years with no published PSSRU value (2010-2015).
GDP_DEFLATOR_GROWTH: dict[int, float] = {
    2010: 2.9, 2011: 1.9, 2012: 1.6, 2013: 1.9, 2014: 1.7, 2015: 0.6,
}

#: The years the index covers: from the first published value to the last.
FIRST_YEAR, LAST_YEAR = 2007, 2025


def build_index(levels: dict[int, tuple[float, str]],
                growth: dict[int, tuple[float, str]],
                fill: dict[int, float]) -> tuple[dict[int, float], dict[int, str]]:
    """The index from :data:`FIRST_YEAR` to :data:`LAST_YEAR` and the source of each value:
    published ``levels`` as they are; years between two of them chained by the ``fill``
    growth and scaled so that the chain meets both; years after the last level chained by
    the published ``growth`` where there is one, else by ``fill``."""
    if not levels or min(levels) != FIRST_YEAR:
        raise ValueError(f"the price index needs a published level for {FIRST_YEAR}")
    years = sorted(levels)
    index = {y: levels[y][0] for y in years}
    sources = {y: f"published: {levels[y][1]}" for y in years}
    for a, b in zip(years, years[1:]):
        if b == a + 1:
            continue
        raw = [1.0]
        for y in range(a + 1, b + 1):
            raw.append(raw[-1] * (1 + _fill(fill, y) / 100))
        scale = (index[b] / index[a]) / raw[-1]
        for k, y in enumerate(range(a + 1, b), start=1):
            index[y] = index[a] * raw[k] * scale ** (k / (b - a))
            sources[y] = (f"filled: between published {a} and {b}, GDP deflator growth scaled "
                          "to meet both")
    for y in range(years[-1] + 1, LAST_YEAR + 1):
        if y in growth:
            g = growth[y][0]
            sources[y] = f"published: {y - 1} {g:+.2f}%: {growth[y][1]}"
        else:
            g = _fill(fill, y)
            sources[y] = (f"filled: {y - 1} {g:+.1f}% (UK GDP deflator, rounded; no PSSRU "
                          "value found for this year)")
        index[y] = index[y - 1] * (1 + g / 100)
    return dict(sorted(index.items())), dict(sorted(sources.items()))


def _fill(fill: dict[int, float], year: int) -> float:
    if year not in fill:
        raise ValueError(f"price year {year}: neither a published value nor a fill figure")
    return fill[year]


#: The index by price year, and where each value comes from.
PRICE_INDEX, INDEX_SOURCES = build_index(PSS_PUBLISHED, NHSCII_PUBLISHED, GDP_DEFLATOR_GROWTH)


def is_published(year: int) -> bool:
    """Whether the index value of ``year`` is a published one (not filled)."""
    return INDEX_SOURCES[year].startswith("published")


def convert(amount: float, from_year: int, to_year: int) -> float:
    """Move an amount of money from one price year to another (:data:`PRICE_INDEX`)."""
    for y in (from_year, to_year):
        if y not in PRICE_INDEX:
            raise ValueError(f"price year {y} is outside the price index: allowed "
                             f"{FIRST_YEAR}-{LAST_YEAR} (sim/prices.py)")
    return amount * PRICE_INDEX[to_year] / PRICE_INDEX[from_year]


def index_table() -> list[dict[str, object]]:
    """The index as rows ``year, index, source`` (for documentation and checks)."""
    return [{"year": y, "index": PRICE_INDEX[y], "source": INDEX_SOURCES[y]}
            for y in PRICE_INDEX]


#: The price years of the unit costs in sim/params/costs.yaml, whose moves to 2024 the
#: documentation quotes.
COST_PRICE_YEARS = (2009, 2013, 2014)


def markdown_table(to_year: int = 2024) -> str:
    """The index as a Markdown table (year, index, published or filled, source), and the
    factor from each cost price year to ``to_year``: the evidence page's table
    (docs/evidence.md#pssru-inflation-indices), written there by ``revolving-door-params``."""
    lines = ["| price year | financial year | index | | source |", "|---|---|---|---|---|"]
    for y, v in PRICE_INDEX.items():
        kind = INDEX_SOURCES[y].partition(":")[0]
        if y in PSS_PUBLISHED:
            src = "PSS pay & prices index, Unit Costs 2009, Table 2 (corrected 2010)"
        elif y in NHSCII_PUBLISHED:
            src = (f"NHSCII pay & prices {NHSCII_PUBLISHED[y][0]:+.2f}% on {y - 1}, Unit Costs "
                   "2025 Manual" + (" (provisional)" if "provisional in" in INDEX_SOURCES[y]
                                   else ""))
        else:
            src = f"UK GDP deflator {GDP_DEFLATOR_GROWTH.get(y, float('nan')):+.1f}% on {y - 1}"
        lines.append(f"| {y} | {y - 1}-{y % 100:02d} | {v:.2f} | {kind} | {src} |")
    lines += ["", f"| from price year | to {to_year}: factor | published years in the move "
                  "| filled years |", "|---|---|---|---|"]
    for y in COST_PRICE_YEARS:
        moves = range(y + 1, to_year + 1)
        pub = [m for m in moves if is_published(m)]
        filled = [m for m in moves if not is_published(m)]
        lines.append(f"| {y} | x{convert(1.0, y, to_year):.4f} | {len(pub)} | "
                     f"{len(filled)} ({', '.join(map(str, filled)) or 'none'}) |")
    return "\n".join(lines)


__all__ = ["PRICE_INDEX", "INDEX_SOURCES", "PSS_PUBLISHED", "NHSCII_PUBLISHED",
           "GDP_DEFLATOR_GROWTH", "convert", "build_index", "index_table", "is_published",
           "markdown_table"]
