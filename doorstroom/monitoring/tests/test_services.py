"""Parts of the report service that need no database."""

import gc

import pytest

from doorstroom.monitoring import services


def test_the_cycle_collector_is_paused_while_a_report_is_made_and_runs_again_after_a_failure():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), services.cycle_collection_paused():
        assert not gc.isenabled()
        _ = 1 / 0
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that paused it already keeps it paused
        with services.cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_a_report_made_goes_to_the_oldest_generation_unwalked():
    """The objects made while the collector was paused are not left for its next young pass (which
    would walk them all); they wait in the oldest generation and are freed by reference counting."""
    with services.cycle_collection_paused():
        made = [[i] for i in range(10_000)]  # lists are tracked by the collector
    assert gc.isenabled()
    assert gc.get_count()[0] < 700  # the youngest generation's count starts afresh
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(m) in oldest for m in made[::100])
