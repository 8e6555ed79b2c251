"""The window's settings file (theme, text size, last strap, pacer rate, chime): ``settings.json`` beside the
recordings. Each change reads the file again first, so no window's older copy undoes another's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vagal_coach.session.recorder import data_dir


def settings_path() -> Path:
    return data_dir() / "settings.json"


def load_settings() -> dict:
    try:
        d = json.loads(settings_path().read_text())
    except (OSError, ValueError):
        return {}
    return d if isinstance(d, dict) else {}


def save_settings(d: dict) -> None:
    p = settings_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(d, indent=1))
    tmp.replace(p)  # never a half-written settings file


def update_settings(**changes: Any) -> dict:
    """Change some settings in the file and return them all."""
    d = load_settings()
    d.update(changes)
    save_settings(d)
    return d


def keep_view(theme: str, scale: float) -> None:
    """Theme and text size, kept between runs."""
    update_settings(theme=theme, scale=scale)
