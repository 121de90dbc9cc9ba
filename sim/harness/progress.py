"""A rich progress bar on stderr, so stdout stays clean for JSON and CSV."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def progress_bar(total: int, description: str):
    """Yield ``advance(result)``; shows runs done, throughput and ETA on stderr."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    from rich.progress import ProgressColumn
    from rich.text import Text

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
    with Progress(*cols, console=console, transient=True, disable=not console.is_terminal) as p:
        task = p.add_task(description, total=total)
        yield lambda _result=None: p.advance(task)
