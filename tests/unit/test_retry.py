"""Resending what a batch call left over: backoff, deadline, attempts counted."""
from chalicelib.core.retry import resend


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_resends_exactly_what_was_left_until_nothing_is():
    sent, t = [], FakeTime()

    def send(pending):
        sent.append(list(pending))
        return pending[1:]          # one item gets through per call

    left, resends = resend(send, ["a", "b", "c"], deadline=100, clock=t.clock, sleep=t.sleep)
    assert left == [] and resends == 2
    assert sent == [["a", "b", "c"], ["b", "c"], ["c"]]
    assert t.sleeps[1] > t.sleeps[0] * 0.9 / 1.0 * 0.5   # grows (jitter aside)
    assert all(0 < s <= 2.0 for s in t.sleeps)


def test_gives_up_at_the_deadline_and_returns_what_is_left():
    t = FakeTime()
    left, resends = resend(lambda p: p, ["x"], deadline=5, clock=t.clock, sleep=t.sleep)
    assert left == ["x"] and resends >= 3
    assert t.now < 5


def test_no_sleep_when_everything_goes_first_time():
    t = FakeTime()
    assert resend(lambda p: [], ["x"], deadline=5, clock=t.clock, sleep=t.sleep) == ([], 0)
    assert t.sleeps == []
