"""The price index that moves costs between price years: a social-care pay and prices index.

Unit costs come from different years (2009, 2013, 2014 and 2024 prices,
docs/evidence.md#costs). :func:`convert` moves an amount from one price year to another with
:data:`PRICE_INDEX`; it is the only conversion the model uses (the ledger converts every
unit cost once, when a model starts, :class:`sim.ledger.UnitCosts`).

The index is the PSSRU "Unit Costs of Health and Social Care" series' *personal social
services (PSS) pay and prices index* (Curtis; Curtis & Burns; Jones & Burns; Jones et al.),
the index that series publishes for uprating social care costs. A price year ``Y`` is the
financial year ending in March of ``Y`` (2024 prices = 2023-24), as Holmes (2014, 2024)
and NAO (2014) state their prices.

Each year's value carries its source in :data:`INDEX_SOURCES`. Only the values found in
the published volumes are ``published``; the others are *filled* by chaining the annual
growth of the UK GDP deflator (:data:`GDP_DEFLATOR_GROWTH`, the series the model used
before, rounded, strength C) from the last published value, or 2% a year before the first
one. Replace a filled value with the published one by adding it to :data:`PSS_PUBLISHED`
(with its source): the chain is rebuilt from the published values, and filled years
between two published values are scaled so that both are met.
"""

from __future__ import annotations

#: Published PSS pay and prices index values (all PSS, index points), by price year, with
#: where each was found. Unit Costs of Health and Social Care 2009 (Curtis), Inflation
#: indices, Table 2, as corrected by PSSRU on 11 March 2010
#: (pssru.ac.uk/project-pages/unit-costs/unit-costs-2009/corrections/): 2006/07 249.8,
#: 2007/08 257.0, 2008/09 268.6 (marked (E), an estimate in that volume).
PSS_PUBLISHED: dict[int, tuple[float, str]] = {
    2007: (249.8, "PSSRU Unit Costs 2009, inflation indices Table 2 (corrected 11 March 2010): "
                  "2006/07 PSS pay & prices index 249.8"),
    2008: (257.0, "PSSRU Unit Costs 2009, Table 2 (corrected): 2007/08 257.0"),
    2009: (268.6, "PSSRU Unit Costs 2009, Table 2 (corrected): 2008/09 268.6, an estimate (E)"),
}

#: Annual growth of the UK GDP deflator at market prices (ONS YBGB / HM Treasury GDP
#: deflators), per cent, financial year ending in the key's year; rounded (strength C).
#: Used only to fill years where no PSS value was found.
GDP_DEFLATOR_GROWTH: dict[int, float] = {
    2009: 1.6, 2010: 2.9, 2011: 1.9, 2012: 1.6, 2013: 1.9, 2014: 1.7, 2015: 0.6, 2016: 2.1,
    2017: 1.8, 2018: 2.1, 2019: 2.1, 2020: 5.1, 2021: -0.3, 2022: 5.2, 2023: 7.0, 2024: 3.5,
    2025: 3.0,
}

#: Years the index covers.
FIRST_YEAR, LAST_YEAR = 2000, 2030
#: Growth assumed where neither a PSS value nor a GDP deflator figure exists (judgement:
#: the Bank of England's 2% target).
DEFAULT_GROWTH = 2.0


def _growth(year: int) -> float:
    """Per cent growth from ``year - 1`` to ``year`` used to fill the index."""
    return GDP_DEFLATOR_GROWTH.get(year, DEFAULT_GROWTH)


def build_index(published: dict[int, tuple[float, str]]) -> tuple[dict[int, float],
                                                                     dict[int, str]]:
    """The index for every year from :data:`FIRST_YEAR` to :data:`LAST_YEAR`, and the
    source of each value: published values as they are, the years in between chained by
    the fill growth and scaled to meet both ends, the years outside chained from the
    nearest published value."""
    if not published:
        raise ValueError("the price index needs at least one published value")
    years = sorted(published)
    index = {y: published[y][0] for y in years}
    sources = {y: f"published: {published[y][1]}" for y in years}
    # between two published values: fill growth, scaled so the chain meets both
    for a, b in zip(years, years[1:]):
        raw = [1.0]
        for y in range(a + 1, b + 1):
            raw.append(raw[-1] * (1 + _growth(y) / 100))
        scale = (index[b] / index[a]) / raw[-1]
        for k, y in enumerate(range(a + 1, b), start=1):
            index[y] = index[a] * raw[k] * scale ** (k / (b - a))
            sources[y] = (f"filled: between published {a} and {b}, fill growth scaled to "
                          "meet both")
    for y in range(years[-1] + 1, LAST_YEAR + 1):
        index[y] = index[y - 1] * (1 + _growth(y) / 100)
        what = "GDP deflator growth" if y in GDP_DEFLATOR_GROWTH else "2% a year (judgement)"
        sources[y] = f"filled: {what} {_growth(y):+.1f}% on {y - 1} (no PSS value found)"
    for y in range(years[0] - 1, FIRST_YEAR - 1, -1):
        index[y] = index[y + 1] / (1 + _growth(y + 1) / 100)
        sources[y] = f"filled: {y + 1} less {_growth(y + 1):.1f}% (no PSS value found)"
    return dict(sorted(index.items())), dict(sorted(sources.items()))


#: The index by price year, and where each value comes from.
PRICE_INDEX, INDEX_SOURCES = build_index(PSS_PUBLISHED)


def convert(amount: float, from_year: int, to_year: int) -> float:
    """Move an amount of money from one price year to another (the PSS pay and prices
    index, :data:`PRICE_INDEX`)."""
    for y in (from_year, to_year):
        if y not in PRICE_INDEX:
            raise ValueError(f"price year {y} not in the price index ({FIRST_YEAR}-"
                             f"{LAST_YEAR}); see sim/prices.py")
    return amount * PRICE_INDEX[to_year] / PRICE_INDEX[from_year]


def index_table() -> list[dict[str, object]]:
    """The index as rows ``year, index, source`` (for documentation and checks)."""
    return [{"year": y, "index": PRICE_INDEX[y], "source": INDEX_SOURCES[y]}
            for y in PRICE_INDEX]


__all__ = ["PRICE_INDEX", "INDEX_SOURCES", "PSS_PUBLISHED", "convert", "build_index",
           "index_table"]
