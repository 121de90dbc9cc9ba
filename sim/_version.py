"""The package version: one number, ``version`` in pyproject.toml.

Installed (a wheel or ``pip install -e``), it is read from the package metadata; in a
bare source checkout that was never installed, from the checkout's pyproject.toml.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _metadata_version
from pathlib import Path

DIST = "xborder"


@cache
def version() -> str:
    """The version of xborder, e.g. ``"0.1.0"`` (``"0+unknown"`` if nothing says)."""
    try:
        return _metadata_version(DIST)
    except PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    try:
        with pyproject.open("rb") as fh:
            project = tomllib.load(fh).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return "0+unknown"
    return str(project.get("version", "0+unknown")) if project.get("name") == DIST else "0+unknown"
