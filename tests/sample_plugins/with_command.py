"""A plugin that adds a command to the CLI, one taking the config and one that does not."""

import click
from syncro_xero import Feature, hookimpl


class WithCommand(Feature):
    name = "with_command"


@hookimpl
def syncro_xero_feature() -> Feature:
    return WithCommand()


@hookimpl
def syncro_xero_register_commands(cli: click.Group) -> None:
    @cli.command(name="where-is-syncro")
    def where_is_syncro(config) -> None:  # noqa: ANN001
        """Print the Syncro API root of the config."""
        click.echo(config.syncro.api_url)

    @cli.command(name="say-hello")
    @click.argument("who")
    def say_hello(who: str) -> None:
        """Greet WHO."""
        click.echo(f"hello {who}")
