"""Where the app keeps its things, and the names it gives them: the data folder, the recordings, the
library, settings, profiles and caches, and the slug that turns a profile or a kind into a file name.
The one place for them (the recorder, the library, the guided sessions and the window ask here)."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
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


def client_name(name: str) -> str:
    """A client's name as typed (any script, spaces, accents), in one Unicode form (NFC), outer spaces off."""
    return unicodedata.normalize("NFC", str(name)).strip() or "default"


def client_folder(name: str) -> str:
    """The client's stable id, for folder and file names: the name itself when it is plain ASCII (``Anna``),
    else a readable part and a hash of the name as typed (``Anna-M-ller-1f3a9c2e``), so two names never share
    a folder or profile ("Anna Müller", "Anna Möller") and no name is too long for the file system."""
    n = client_name(name)
    readable = slug(n)[:48].strip("-.") or "client"
    if readable == n:
        return n
    return f"{readable}-{hashlib.sha256(n.encode('utf-8')).hexdigest()[:8]}"


def recordings_root() -> Path:
    return data_dir() / "recordings"


def recordings_dir(profile: str = "default") -> Path:
    return recordings_root() / client_folder(profile)


def library_path() -> Path:
    return data_dir() / "library.sqlite3"


def profiles_dir() -> Path:
    return data_dir() / "profiles"


def profile_path(name: str) -> Path:
    """The client's profile file, by the client's stable id (:func:`client_folder`)."""
    return profiles_dir() / f"{client_folder(name)}.json"


def legacy_profile_path(name: str) -> Path:
    """Where versions before the stable id kept a profile (a slug that two names could share)."""
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
