"""Background work: plain data in and out of a worker process, which is replaced if it dies."""

from __future__ import annotations

import asyncio
import os
import signal


def test_a_dead_worker_is_replaced_and_the_job_still_done(tmp_path):
    from vagal_coach.gui import work

    home = tmp_path / "home"

    async def scenario():
        rows = await work.run(work.library_rows, str(home), None, False)
        assert rows == []
        pids = list(work._pool()._processes)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        return await work.run(work.library_rows, str(home), None, True)

    assert asyncio.run(scenario()) == []
    assert (home / "library.sqlite3").exists()  # the job wrote where it was told, not where the test runs


def test_jobs_are_module_functions_of_plain_data():
    import inspect

    from vagal_coach.gui import work

    jobs = [f for n, f in inspect.getmembers(work, inspect.isfunction)
            if f.__module__ == work.__name__ and not n.startswith("_") and n not in ("run", "warm", "shutdown")]
    assert len(jobs) >= 6
    src = inspect.getsource(work)
    assert "PySide6" not in src and "QtWidgets" not in src and "gc.disable" not in src
