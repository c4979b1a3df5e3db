"""``sim.rng.categorical`` draws what ``Generator.choice(k, size=n, p=p)`` draws, number for
number, and leaves the generator where ``choice`` leaves it (the entries stream relies on
it: every later draw of the month, and of later months, must stay the same)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rng import categorical, cumulative


@pytest.mark.parametrize("p", [[0.55, 0.3, 0.15], [0.2, 0.0, 0.5, 0.3, 0.0], [1.0], [0.1] * 10])
def test_categorical_is_numpys_choice(p: list[float]) -> None:
    p_arr = np.array(p) / np.sum(p)
    cdf = cumulative(p_arr)
    for seed in range(50):
        ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
        n = seed % 23  # 0 included
        assert np.array_equal(categorical(ours, cdf, n), numpys.choice(len(p), size=n, p=p_arr))
        assert ours.random() == numpys.random()  # the stream is left in the same place
