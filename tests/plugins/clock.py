"""The instants every date rule is checked at: the first second of a new month, quarter, year and the day after a
leap day (time-machine freezes the clock there, so no test reads today's date)."""

from datetime import datetime, timezone

import pytest

BOUNDARIES = {
    "month": datetime(2026, 12, 1, tzinfo=timezone.utc),
    "quarter": datetime(2027, 4, 1, tzinfo=timezone.utc),
    "year": datetime(2027, 1, 1, tzinfo=timezone.utc),
    "leap-day": datetime(2028, 3, 1, tzinfo=timezone.utc),
}


@pytest.fixture(params=sorted(BOUNDARIES))
def boundary(request) -> datetime:
    """The first instant of a new month (aware UTC); freeze the clock around it with the `time_machine` fixture."""
    return BOUNDARIES[request.param]
