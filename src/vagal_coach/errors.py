"""User-facing errors: one line naming the file or device and what to do."""

from __future__ import annotations

import unicodedata

#: an error line's message is cut to this many characters (a file's content can be any length)
MAX_MESSAGE = 300


def printable(text: object, limit: int | None = None) -> str:
    """``text`` safe for a terminal: control characters (escape sequences, carriage returns, line breaks,
    bidirectional overrides) shown escaped (``\\x1b``), and cut to ``limit`` characters with an ellipsis."""
    s = str(text)
    if limit is not None and len(s) > limit:
        s = s[: max(0, limit - 1)] + "…"
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() or (c == " ") else
                   (repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")
                    else c) for c in s)


class UserError(Exception):
    """An error caused by input the user can fix; the CLI prints it as one line and exits 2."""

    def __init__(self, message: str, *, path: object | None = None, line: int | None = None) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = printable(self.path, MAX_MESSAGE)
            where = where if self.line is None else f"{where}:{self.line}"
            where += ": "
        return f"{where}{printable(self.message, MAX_MESSAGE)}"


class RecordingFormatError(UserError):
    """A recording file that cannot be read."""


class DeviceError(UserError):
    """A Bluetooth device or adapter problem."""
