from __future__ import annotations

import asyncio

import pytest


@pytest.fixture
def loop(qapp):
    import gc

    qasync = pytest.importorskip("qasync")
    lp = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(lp)
    yield lp
    gc.collect()  # Qt objects collected here, on the GUI thread
    lp.close()


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(scope="session", autouse=True)
def background_worker():
    """The window's background worker (a spawned process) started once for every GUI test, before the
    timed ones: its start-up is not what they measure."""
    from vagal_coach.gui import work

    work.warm()
    work._pool().submit(int).result(timeout=120)
    yield
    work.shutdown()
