"""A third-party feature on a resource the core does not register: it registers the resource too."""

from syncro_xero import Change, Context, Feature, SyncroResource, hookimpl

HANDLED: list[str] = []


class ExtraResource(Feature):
    name = "extra_resource"
    syncro_resources = ("vendor_directory",)

    async def handle(self, change: Change, ctx: Context) -> None:
        HANDLED.append(change.record_id)


@hookimpl
def syncro_xero_resources() -> list[SyncroResource]:
    return [SyncroResource("vendor_directory", "/vendors", "vendors", "vendor")]


@hookimpl
def syncro_xero_feature() -> Feature:
    return ExtraResource()
