"""Where the shipped files are: scenarios, experiments and figure recipes.

In a source checkout they are the top-level ``scenarios/``, ``experiments/`` and
``plots/`` folders; in an installed wheel the build copies them into the package as
``sim/_shipped/<kind>``. Code never builds these paths from ``__file__`` itself.
"""

from __future__ import annotations

from pathlib import Path

KINDS = ("scenarios", "experiments", "plots")
_PACKAGE = Path(__file__).resolve().parent


def shipped(kind: str) -> Path:
    """The folder of shipped ``kind`` files (one of :data:`KINDS`).

    Raises:
        ValueError: ``kind`` is not one of :data:`KINDS`.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of shipped file {kind!r} (known: {', '.join(KINDS)})")
    installed = _PACKAGE / "_shipped" / kind
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / kind
