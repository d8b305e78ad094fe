"""core.timing.at_least: a block padded to a floor, whatever it did inside."""

from types import SimpleNamespace

import pytest

from core import timing


@pytest.fixture
def clock(monkeypatch) -> SimpleNamespace:
    """A clock that moves only when told to: by the block's work or by the sleep."""
    fake = SimpleNamespace(now=100.0, slept=[])
    fake.monotonic = lambda: fake.now

    def sleep(seconds: float) -> None:
        fake.slept.append(seconds)
        fake.now += seconds

    fake.sleep = sleep
    monkeypatch.setattr(timing, "time", fake)
    return fake


@pytest.mark.parametrize("work", [0.0, 0.05, 0.3])
def test_a_block_under_the_floor_takes_the_floor(clock, work):
    with timing.at_least(0.5):
        clock.now += work

    assert clock.now == pytest.approx(100.5)
    assert clock.slept == [pytest.approx(0.5 - work)]


def test_a_block_over_the_floor_is_not_delayed_further(clock):
    with timing.at_least(0.5):
        clock.now += 0.8

    assert clock.slept == []


def test_an_error_in_the_block_is_not_delayed(clock):
    with pytest.raises(ValueError), timing.at_least(0.5):
        raise ValueError("bad input")

    assert clock.slept == []
