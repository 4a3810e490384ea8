"""A reverse feature: records every Xero contact change it is handed."""

from syncro_xero import Change, Context, Feature, hookimpl

SEEN: list[Change] = []


class XeroContactsLog(Feature):
    name = "xero_contacts_log"
    xero_resources = ("Contacts",)

    async def reverse(self, change: Change, ctx: Context) -> None:
        SEEN.append(change)


@hookimpl
def syncro_xero_feature() -> Feature:
    return XeroContactsLog()
