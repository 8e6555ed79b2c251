"""Where a report or export goes: the path given (a test, a script), or the one the save dialog asks for."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget


def save_target(parent: QWidget, title: str, default: Path, out: Path | None) -> tuple[Path, bool] | None:
    """``(path, chosen)``: ``out`` when given, else the user's choice in the save dialog (``chosen``: the
    dialog asked before replacing a file, so the write may replace it); None when the user cancelled."""
    if out is not None:
        return out, False
    name, _ = QFileDialog.getSaveFileName(parent, title, str(default))
    return (Path(name), True) if name else None
