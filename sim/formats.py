"""How numbers are written for people: pounds, pence per pound, counts and shares, alone
or with a 95% interval (reports, figures, the sensitivity summary).

Each formatter takes ``digits``, the decimals beyond its usual ones, so that
:func:`with_interval` can show an interval that would otherwise round to nothing. A
missing value (None, NaN, infinite) is written ``n/a``.
"""

from __future__ import annotations

import math
from typing import Any


def finite(x: Any) -> bool:
    """Is ``x`` a number to write (not None, NaN or infinite)?"""
    return x is not None and math.isfinite(x)


def gbp_m(x: float, digits: int = 0) -> str:
    """Pounds as millions, e.g. ``£1,105m`` or ``-£370m``."""
    if not finite(x):
        return "n/a"
    sign = "-" if x < 0 else ""
    return f"{sign}£{abs(x) / 1e6:,.{digits}f}m"


def count(x: float, digits: int = 0) -> str:
    """A number with thousands separators, e.g. ``27,800``."""
    if not finite(x):
        return "n/a"
    return f"{x:,.{digits}f}"


def pence(x: float, digits: int = 0) -> str:
    """A return per pound, e.g. ``29p`` or ``£1.35``."""
    if not finite(x):
        return "n/a"
    if abs(x) < 1:
        return f"{x * 100:.{digits}f}p"
    return f"-£{-x:.{2 + digits}f}" if x < 0 else f"£{x:.{2 + digits}f}"


def share(x: float, digits: int = 0) -> str:
    """A proportion as a percentage, e.g. ``39%``."""
    if not finite(x):
        return "n/a"
    return f"{x * 100:.{digits}f}%"


def with_interval(fmt: Any, mean: float, low: float, high: float) -> str:
    """``13.2p (12.9p to 13.5p)``: a value and its 95% interval, with the fewest extra
    decimals (up to 3) that keep apart the ends that differ from the value, so an interval
    never reads ``13p (13p to 13p)``. Without an interval, the value alone."""
    if not (finite(low) and finite(high)):
        return fmt(mean)
    apart = [not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) if finite(a) and finite(b)
             else False for a, b in ((low, mean), (mean, high))]
    for digits in range(4):
        lo, m, hi = fmt(low, digits), fmt(mean, digits), fmt(high, digits)
        if (lo != m or not apart[0]) and (m != hi or not apart[1]):
            break
    return f"{m} ({lo} to {hi})"


__all__ = ["count", "finite", "gbp_m", "pence", "share", "with_interval"]
