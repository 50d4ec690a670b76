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


def test_a_pause_holds_every_writer_once_then_writes_resume_spaced():
    # A secondary limit's Retry-After: the whole credential waits it out once, then one write per interval
    clock = Clock()
    p = pacer(clock, per_minute=75, min_interval=0.8)
    p.acquire()
    p.pause(5)
    delays = [p.reserve() for _ in range(4)]  # four threads of the lane, arriving together
    assert delays == pytest.approx([5, 5.8, 6.6, 7.4])


def test_a_pause_never_shortens_an_earlier_longer_one():
    clock = Clock()
    p = pacer(clock, per_minute=None, min_interval=0)
    p.pause(10)
    p.pause(2)
    assert p.reserve() == pytest.approx(10)


def test_a_burst_is_smoothed_not_sent():
    # 35 new issues' writes arriving at once leave one by one: never more than 2 in a second, 75 in a minute
    clock = Clock()
    p = pacer(clock, per_minute=75, min_interval=0.8)
    slots = sorted(clock.now + p.reserve() for _ in range(100))
    assert all(b - a >= 0.8 - 1e-9 for a, b in zip(slots, slots[1:]))
    assert max(sum(1 for u in slots if t <= u < t + 60) for t in slots) == 75
    assert max(sum(1 for u in slots if t <= u < t + 1) for t in slots) == 2


def test_the_service_default_paces_one_write_every_0_8_s_and_75_a_minute():
    from bot.settings import ServiceSettings

    s = ServiceSettings(github_token="t", github_webhook_secret="s", _env_file=None)
    assert (s.github_min_write_interval, s.github_writes_per_minute) == (0.8, 75)


def test_a_secondary_limit_pauses_the_lane_and_the_retry_takes_a_paced_slot(fake_github):
    # GitHub's 403 + Retry-After: 1 on one write: the credential's pacer holds every writer for 1 s (not each
    # thread its own sleep), and the retried write queues behind the lane like any other
    from bot.github.rest import RestGitHub

    clock = Clock()
    p = WritePacer(None, 0.5, clock=clock, sleep=clock.sleep)
    gh = RestGitHub("tok", fake_github.url, pacer=p, max_inline_wait=2, backoff=0)
    fake_github.add_repo("o/r")
    n = fake_github.add_issue("o/r")
    fake_github.fail_next("POST", rf"/issues/{n}/comments$", 403, headers={"Retry-After": "1"},
                          body={"message": "You have exceeded a secondary rate limit."})
    gh.create_comment("o/r", n, "a")
    assert [r.status for r in fake_github.requests if r.method == "POST"] == [403, 201]
    assert clock.slept == pytest.approx([1.0])  # the pause, once; the retry's slot lies inside it
    assert p.reserve() == pytest.approx(0.5)  # the next write is spaced after the retry


def test_a_5xx_write_retry_backs_off_then_takes_a_paced_slot(fake_github):
    from bot.github.rest import RestGitHub

    clock = Clock()
    p = WritePacer(None, 0.5, clock=clock, sleep=clock.sleep)
    gh = RestGitHub("tok", fake_github.url, pacer=p, backoff=0)
    fake_github.add_repo("o/r")
    n = fake_github.add_issue("o/r")
    fake_github.fail_next("POST", rf"/issues/{n}/comments$", 502, times=2)
    gh.create_comment("o/r", n, "a")
    assert [r.status for r in fake_github.requests if r.method == "POST"] == [502, 502, 201]
    assert clock.slept == pytest.approx([0.5, 0.5])  # each retry is a write: one slot each


def test_pacing_says_when_it_falls_back_to_the_process_and_when_it_is_shared_again(caplog):
    # Redis goes away: one warning that pacing is per process now; Redis is back: one line saying so
    from redis.exceptions import ConnectionError as RedisDown

    from bot.github.pacing import RedisWritePacer

    answers = [RedisDown("down"), RedisDown("down"), 0, 0]

    class Client:
        def register_script(self, _lua):
            def run(keys, args):
                answer = answers.pop(0)
                if isinstance(answer, Exception):
                    raise answer
                return answer
            return run

    clock = Clock()
    p = RedisWritePacer(Client(), "pace:installation:1", 75, 0.8, clock=clock, sleep=clock.sleep)
    assert [p.reserve() for _ in range(4)] == pytest.approx([0, 0.8, 0, 0])  # the local pacer spaces the fallback
    lines = [r.getMessage() for r in caplog.records]
    assert sum("falls back to this process alone: Redis unreachable" in m for m in lines) == 1
    assert sum("shared through Redis again" in m for m in lines) == 1
