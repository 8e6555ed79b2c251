"""The window's settings file (theme, text size, last strap, pacer rate, chime): ``settings.json`` beside the
recordings. Each change reads the file again first, so no window's older copy undoes another's."""

from __future__ import annotations

import json
from typing import Any

from vagal_coach.paths import data_dir, settings_path


def load_settings() -> dict:
    try:
        d = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return d if isinstance(d, dict) else {}


def save_settings(d: dict) -> None:
    from vagal_coach.io.atomic import private_dir, write_text

    p = settings_path()
    private_dir(p.parent, root=data_dir())
    write_text(p, json.dumps(d, indent=1), force=True)  # a temporary file renamed: never half a settings file


def update_settings(**changes: Any) -> dict:
    """Change some settings in the file and return them all."""
    d = load_settings()
    d.update(changes)
    save_settings(d)
    return d


def keep_view(theme: str, scale: float) -> None:
    """Theme and text size, kept between runs."""
    update_settings(theme=theme, scale=scale)
