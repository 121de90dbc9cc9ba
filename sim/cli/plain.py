"""Plain output when stdout is not a terminal: ASCII table borders, one byte a column.

Piped into a file, a pager or ``awk``, box-drawing characters and the ellipsis are
three bytes each, so byte-counting tools see an 80-column table as far wider. When
stdout is not a terminal the console script wraps it in :class:`AsciiBoxes`: rich
sees an ASCII stream and draws ASCII borders itself, and the few characters it draws
regardless (the truncation ellipsis, bar and border pieces) are mapped to one ASCII
character of the same width. Everything else, names with accents included, passes
through unchanged.
"""

from __future__ import annotations

import io
import sys

_HORIZONTAL = "─━┄┅┈┉╌╍═╴╶╸╺╼╾"
_VERTICAL = "│┃┆┇┊┋╎╏║╵╷╹╻╽╿"
#: One ASCII character per box-drawing character (U+2500-U+257F), and the ellipsis.
TRANSLATE = {
    **{c: "+" for c in map(chr, range(0x2500, 0x2580))},
    **dict.fromkeys(map(ord, _HORIZONTAL), "-"),
    **dict.fromkeys(map(ord, _VERTICAL), "|"),
    ord("…"): ".",
}
TRANSLATE = {(k if isinstance(k, int) else ord(k)): v for k, v in TRANSLATE.items()}


class AsciiBoxes(io.TextIOBase):
    """A text stream that reports an ASCII encoding and writes box characters as ASCII.

    Args:
        stream: the real stream (sys.stdout).
    """

    encoding = "ascii"  # rich's Console draws ASCII borders on a non-UTF stream

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:  # noqa: D102
        return self._stream.write(text.translate(TRANSLATE))

    def flush(self) -> None:  # noqa: D102
        self._stream.flush()

    def isatty(self) -> bool:  # noqa: D102
        return False

    def fileno(self) -> int:  # noqa: D102
        return self._stream.fileno()


def plain_when_piped() -> None:
    """Wrap sys.stdout in :class:`AsciiBoxes` unless it is a terminal."""
    if not sys.stdout.isatty() and not isinstance(sys.stdout, AsciiBoxes):
        sys.stdout = AsciiBoxes(sys.stdout)
