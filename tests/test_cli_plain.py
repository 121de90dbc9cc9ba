"""Piped output is plain: every line of describe and --help fits 80 *bytes* at COLUMNS=80.

Byte-counting tools (mawk's ``length``, ``cut -b``) see a box-drawing character as
three bytes; the console script writes ASCII borders when stdout is not a terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli.plain import TRANSLATE, AsciiBoxes

XBORDER = Path(sys.executable).with_name("xborder")
COMMANDS = [
    [],
    ["scenarios"],
    ["describe"],
    ["run"],
    ["compare"],
    ["sensitivity"],
    ["validate"],
    ["dashboard"],
    ["recommend"],
    ["discover"],
    ["policies"],
    ["new"],
    ["experiment"],
    ["experiment", "run"],
    ["experiment", "verify"],
]


def _piped(args: list[str]) -> bytes:
    env = {**os.environ, "COLUMNS": "80"}
    out = subprocess.run([str(XBORDER), *args], capture_output=True, env=env, check=True)
    return out.stdout


def _too_long(out: bytes) -> list[bytes]:
    return [line for line in out.splitlines() if len(line) > 80]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "xborder")
def test_help_fits_80_bytes_when_piped(args):
    out = _piped([*args, "--help"])
    assert out and _too_long(out) == []


def test_describe_fits_80_bytes_when_piped_and_keeps_its_table():
    out = _piped(["describe", "central_america_cocaine"])
    assert _too_long(out) == []
    text = out.decode()
    assert "| COL " in text and "+---" in text  # ASCII borders, same layout


def test_ascii_stream_maps_box_characters_one_to_one():
    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, s):
            self.text += s
            return len(s)

    sink = Sink()
    AsciiBoxes(sink).write("┏━┳┓ │ Colomb… ╭─╮ Panamá")
    assert sink.text == "+-++ | Colomb. +-+ Panamá"  # same width, accents kept
    assert all(len(v) == 1 for v in TRANSLATE.values())
