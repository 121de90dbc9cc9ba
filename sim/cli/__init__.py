"""The ``xborder`` command line (``sim.cli:_console`` in pyproject, ``python -m sim.cli``).

- :mod:`~sim.cli.app`: the typer app, the console script, one-line usage errors;
- :mod:`~sim.cli.options`, :mod:`~sim.cli.helpers`: shared options, the console,
  one-line errors, calling the library;
- :mod:`~sim.cli.studies`: ``scenarios``, ``describe``, ``run``, ``compare``,
  ``sensitivity``, ``validate``;
- :mod:`~sim.cli.recommend`: ``recommend``, ``discover``;
- :mod:`~sim.cli.experiment`: ``experiment list|run|verify|plot|update-expected``;
- :mod:`~sim.cli.dashboard`: ``dashboard``;
- :mod:`~sim.cli.tables`, :mod:`~sim.cli.reports`: the rich tables and reports.
"""

from sim.cli.app import _console, app, main

__all__ = ["_console", "app", "main"]
