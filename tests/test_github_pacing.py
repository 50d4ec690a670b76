"""WritePacer keeps each credential under GitHub's secondary limit (simulated clock: nothing sleeps)."""

import pytest

from bot.github.pacing import WritePacer


class Clock:
    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s


def pacer(clock, **kw):
    return WritePacer(clock=clock, sleep=clock.sleep, **kw)


def test_no_more_than_per_minute_in_any_rolling_window():
    clock = Clock()
    p = pacer(clock, per_minute=5)
    stamps = []
    for _ in range(12):
        p.acquire()
        stamps.append(clock.now)
        clock.now += 0.1  # the request itself
    for i, t in enumerate(stamps):
        assert sum(1 for u in stamps if t <= u < t + 60) <= 5, i
    assert stamps[5] == pytest.approx(stamps[0] + 60)
    assert stamps[10] == pytest.approx(stamps[5] + 60)


def test_min_interval_spaces_writes():
    clock = Clock()
    p = pacer(clock, per_minute=None, min_interval=0.25)
    for _ in range(4):
        p.acquire()
    assert clock.slept == pytest.approx([0.25, 0.25, 0.25])
    assert p.waited == pytest.approx(0.75)


def test_disabled_pacer_never_waits():
    clock = Clock()
    p = pacer(clock, per_minute=None, min_interval=0)
    for _ in range(1000):
        p.acquire()
    assert clock.slept == []


def test_concurrent_reservations_get_distinct_slots():
    clock = Clock()
    p = pacer(clock, per_minute=2)
    delays = [p.reserve() for _ in range(5)]  # five threads arriving at once
    assert delays == pytest.approx([0, 0, 60, 60, 120])


def test_invalid_limit():
    with pytest.raises(ValueError):
        WritePacer(per_minute=0)


def test_each_rest_port_has_its_own_pacer(fake_github):
    from bot.github.rest import RestGitHub

    a, b = (RestGitHub("x", fake_github.url, writes_per_minute=80) for _ in range(2))
    assert a.pacer is not b.pacer and a.pacer.per_minute == 80
