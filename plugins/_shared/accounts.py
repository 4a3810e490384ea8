"""``syncro-xero check`` lines for settings that name Xero accounts."""

from __future__ import annotations

from syncro_xero import CheckResult, Context


async def account_checks(ctx: Context, plugin: str, wanted: dict[str, tuple[str, str | None]]) -> list[CheckResult]:
    """One line per setting naming an account: it exists in Xero, is active, and of type ``kind`` if given."""
    accounts = await ctx.accounts()
    results = []
    for key, (code, kind) in wanted.items():
        account = accounts.get(code)
        if account is None or account.get("Status", "ACTIVE") != "ACTIVE":
            results.append(CheckResult(False, f"plugins.{plugin}.{key} = {code}", f"no active account '{code}' in Xero"))
        elif kind and account.get("Type") != kind:
            results.append(CheckResult(False, f"plugins.{plugin}.{key} = {code}",
                                       f"'{account['Name']}' is a {account.get('Type')} account, not {kind}"))
        else:
            results.append(CheckResult(True, f"plugins.{plugin}.{key} = {code}", account["Name"]))
    return results
