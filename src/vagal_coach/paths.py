"""Where the app keeps its things, and the names it gives them: the data folder, the recordings, the
library, settings, profiles and caches, and the slug that turns a profile or a kind into a file name.
The one place for them (the recorder, the library, the guided sessions and the window ask here)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

APP_NAME = "vagal-coach"
#: the native recording's suffix (JSON Lines)
RECORDING_SUFFIX = ".vcs.jsonl"


def data_dir() -> Path:
    """Where recordings and the library live: $VAGAL_COACH_HOME, else the platform's user data folder."""
    env = os.environ.get("VAGAL_COACH_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def slug(s: str) -> str:
    """A name safe in a file name: runs of anything but letters, digits, ``_.-`` become one ``-``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", s).strip("-.") or "default"


def recordings_root() -> Path:
    return data_dir() / "recordings"


def recordings_dir(profile: str = "default") -> Path:
    return recordings_root() / slug(profile)


def library_path() -> Path:
    return data_dir() / "library.sqlite3"


def profiles_dir() -> Path:
    return data_dir() / "profiles"


def profile_path(name: str) -> Path:
    return profiles_dir() / f"{slug(name)}.json"


def settings_path() -> Path:
    """The window's settings (JSON)."""
    return data_dir() / "settings.json"


def cache_dir() -> Path:
    return data_dir() / "cache"


def guided_dir() -> Path:
    """One's own guided scripts (JSON), beside the packaged ones."""
    return data_dir() / "guided"


def new_recording_path(profile: str = "default", kind: str = "practice") -> Path:
    """A fresh recording path under the profile's folder, named by the local time and the kind; never one
    that exists."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = recordings_dir(profile) / f"{stamp}-{slug(kind)}"
    p = base.with_name(base.name + RECORDING_SUFFIX)
    k = 1
    while p.exists():
        p = base.with_name(f"{base.name}-{k}{RECORDING_SUFFIX}")
        k += 1
    return p
