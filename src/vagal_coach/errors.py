"""User-facing errors: one line naming the file or device and what to do."""

from __future__ import annotations


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
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return f"{where}{self.message}"


class RecordingFormatError(UserError):
    """A recording file that cannot be read."""


class DeviceError(UserError):
    """A Bluetooth device or adapter problem."""
