"""Seeded random streams, one a kind of decision (common random numbers).

Two kinds of stream, both derived from the model's seed through ``numpy.random.SeedSequence``:

* :meth:`Streams.generator` gives a NumPy ``Generator`` for a named stream whose draws
  never depend on policy (the councils' practice, who enters care and when).
* :meth:`Streams.keyed` gives a counter-based stream: ``uniform(a, b, c)`` is a pure
  function of the seed, the stream name and the integer key ``(a, b, c)`` (for example
  family id, event kind, and how many times that event has happened to the family).
  Switching a policy on changes which keys are asked for only for the families it
  touches; every other family sees exactly the same numbers. This is what keeps
  policy-minus-baseline differences on one seed to mechanism, not noise.

The keyed stream is SplitMix64 (Steele, Lea & Flood 2014) applied to the key chain; it
passes as a hash for simulation, and numpy evaluates it over arrays of keys at once
(:meth:`KeyedStream.uniform_many`), the same numbers element by element.
"""

from __future__ import annotations

import math

import numpy as np

_MASK = (1 << 64) - 1
_TWO53 = 2.0**-53

#: Names of all streams. Adding a name at the end never changes the others.
STREAM_NAMES: tuple[str, ...] = (
    "councils",      # council sizes and practice
    "entries",       # numbers and attributes of children entering care
    "clock",         # exponential clocks of the family event engine
    "exit_kind",     # adoption / guardianship / other exit
    "placement",     # placement type at each entry
    "legal",         # legal basis at re-entry
    "reentry",       # does detected maltreatment lead to re-entry
    "support",       # is support offered (status quo)
    "treatment",     # does a family reach treatment
    "engagement",    # does a family engage with help
    "policy",        # draws made by policies (keyed by policy name)
    "ssda903",       # what a run's SSDA903 output needs and the model does not: sex, need code
    "from_data",     # what a run from a council's SSDA903 needs and the data do not record:
                     # parents' problems, frailty, neglect or other abuse, unknown ages
    "early_failure",  # is a return one that fails within weeks (issue 21)
    "uncertainty",   # the false-economy Monte Carlo's draws of its uncertain inputs, keyed
                     # by replicate (sim/sweep/mc_inputs.py; never read by a model run)
    "placement_moves",  # placements over a period of care (sim/placements.py, issue 24):
                        # a child's moves, keyed by child, month and decision
)


def _mix(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


_U64 = np.uint64


def _mix_many(z: np.ndarray) -> np.ndarray:
    """:func:`_mix` over an array of unsigned 64-bit integers (numpy wraps modulo 2**64)."""
    z = z + _U64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


class KeyedStream:
    """Counter-based uniform numbers: the same key always gives the same number."""

    __slots__ = ("_key",)

    def __init__(self, key: int) -> None:
        self._key = key & _MASK

    def uniform(self, a: int, b: int = 0, c: int = 0) -> float:
        """A uniform number in (0, 1) for the key ``(a, b, c)``:
        ``_mix(_mix(key ^ a) ^ ((b << 20) ^ c))``, its top 53 bits."""
        z = _mix(_mix(self._key ^ a) ^ ((b << 20) ^ c))
        return ((z >> 11) + 0.5) * _TWO53

    def exponential(self, a: int, b: int = 0, c: int = 0) -> float:
        """A unit exponential number for the key ``(a, b, c)``."""
        return -math.log(self.uniform(a, b, c))

    def uniform_many(self, a: np.ndarray, b: np.ndarray | int = 0,
                     c: np.ndarray | int = 0) -> np.ndarray:
        """:meth:`uniform` for arrays of keys at once (the same numbers, element by element):
        what the array engine draws with, a month's events of one kind in one call."""
        z = _mix_many(np.asarray(a, dtype=np.int64).astype(np.uint64) ^ np.uint64(self._key))
        b64 = np.asarray(b, dtype=np.int64).astype(np.uint64)
        c64 = np.asarray(c, dtype=np.int64).astype(np.uint64)
        z = _mix_many(z ^ ((b64 << np.uint64(20)) ^ c64))
        return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * _TWO53

    def exponential_many(self, a: np.ndarray, b: np.ndarray | int = 0,
                         c: np.ndarray | int = 0) -> np.ndarray:
        """:meth:`exponential` for arrays of keys."""
        return -np.log(self.uniform_many(a, b, c))


def categorical(gen: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws of a category with cumulative probabilities ``cdf`` (from
    :func:`cumulative`): the same numbers, and the same use of ``gen``, as
    ``gen.choice(len(cdf), size=n, p=p)`` (numpy's own method: one uniform a draw, looked up
    in the normalised cumulative sum), without its checks of ``p`` at every call, which
    cost more than the draws when they are made month by month."""
    return cdf.searchsorted(gen.random(n), side="right")


def cumulative(p: np.ndarray) -> np.ndarray:
    """The cumulative probabilities :func:`categorical` takes, normalised as numpy does."""
    cdf = np.cumsum(p)
    return cdf / cdf[-1]


class Streams:
    """All random streams of one model run, derived from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def _sequence(self, name: str) -> np.random.SeedSequence:
        if name not in STREAM_NAMES:
            raise KeyError(f"unknown random stream {name!r}; known: {', '.join(STREAM_NAMES)}")
        return np.random.SeedSequence(self.seed, spawn_key=(STREAM_NAMES.index(name),))

    def generator(self, name: str) -> np.random.Generator:
        return np.random.default_rng(self._sequence(name))

    def keyed(self, name: str, sub: int = 0) -> KeyedStream:
        state = self._sequence(name).generate_state(2, np.uint64)
        return KeyedStream(int(state[0]) ^ _mix(int(state[1]) ^ sub))
