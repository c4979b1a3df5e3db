"""The episode pairing and the re-entry lookup, written in numpy for speed (issue 25),
give the frames the pandas merges they replaced gave: checked against those merges, written
out here, on random records with ties, open episodes and re-entries with no episode."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.plausibility import following_episodes
from sim.records import pair_episodes


def _pair_by_merge(starts: pd.DataFrame, ends: pd.DataFrame) -> pd.DataFrame:
    starts = starts.sort_values(["child", "start"], kind="stable").reset_index(drop=True)
    ends = ends.sort_values(["child", "end"], kind="stable").reset_index(drop=True)
    starts["k"] = starts.groupby("child").cumcount()
    ends["k"] = ends.groupby("child").cumcount()
    out = starts.merge(ends, on=["child", "k"], how="left", validate="one_to_one")
    out["end_kind"] = out["end_kind"].fillna(-1).astype(np.int64)
    return out.drop(columns="k")


def _records(seed: int, n_children: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each child a few episodes in time order; the last one open for some children;
    rows shuffled (the log's order is by time, not by child)."""
    rng = np.random.default_rng(seed)
    s_rows, e_rows = [], []
    for child in rng.permutation(n_children) + 1000:
        t = float(rng.integers(0, 24))
        for k in range(int(rng.integers(1, 6))):
            start = t
            length = float(rng.integers(0, 30))  # 0: an episode ending where it started
            s_rows.append((child, start, int(rng.integers(0, 5)), -float(k), k % 3,
                           bool(k % 2), int(rng.integers(0, 3))))
            if rng.random() < 0.8 or k < 2:
                e_rows.append((child, start + length, int(rng.integers(0, 4))))
                t = start + length + float(rng.integers(1, 12))
            else:
                break
    starts = pd.DataFrame(s_rows, columns=["child", "start", "council", "birth", "reason",
                                           "care_order", "placement"])
    ends = pd.DataFrame(e_rows, columns=["child", "end", "end_kind"])
    return (starts.sample(frac=1, random_state=seed).reset_index(drop=True),
            ends.sample(frac=1, random_state=seed + 1).reset_index(drop=True))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairing_is_the_merge(seed: int) -> None:
    starts, ends = _records(seed)
    got = pair_episodes(starts, ends)
    want = _pair_by_merge(starts, ends)
    assert (got["end_kind"] == -1).any() and got["end"].isna().any()  # open episodes met
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairing_in_log_order_is_the_merge(seed: int) -> None:
    """Rows in time order, as the run's log records them (the quick path: a stable sort by
    child alone), with ties in time between children and within a child (episodes of no
    length); and the same records with one child's events out of time order (the full
    sort)."""
    starts, ends = _records(seed)
    starts = starts.sort_values("start", kind="stable").reset_index(drop=True)
    ends = ends.sort_values("end", kind="stable").reset_index(drop=True)
    assert starts["start"].duplicated().any() and ends["end"].duplicated().any()
    pd.testing.assert_frame_equal(pair_episodes(starts, ends), _pair_by_merge(starts, ends))
    child = starts["child"].value_counts().index[0]  # a child with several episodes
    rows = starts.index[starts["child"] == child]
    swapped = starts.copy()
    swapped.loc[rows] = starts.loc[rows[::-1]].to_numpy()
    pd.testing.assert_frame_equal(pair_episodes(swapped, ends), _pair_by_merge(swapped, ends))


def test_pairing_with_no_ends() -> None:
    starts, ends = _records(4)
    got = pair_episodes(starts, ends.iloc[:0])
    pd.testing.assert_frame_equal(got, _pair_by_merge(starts, ends.iloc[:0]))
    assert (got["end_kind"] == -1).all()


@pytest.mark.parametrize("seed", [1, 2])
def test_following_episode_is_the_merge(seed: int) -> None:
    starts, ends = _records(seed)
    episodes = _pair_by_merge(starts, ends)
    rng = np.random.default_rng(seed)
    # re-entries: some at an episode's start (found), some not (NaN), repeated children
    pick = episodes.sample(n=200, replace=True, random_state=seed)
    miss = pick["start"].to_numpy() + np.where(rng.random(200) < 0.2, 0.5, 0.0)
    reentries = pd.DataFrame({"child": pick["child"].to_numpy(), "end_time": miss})
    got = following_episodes(reentries, episodes)
    key = pd.DataFrame({"child": reentries["child"].to_numpy(),
                        "start": reentries["end_time"].to_numpy(dtype=float)})
    want = key.merge(episodes[["child", "start", "end", "end_kind"]],
                     on=["child", "start"], how="left", validate="many_to_one")
    assert got["end"].isna().any() and got["end"].notna().any()
    pd.testing.assert_frame_equal(got, want)
    # all found: end_kind stays an integer column, as the merge leaves it
    found = reentries[miss == pick["start"].to_numpy()]
    got = following_episodes(found, episodes)
    assert got["end_kind"].dtype == np.int64
    pd.testing.assert_frame_equal(got, found.rename(columns={"end_time": "start"})[
        ["child", "start"]].reset_index(drop=True).merge(
        episodes[["child", "start", "end", "end_kind"]], on=["child", "start"], how="left"))


def test_following_episode_refuses_unordered_episodes() -> None:
    starts, ends = _records(5)
    episodes = _pair_by_merge(starts, ends).iloc[::-1]
    with pytest.raises(ValueError, match="in order of child"):
        following_episodes(pd.DataFrame({"child": [1000], "end_time": [0.0]}), episodes)
