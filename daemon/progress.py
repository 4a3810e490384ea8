"""Progress of long work on a terminal: records done of total, rate, time left, per feature.

Drawn with ``rich`` on stderr, and only when stderr is a terminal; while it is drawn, log lines go
through its console, so they appear above the bars instead of cutting through them.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from .logs import logs_to
from .sync_pass import Progress as ProgressCallback


class RateColumn(ProgressColumn):
    """Records per second."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f}/s" if task.speed else "", style="progress.data.speed")


@contextmanager
def progress_display(stream: TextIO | None = None) -> Iterator[ProgressCallback | None]:
    """A callback for ``Engine.run_pass(progress=...)`` drawing bars on ``stream`` (stderr), or None
    when that is no terminal (a pipe, a file, journald): there nothing is drawn."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        yield None
        return
    console = Console(file=stream)
    bars = Progress(
        TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeRemainingColumn(),
        console=console, redirect_stdout=False, redirect_stderr=False,
    )
    tasks: dict[str, int] = {}

    def update(feature: str, done: int, total: int) -> None:
        if feature not in tasks:
            tasks[feature] = bars.add_task(feature, total=total)
        bars.update(tasks[feature], completed=done, total=total)

    with bars, logs_to(_ConsoleStream(console)):
        yield update


class _ConsoleStream:
    """A text stream that prints through a rich console (above its live display)."""

    def __init__(self, console: Console) -> None:
        self._console = console

    def write(self, text: str) -> int:
        if text.strip():
            self._console.print(text.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        pass
