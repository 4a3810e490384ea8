"""The injected clock and the sliding window built on it."""

from syncro_xero.clock import FakeClock
from syncro_xero.ratelimit import SlidingWindow


async def test_fake_clock_sleep_moves_time_instead_of_waiting():
    clock = FakeClock()
    start = clock.time()
    await clock.sleep(3600)
    assert clock.time() - start == 3600


async def test_window_makes_the_next_event_wait_until_the_oldest_expires():
    clock = FakeClock()
    window = SlidingWindow(limit=3, window=60, clock=clock)
    for _ in range(3):
        window.record()
        clock.advance(10)
    assert window.remaining() == 0
    assert window.wait_time() == 30
    clock.advance(30)
    assert window.wait_time() == 0


async def test_acquire_paces_sixty_one_events_across_two_windows():
    clock = FakeClock()
    window = SlidingWindow(limit=60, window=60, clock=clock)
    start = clock.time()
    for _ in range(61):
        await window.acquire()
    assert clock.time() - start == 60
