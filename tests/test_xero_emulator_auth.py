"""Xero emulator: OAuth 2.0 (client credentials, authorization code, refresh rotation), tenants."""

import base64
import hashlib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from syncro_xero.emulators.xero import API_PREFIX
from syncro_xero.emulators.xero.testing import XeroTestClient, strict_emulator

SPECS = Path(__file__).parent / "specs"
REDIRECT = "http://localhost:8123/callback"
SECRET = {"client_id": "test-client-id", "client_secret": "test-client-secret"}


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def token(http, xero, **form):
    async with http.post(f"{xero.url}/connect/token", data=form) as response:
        return response.status, await response.json()


async def api(http, xero, access, tenant=None, path="/Organisation"):
    headers = {"Authorization": f"Bearer {access}", "Accept": "application/json"}
    if tenant:
        headers["xero-tenant-id"] = tenant
    async with http.get(f"{xero.url}{API_PREFIX}{path}", headers=headers) as response:
        return response.status, (await response.json() if response.content_type == "application/json" else None)


async def authorize(http, xero, **extra):
    params = {"response_type": "code", "client_id": "test-client-id", "redirect_uri": REDIRECT,
              "scope": "openid offline_access accounting.contacts", "state": "xyz", **extra}
    async with http.get(f"{xero.url}/identity/connect/authorize", params=params, allow_redirects=False) as response:
        assert response.status == 302
        location = urlparse(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {k: v[0] for k, v in parse_qs(location.query).items()}


async def test_client_credentials_with_body_secret_gives_a_30_minute_bearer_token(xero, http):
    status, body = await token(http, xero, grant_type="client_credentials", **SECRET)
    assert status == 200
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 1800)
    assert "refresh_token" not in body


