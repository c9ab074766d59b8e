"""Cleared batches kept for reuse, so that a run repeating another run's months skips their solves.

A policy compared with its baseline often clears exactly the baseline's hours: a money lever (bill
collection, a surcharge, the subsidy paid) leaves every month's offers, loads and bids as they were,
and a lever with a start date leaves every month before it. Those months' LPs were already solved in
this process (by the baseline, or by an earlier policy); the memo hands their results back.

Reuse is exact, not approximate. A clearing LP can have several optimal vertices, and which one HiGHS
returns depends on where its simplex starts, so a solve's result is a function of its inputs *and* its
starting basis. `MarketClearing` therefore starts every solve from a known basis (the previous solve of
the same LP structure, or the seed basis) with the solver's other state cleared, and names that basis
by a chain of digests: the seed is named by the batch that built it, and the basis after a solve by
(the name of the basis it started from, the batch's digest). An entry is keyed by the grid, the batch
and the starting basis's name, and holds the result and the basis the solve ended in. A run that takes
an entry is therefore left exactly where solving would have left it: every later month clears to the
same numbers, bit for bit, with the memo or without it (`tests/test_clearing_memo.py`). Once a run's
batches differ from every stored run's, its chain has a name no entry carries, and it solves from then on.

The memo lives in the process (`MEMO`), shared by its threads; it holds at most `max_entries` batches
(`SURPLUS_CLEARING_MEMO`, default 1,440: twelve 10-year runs of monthly batches, about 0.1 GB for
`pakistan-2025`), dropping the least recently used. 0 switches it off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

Name = bytes  # a 16-byte digest


def digest(*parts: Any) -> Name:
    """A 16-byte digest of arrays, dataclasses of arrays, scalars, bytes and None, in order."""
    h = hashlib.blake2b(digest_size=16)
    _feed(h, parts)
    return h.digest()


def _feed(h: Any, value: Any) -> None:
    if value is None:
        h.update(b"\x00N")
    elif isinstance(value, np.ndarray):
        h.update(f"\x00A{value.dtype.str}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).data)
    elif isinstance(value, bytes):
        h.update(b"\x00B%d:" % len(value) + value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(f"\x00D{type(value).__name__}".encode())
        for f in dataclasses.fields(value):
            _feed(h, getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        h.update(b"\x00T%d" % len(value))
        for v in value:
            _feed(h, v)
    elif isinstance(value, (int, float, str, bool, np.generic)):
        h.update(f"\x00S{type(value).__name__}{value!r}".encode())
    else:
        raise TypeError(f"cannot digest a {type(value).__name__}")


def copied(result: Any) -> Any:
    """A copy of a result dataclass whose arrays are its own (callers may change theirs in place)."""
    return dataclasses.replace(result, **{
        f.name: getattr(result, f.name).copy() for f in dataclasses.fields(result)
        if isinstance(getattr(result, f.name), np.ndarray)})


class ClearingMemo:
    """(grid, batch, starting basis) → (result, ending basis), least recently used dropped first."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._store: OrderedDict[tuple[Name, Name, Name], tuple[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Name, Name, Name]) -> tuple[Any, Any] | None:
        """The stored (result, ending basis) with its arrays copied, or None."""
        if self.max_entries <= 0:
            return None
        with self._lock:
            got = self._store.get(key)
            if got is None:
                self.misses += 1
                return None
            self._store.move_to_end(key)
            self.hits += 1
        return copied(got[0]), got[1]

    def put(self, key: tuple[Name, Name, Name], result: Any, basis: Any) -> None:
        """Keep a copy of `result` and the basis its solve ended in."""
        if self.max_entries <= 0:
            return
        entry = (copied(result), basis)
        with self._lock:
            self._store[key] = entry
            self._store.move_to_end(key)
            while len(self._store) > self.max_entries:
                self._store.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry and reset the counts."""
        with self._lock:
            self._store.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._store)


def _max_entries() -> int:
    raw = os.environ.get("SURPLUS_CLEARING_MEMO", "1440")
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(f"SURPLUS_CLEARING_MEMO={raw!r}: must be a whole number of batches (0 switches the "
                         "memo off)") from None
    if n < 0:
        raise ValueError(f"SURPLUS_CLEARING_MEMO={raw!r}: must not be negative (0 switches the memo off)")
    return n


MEMO = ClearingMemo(_max_entries())


@contextmanager
def switched_off() -> Iterator[None]:
    """Within the block every batch is solved (benchmarks that time the solves themselves); the memo is
    emptied on entry and left empty."""
    saved = MEMO.max_entries
    MEMO.clear()
    MEMO.max_entries = 0
    try:
        yield
    finally:
        MEMO.max_entries = saved
