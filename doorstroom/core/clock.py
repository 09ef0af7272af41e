"""Today's date in the municipality's time zone; the one place tests would freeze."""

from datetime import date

from django.utils import timezone


def today() -> date:
    return timezone.localdate()