async def test_client_credentials_with_basic_auth_is_accepted(xero, http):
    basic = base64.b64encode(b"test-client-id:test-client-secret").decode()
    async with http.post(
        f"{xero.url}/connect/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    ) as response:
        assert response.status == 200


async def test_wrong_client_secret_is_invalid_client(xero, http):
    wrong = {"client_id": "test-client-id", "client_secret": "no"}
    status, body = await token(http, xero, grant_type="client_credentials", **wrong)
    assert (status, body) == (400, {"error": "invalid_client"})


async def test_unknown_grant_type_is_refused(xero, http):
    status, body = await token(http, xero, grant_type="password", **SECRET)
    assert (status, body) == (400, {"error": "unsupported_grant_type"})


async def test_custom_connection_token_needs_no_tenant_header_and_refuses_another_tenant(xero, http):
    other = xero.add_tenant("Other Ltd")
    _, body = await token(http, xero, grant_type="client_credentials", **SECRET)
    status, org = await api(http, xero, body["access_token"])
    assert status == 200 and org["Organisations"][0]["Name"] == "Demo Company (UK)"
    assert (await api(http, xero, body["access_token"], other.tenant_id))[0] == 403


async def test_access_token_expires_after_30_minutes_with_xeros_token_expired_body(xero, http, fake_clock):
    access = xero.issue_token()["access_token"]
    fake_clock.advance(29 * 60)
    assert (await api(http, xero, access, xero.default_tenant_id))[0] == 200
    fake_clock.advance(2 * 60)
    status, body = await api(http, xero, access, xero.default_tenant_id)
    assert status == 401
    assert (body["Title"], body["Status"]) == ("Unauthorized", 401)
    assert body["Detail"] == "TokenExpired: token expired at 03/02/2026 09:30:00"


async def test_unknown_or_missing_bearer_token_is_authentication_unsuccessful(xero, http):
    status, body = await api(http, xero, "not-a-token", xero.default_tenant_id)
    assert (status, body["Detail"]) == (401, "AuthenticationUnsuccessful")
    async with http.get(f"{xero.url}{API_PREFIX}/Organisation", headers={"Accept": "application/json"}) as response:
        assert response.status == 401


async def test_missing_or_unconnected_tenant_is_403(xero, http):
    other = xero.add_tenant("Not Connected Ltd")
    access = xero.issue_token([xero.default_tenant_id])["access_token"]
    assert (await api(http, xero, access))[0] == 403
    status, body = await api(http, xero, access, other.tenant_id)
    assert (status, body["Title"]) == (403, "Forbidden")
    assert (await api(http, xero, access, xero.default_tenant_id))[0] == 200


async def test_authorization_code_flow_redirects_with_code_and_state_then_issues_tokens(xero, http):
    back = await authorize(http, xero)
    assert back["state"] == "xyz"
    form = dict(grant_type="authorization_code", code=back["code"], redirect_uri=REDIRECT, **SECRET)
    status, body = await token(http, xero, **form)
    assert status == 200 and body["refresh_token"] and body["expires_in"] == 1800
    assert (await api(http, xero, body["access_token"], xero.default_tenant_id))[0] == 200


async def test_authorization_code_is_single_use(xero, http):
    code = (await authorize(http, xero))["code"]
    form = dict(grant_type="authorization_code", code=code, redirect_uri=REDIRECT, **SECRET)
    assert (await token(http, xero, **form))[0] == 200
    assert await token(http, xero, **form) == (400, {"error": "invalid_grant"})


async def test_authorization_code_expires_after_5_minutes(xero, http, fake_clock):
    code = (await authorize(http, xero))["code"]
    fake_clock.advance(301)
    form = dict(grant_type="authorization_code", code=code, redirect_uri=REDIRECT, **SECRET)
    assert await token(http, xero, **form) == (400, {"error": "invalid_grant"})


async def test_authorization_code_with_another_redirect_uri_is_invalid_grant(xero, http):
    code = (await authorize(http, xero))["code"]
    form = dict(grant_type="authorization_code", code=code, redirect_uri="http://localhost/evil", **SECRET)
    assert await token(http, xero, **form) == (400, {"error": "invalid_grant"})


async def test_pkce_code_exchange_needs_the_matching_verifier_and_no_secret(xero, http):
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = (await authorize(http, xero, code_challenge=challenge, code_challenge_method="S256"))["code"]
    base = dict(grant_type="authorization_code", code=code, redirect_uri=REDIRECT, client_id="test-client-id")
    assert await token(http, xero, **base, code_verifier="w" * 50) == (400, {"error": "invalid_grant"})
    assert (await token(http, xero, **base, code_verifier=verifier))[0] == 200


async def test_refresh_rotates_and_the_old_refresh_token_works_for_a_30_minute_grace(xero, http, fake_clock):
    first = xero.issue_token()["refresh_token"]
    status, rotated = await token(http, xero, grant_type="refresh_token", refresh_token=first, **SECRET)
    assert status == 200 and rotated["refresh_token"] != first
    fake_clock.advance(29 * 60)
    status, again = await token(http, xero, grant_type="refresh_token", refresh_token=first, **SECRET)
    assert status == 200 and again["refresh_token"] not in (first, rotated["refresh_token"])
    fake_clock.advance(2 * 60)
    assert await token(http, xero, grant_type="refresh_token", refresh_token=first, **SECRET) == (
        400, {"error": "invalid_grant"})
    status, _ = await token(http, xero, grant_type="refresh_token", refresh_token=rotated["refresh_token"], **SECRET)
    assert status == 200


async def test_refresh_token_unused_for_60_days_expires(xero, http, fake_clock):
    refresh = xero.issue_token()["refresh_token"]
    fake_clock.advance(60 * 86400 + 1)
    assert await token(http, xero, grant_type="refresh_token", refresh_token=refresh, **SECRET) == (
        400, {"error": "invalid_grant"})


async def test_refresh_needs_the_client_secret(xero, http):
    refresh = xero.issue_token()["refresh_token"]
    form = dict(grant_type="refresh_token", refresh_token=refresh, client_id="test-client-id")
    status, body = await token(http, xero, **form)
    assert (status, body) == (400, {"error": "invalid_client"})


async def test_connections_lists_every_connected_tenant_and_disconnect_revokes_access(xero, http):
    second = xero.add_tenant("Second Org Ltd", region="AU")
    access = xero.issue_token()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    async with http.get(f"{xero.url}/connections", headers=headers) as response:
        listing = await response.json()
        assert "X-AppMinLimit-Remaining" in response.headers and "X-MinLimit-Remaining" not in response.headers
    assert {c["tenantName"] for c in listing} == {"Demo Company (UK)", "Second Org Ltd"}
    assert all(c["tenantType"] == "ORGANISATION" for c in listing)
    link = next(c for c in listing if c["tenantId"] == second.tenant_id)
    async with http.delete(f"{xero.url}/connections/{link['id']}", headers=headers) as response:
        assert response.status == 204
    assert (await api(http, xero, access, second.tenant_id))[0] == 403


async def test_revoking_a_refresh_token_ends_its_access_tokens(xero, http):
    tokens = xero.issue_token()
    async with http.post(f"{xero.url}/connect/revocation", data={"token": tokens["refresh_token"], **SECRET}) as r:
        assert r.status == 200
    assert (await api(http, xero, tokens["access_token"], xero.default_tenant_id))[0] == 401


async def test_calls_without_accept_json_are_refused_because_xero_would_answer_xml(xero, http):
    access = xero.issue_token()["access_token"]
    headers = {"Authorization": f"Bearer {access}", "xero-tenant-id": xero.default_tenant_id}
    async with http.get(f"{xero.url}{API_PREFIX}/Organisation", headers=headers) as response:
        assert response.status == 406


async def test_configured_client_credentials_replace_the_defaults(fake_clock, http):
    from syncro_xero.emulators.xero import XeroConfig

    config = XeroConfig(client_id="abc", client_secret="s3cret")
    async with strict_emulator(fake_clock, SPECS, config=config) as xero:
        mine = {"client_id": "abc", "client_secret": "s3cret"}
        assert (await token(http, xero, grant_type="client_credentials", **mine))[0] == 200
        assert (await token(http, xero, grant_type="client_credentials", **SECRET))[0] == 400


async def test_test_client_reaches_a_second_tenant_by_its_header(xero):
    other = xero.add_tenant("Branch Ltd")
    async with XeroTestClient(xero, tenant_id=other.tenant_id) as client:
        status, _, body = await client.get("/Organisation")
    assert (status, body["Organisations"][0]["Name"]) == (200, "Branch Ltd")


async def test_pytest_plugin_fixture_serves_the_emulator_on_the_fake_clock(xero_emulator, fake_clock):
    async with XeroTestClient(xero_emulator) as client:
        status, _, body = await client.get("/Organisation")
    assert (status, body["DateTimeUTC"]) == (200, f"/Date({int(fake_clock.time() * 1000)})/")
