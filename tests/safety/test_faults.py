"""Issue 17, faults: a full disk or a read-only folder during record is one line that says what was kept; a
recording exists only once the strap's data came; what can fail is checked before the file is made."""

from __future__ import annotations

import errno
import os
import sys

import pytest

from vagal_coach.cli import main
from vagal_coach.io import read_recording
from vagal_coach.io.native import NativeWriter


def test_disk_full_during_record_is_one_line_saying_what_was_kept(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r.vcs.jsonl"
    real = NativeWriter._write
    n = {"lines": 0}

    def filling(self, obj):
        n["lines"] += 1
        if n["lines"] > 400:  # the disk is full from here on
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(self, obj)

    monkeypatch.setattr(NativeWriter, "_write", filling)
    rc = main(["record", "--simulate", "--duration", "120", "--speed", "max", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert len([x for x in err if x.startswith("vagal-coach")]) == 1 and "Traceback" not in "\n".join(err)
    line = err[-1]
    assert "No space left on device" in line and "saved up to " in line and str(out) in line, line
    monkeypatch.setattr(NativeWriter, "_write", real)
    rec = read_recording(out)  # what was written is whole and readable
    assert rec.n_beats > 10
    saved = line.split("saved up to ")[1].split(":")
    assert abs(int(saved[0]) * 60 + int(saved[1]) - rec.beat_t_s[-1]) < 3


def test_read_only_folder_is_one_line_before_the_strap(tmp_path, capsys):
    if os.geteuid() == 0:  # root writes anywhere: make the folder a file's child instead
        (tmp_path / "f").write_text("x")
        target = tmp_path / "f" / "r.vcs.jsonl"
    else:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        target = ro / "r.vcs.jsonl"
    assert main(["record", "--simulate", "--duration", "5", "--speed", "max", "--out", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("vagal-coach: error: ") and "cannot" in err[0], err


def test_a_record_that_never_gets_data_leaves_no_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    rc = main(["record", "--device", "AA:BB:CC:DD:EE:FF", "--duration", "2"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and "no recording made" in err[-1]
    assert not list((tmp_path / "home").rglob("*.vcs.jsonl"))
    assert main(["history"]) == 0
    assert "UNREADABLE" not in capsys.readouterr().out


def test_lsl_without_pylsl_stops_before_the_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pylsl", None)  # import pylsl -> ImportError
    out = tmp_path / "r.vcs.jsonl"
    assert main(["record", "--simulate", "--lsl", "--duration", "3", "--speed", "max", "--out", str(out)]) == 2
    assert "pylsl" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_data_folder_and_files_private_whatever_the_umask(tmp_path, capsys, monkeypatch, umask):
    import stat

    home = tmp_path / "home"
    monkeypatch.setenv("VAGAL_COACH_HOME", str(home))
    old = os.umask(umask)
    try:
        assert main(["record", "--simulate", "--duration", "3", "--speed", "max", "--profile", "Anna Müller"]) == 0
        assert main(["history"]) == 0
        from vagal_coach.session.library import update_profile

        update_profile("Anna Müller", coherence_target=2.0)
    finally:
        os.umask(old)
    for p in [home, *home.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


def test_an_unusable_library_index_is_one_line(tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("VAGAL_COACH_HOME", str(home))
    (home / "library.sqlite3").mkdir(parents=True)  # not a database: SQLite cannot open it
    assert main(["history"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "library index" in err[0] and "--rebuild" in err[0], err


@pytest.mark.parametrize("columns", [80, 160, 40])
def test_record_status_line_fits_the_terminal_and_rewrites_itself(tmp_path, monkeypatch, columns):
    import io

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["record", "--simulate", "--duration", "20", "--speed", "max", "--out",
                 str(tmp_path / "r.vcs.jsonl")]) == 0
    out = tty.getvalue()
    updates = [u.split("\n")[0] for u in out.split("\r") if u]
    assert len(updates) >= 2 and "saved: " in out
    for u in updates:  # every rewrite of the line
        text = u.replace("\x1b[K", "")
        assert "\n" not in text and len(text) <= columns - 1, (len(text), text)
        assert u.endswith("\x1b[K")  # clears what a longer line left
    assert all(u.startswith("HR ") for u in updates)
