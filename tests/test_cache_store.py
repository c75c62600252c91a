"""The per-worker stores are bounded by what their values weigh, least recently used out first."""
from __future__ import annotations

from quizapp.cache import LRU, approximate_size


def test_a_store_drops_the_least_recently_used_value_once_it_weighs_too_much():
    page = "x" * 1000
    store = LRU(max_bytes=3 * approximate_size(page) + 100)
    for key in "abc":
        store.put(key, page)
    assert store.get("a") == page  # used again: "b" is now the least recently used
    store.put("d", page)
    assert store.get("b") is None
    assert [store.get(key) == page for key in "acd"] == [True, True, True]


def test_one_big_value_can_push_out_several_small_ones():
    store = LRU(max_bytes=20_000)
    for key in range(10):
        store.put(key, "y" * 1000)
    store.put("big", "z" * 15_000)
    assert store.get("big") is not None
    assert sum(store.get(key) is not None for key in range(10)) < 5


def test_a_value_larger_than_the_store_is_computed_but_not_kept():
    store = LRU(max_bytes=1000)
    calls = []

    def compute() -> str:
        calls.append(1)
        return "w" * 5000

    assert store.get_or_compute("huge", compute) == "w" * 5000
    assert store.get_or_compute("huge", compute) == "w" * 5000
    assert len(calls) == 2


def test_the_weight_of_a_value_counts_what_it_holds():
    assert approximate_size(["a" * 1000, "b" * 1000]) > 2000
    assert approximate_size({"k": ("v" * 500,)}) > 500
