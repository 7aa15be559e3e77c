"""``paused_gc`` switches the cyclic collector off for an analysis and back on after the
outermost pause, also when the block raises, and leaves a collector that was off alone."""

from __future__ import annotations

import gc

import pytest

from metaflow_expert.parsing.gc_pause import paused_gc


def test_nested_pauses_restore_the_collector() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_exception_still_restores_it() -> None:
    with pytest.raises(ValueError), paused_gc():
        raise ValueError
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
