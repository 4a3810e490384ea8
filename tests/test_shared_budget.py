"""Processes on one state file share Syncro's allowance and run one pass at a time (issue 10)."""

from __future__ import annotations

import asyncio

from syncro_xero.budget import SharedWindow
from syncro_xero.engine import Engine


async def burst(engine: Engine, count: int) -> None:
    """One request after another (on the simulated clock, requests in flight while another process
    sleeps would reach the emulator at a later simulated time than they were counted)."""
    for _ in range(count):
        await engine.syncro.get("/customers", {"page": 1})


async def test_a_command_beside_the_daemon_shares_its_syncro_allowance_and_draws_no_429(
    syncro_emulator, make_config, fake_clock
):
    config = make_config()
    daemon, command = await Engine.open(config, clock=fake_clock), await Engine.open(config, clock=fake_clock)
    try:
        await asyncio.gather(burst(daemon, 150), burst(command, 150))  # 2 x 150 a minute, Syncro allows 180
    finally:
        await daemon.close()
        await command.close()

    assert syncro_emulator.access_log.count(status=429) == 0
    assert syncro_emulator.access_log.count(status=200) == 300
    assert daemon.syncro.waited + command.syncro.waited >= 60  # the second 150 waited for the first


async def test_apart_two_allowances_would_draw_429s(syncro_emulator, make_config, fake_clock):
    """The control for the test above: two state files, two allowances, too many requests."""
    one = await Engine.open(make_config(name="one"), clock=fake_clock)
    other = await Engine.open(make_config(name="other"), clock=fake_clock)
    try:
        await asyncio.gather(burst(one, 150), burst(other, 150))
    finally:
        await one.close()
        await other.close()

    assert syncro_emulator.access_log.count(status=429) > 0


async def test_a_429_seen_by_one_process_pauses_the_others(tmp_path, fake_clock):
    path = tmp_path / "state.db.syncro-budget"
    seen_it, other = SharedWindow(path, 150, 60, fake_clock), SharedWindow(path, 150, 60, fake_clock)
    started = fake_clock.time()

    seen_it.pause(30)  # Syncro answered its request 429, Retry-After: 30
    await other.acquire()

    assert fake_clock.time() - started >= 30
    seen_it.close()
    other.close()


async def test_a_second_pass_on_the_same_state_file_waits_for_the_first(syncro_emulator, make_config, fake_clock):
    config = make_config()
    daemon, command = await Engine.open(config, clock=fake_clock), await Engine.open(config, clock=fake_clock)
    try:
        async with daemon.pass_lock.held():
            waiting = asyncio.create_task(command.run_pass())
            await asyncio.sleep(0.5)
            assert not waiting.done()
            assert syncro_emulator.access_log.count() == 0
        report = await asyncio.wait_for(waiting, 10)
    finally:
        await daemon.close()
        await command.close()

    assert report.error is None


async def test_a_link_another_process_changed_between_passes_is_read_again(syncro_emulator, make_config, fake_clock):
    from dataclasses import replace

    syncro_emulator.store.add_customer(business_name="Acme")
    config = make_config()
    daemon, command = await Engine.open(config, clock=fake_clock), await Engine.open(config, clock=fake_clock)
    try:
        await daemon.run_pass()
        [link] = await daemon.state.links.all("contact")
        assert await daemon.state.links.get("contact", link.syncro_id) == link  # read once, kept for the pass
        await command.state.links.save(replace(link, xero_number="CHANGED"))
        await daemon.run_pass()
        seen = await daemon.state.links.get("contact", link.syncro_id)
    finally:
        await daemon.close()
        await command.close()

    assert seen is not None and seen.xero_number == "CHANGED"


def test_the_shared_allowance_left_counts_every_process_and_is_zero_while_paused(tmp_path):
    from syncro_xero.budget import SharedWindow
    from syncro_xero.clock import FakeClock

    clock = FakeClock()
    first = SharedWindow(tmp_path / "budget", 5, 60, clock)
    second = SharedWindow(tmp_path / "budget", 5, 60, clock)
    first._take()
    second._take()
    assert first.remaining() == second.remaining() == 3
    second.pause(30)
    assert first.remaining() == 0
    clock.advance(31)
    assert first.remaining() == 3
    first.close()
    second.close()
