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
