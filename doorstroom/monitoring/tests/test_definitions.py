"""The indicator registry and docs/monitoring.md define the same indicators; each definition says
what it counts."""

import re
from pathlib import Path

from doorstroom.monitoring import indicators

DOC = Path(__file__).resolve().parents[3] / "docs" / "monitoring.md"


def test_every_registered_indicator_is_defined_in_the_document_and_nothing_else_is():
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\* `([a-z_]+)` — \*\*", text, flags=re.MULTILINE))
    assert documented == set(indicators.INDICATORS), documented ^ set(indicators.INDICATORS)


def test_every_indicator_says_what_it_counts():
    for indicator in indicators.INDICATORS.values():
        assert indicator.name and indicator.definition and indicator.numerator and indicator.denominator
        assert indicator.unit, indicator.code
        assert (indicator.members is None) != (indicator.table is None)


def test_a_code_can_be_registered_only_once():
    import pytest

    with pytest.raises(ValueError, match="already registered"):
        indicators.register(indicators.INDICATORS["aangemeld"])
