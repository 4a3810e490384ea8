"""A standard Xero app: `xero connect` once, then passes on rotating refresh tokens."""

import asyncio

import aiohttp
from helpers import free_port
from syncro_xero.xero.auth import connect_interactive


async def test_connect_once_then_sync_across_token_expiry_with_rotated_refresh_tokens_saved(
    syncro_emulator, xero_emulator, make_config, open_engine, fake_clock
):
    port = free_port()
    login_url = f"{xero_emulator.url}/identity/connect/authorize"
    config = make_config(sections={"xero": {"grant": "authorization_code", "login_url": login_url, "redirect_port": port}})
    engine = await open_engine(config)
    browsing: list[asyncio.Task] = []

    async with aiohttp.ClientSession() as browser:
        async def consent(url: str) -> None:  # the user consents; Xero redirects to our callback
            answer = await browser.get(url, allow_redirects=False)
            await browser.get(answer.headers["Location"].replace("localhost", "127.0.0.1"))

        def open_browser(url: str) -> None:
            browsing.append(asyncio.ensure_future(consent(url)))

        await connect_interactive(engine.auth, login_url=login_url, redirect_port=port, open_browser=open_browser)
        await asyncio.gather(*browsing, return_exceptions=True)

    first = await engine.state.tokens.load_token()
    assert first["refresh_token"]
    syncro_emulator.store.add_customer(business_name="Before Expiry Ltd")
    assert (await engine.run_pass()).ok

    fake_clock.advance(31 * 60)  # the access token has expired
    syncro_emulator.store.add_customer(business_name="After Expiry Ltd")
    report = await engine.run_pass()

    assert report.ok
    rotated = await engine.state.tokens.load_token()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert sorted(c["Name"] for c in xero_emulator.store.records("Contacts")) == ["After Expiry Ltd", "Before Expiry Ltd"]
