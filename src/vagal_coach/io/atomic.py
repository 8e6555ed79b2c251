"""Every file vagal-coach writes goes through here: a private temporary file in the target's folder, made
whole (flushed, fsynced, mode 0600), then renamed into place. A reader never sees half a file, a full disk
never truncates what was there, an existing file is replaced only when the user said so (``force``), and
an input of the same command is never a target, whatever ``force`` says.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from vagal_coach.errors import UserError

FILE_MODE = 0o600
DIR_MODE = 0o700


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.abspath(a) == os.path.abspath(b)


def check_target(path: str | os.PathLike[str], *, force: bool = False,
                 inputs: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Raise the one-line error a write to ``path`` would meet (an input, an existing file without
    ``force``, a folder, a missing folder); call it before the work, so nothing is computed in vain."""
    p = Path(path)
    for i in inputs:
        if _same(p, Path(i)):
            raise UserError("is an input of this command; choose another name for the output (inputs are never "
                            "overwritten)", path=p)
    if p.is_dir():
        raise UserError("is a folder; give a file name", path=p)
    if (p.exists() or p.is_symlink()) and not force:
        raise UserError("file exists already; choose another name, or --force to replace it", path=p)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"folder {parent} does not exist", path=p)
    return p


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _publish(tmp: Path, dest: Path, force: bool) -> None:
    if force:
        os.replace(tmp, dest)
        return
    try:  # a hard link fails if dest exists: no check-then-rename race with another writer
        os.link(tmp, dest)
    except FileExistsError:
        raise UserError("file exists already (written meanwhile); choose another name, or --force to replace it",
                        path=dest) from None
    except OSError:  # a file system without hard links
        if dest.exists():
            raise UserError("file exists already; choose another name, or --force to replace it",
                            path=dest) from None
        os.replace(tmp, dest)
        return
    tmp.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, force: bool = False,
                inputs: Iterable[str | os.PathLike[str]] = ()) -> Iterator[Path]:
    """Yield a new, empty, 0600 temporary file beside ``path``; write it (by name: any library will do),
    and on leaving the block it is fsynced and renamed to ``path``. On an error it is removed and
    ``path`` is untouched. OSError (a full disk, a read-only folder) becomes a one-line UserError."""
    dest = check_target(path, force=force, inputs=inputs)
    folder = dest.parent if str(dest.parent) else Path(".")
    tmp = folder / f".{dest.name}.{secrets.token_hex(4)}.tmp{dest.suffix}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except OSError as e:
        raise UserError(f"cannot write here ({e.strerror})", path=dest) from None
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)  # a library may have re-created it
        _publish(tmp, dest, force)
        _fsync_dir(folder)
    except OSError as e:
        raise UserError(f"cannot write ({e.strerror or e}); the file was not changed", path=dest) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_bytes(path: str | os.PathLike[str], data: bytes, *, force: bool = False,
                inputs: Iterable[str | os.PathLike[str]] = ()) -> Path:
    with atomic_path(path, force=force, inputs=inputs) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str, *, force: bool = False,
               inputs: Iterable[str | os.PathLike[str]] = ()) -> Path:
    return write_bytes(path, text.encode("utf-8"), force=force, inputs=inputs)


def private_dir(path: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None) -> Path:
    """Make ``path`` with mode 0700 whatever the umask, and every missing folder between ``root`` and it;
    ``root`` itself (the data folder) is made, or made private when others can enter it. Returns ``path``."""
    p = Path(path)
    below: list[Path] = [p]
    if root is not None:
        r = Path(root)
        if not r.is_dir():
            r.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        with contextlib.suppress(OSError):
            if r.stat().st_mode & 0o077:
                os.chmod(r, DIR_MODE)
        below = [q for q in [p, *p.parents] if r in q.parents]
    for q in reversed(below):
        if q.is_dir():
            continue
        q.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        with contextlib.suppress(OSError):
            os.chmod(q, DIR_MODE)
    return p
