"""A feature whose handler has a bug that shows on one customer only."""

from syncro_xero import Change, Context, Feature, hookimpl


class Explodes(Feature):
    name = "explodes"
    syncro_resources = ("customers",)

    async def handle(self, change: Change, ctx: Context) -> None:
        if change.current.get("business_name") == "Trigger Ltd":
            raise ZeroDivisionError("plugin bug")


@hookimpl
def syncro_xero_feature() -> Feature:
    return Explodes()
