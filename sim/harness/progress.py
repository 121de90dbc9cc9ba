"""A rich progress bar on stderr, so stdout stays clean for JSON and CSV."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def progress_bar(total: int, description: str, completed: int = 0, enabled: bool = True):
    """Yield ``advance(n=1)``; shows runs done, throughput and ETA on stderr.

    Nothing is drawn when stderr is not a terminal or ``enabled`` is false.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    console = Console(stderr=True)

    class RateColumn(ProgressColumn):
        def render(self, task):
            return Text(f"{task.speed:.1f} runs/s" if task.speed else "", style="cyan")

    cols = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    show = enabled and console.is_terminal
    with Progress(*cols, console=console, transient=True, disable=not show) as p:
        task = p.add_task(description, total=total, completed=completed)
        yield lambda n=1: p.advance(task, n)
