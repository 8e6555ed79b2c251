"""The windows fit a laptop: 1280x720 and 1366x768, at the default text size and each larger step, every
control reachable and no text cut; text steps are reversible; theme and text size are kept between runs."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")
pytest.importorskip("qasync")

from PySide6.QtCore import QRect  # noqa: E402

from tests.gui.layout_checks import layout_problems  # noqa: E402
from vagal_coach.gui.theme import TEXT_STEPS  # noqa: E402

SCREENS = (QRect(0, 0, 1280, 720), QRect(0, 0, 1366, 768))
STEPS = [s for s in TEXT_STEPS if s >= 1.0]


def _fits(win, qtbot, screen):
    bad = {}
    for theme in ("dark",):
        for step in STEPS:
            win.apply_theme(theme, step)
            win.fit_to(screen)
            qtbot.wait(1)
            problems = layout_problems(win, screen)
            if problems:
                bad[step] = problems
    return bad


@pytest.mark.parametrize("screen", SCREENS, ids=lambda r: f"{r.width()}x{r.height()}")
def test_trainer_fits_the_screen_at_every_text_step(qtbot, loop, screen):
    from vagal_coach.gui.app import TrainController

    ctrl = TrainController(simulate=True)
    qtbot.addWidget(ctrl.window)
    ctrl.window.show()
    assert _fits(ctrl.window, qtbot, screen) == {}
    # the full layout (settings unfolded, four plots) at the default size on both laptop screens
    ctrl.window.apply_theme("dark", 1.0)
    ctrl.window.fit_to(screen)
    assert not ctrl.window.compact and ctrl.window.settings_area.isVisible()


@pytest.mark.parametrize("screen", SCREENS, ids=lambda r: f"{r.width()}x{r.height()}")
def test_replay_fits_the_screen_at_every_text_step(qtbot, loop, screen):
    from tests.conftest import RECORDINGS
    from vagal_coach.gui.app import ReplayController

    ctrl = ReplayController(str(RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl"))
    qtbot.addWidget(ctrl.window)
    ctrl.window.show()
    assert _fits(ctrl.window, qtbot, screen) == {}
    w = ctrl.window
    w.apply_theme("dark", 1.0)
    w.fit_to(screen)
    qtbot.wait(1)
    # the seek bar spans the window; the plots are tall enough to read
    assert w.replay_bar.slider.width() > 0.6 * w.width()
    assert min(v.height() for v in w.plots.views) >= 110


def test_compact_layout_keeps_the_pacer_large_and_one_plot(qtbot, loop):
    from vagal_coach.gui.app import TrainController

    ctrl = TrainController(simulate=True)
    w = ctrl.window
    qtbot.addWidget(w)
    w.show()
    w.fit_to(SCREENS[0])
    w.choose_compact(True)
    qtbot.wait(1)
    assert [v.isVisible() for v in w.plots.views] == [True, False, False, False]
    assert not w.settings_area.isVisible() and w.pacer.height() > 0.5 * w.height()
    assert layout_problems(w, SCREENS[0]) == []
    w.settings_btn.click()  # settings unfold (they scroll) in the compact layout too
    qtbot.wait(1)
    assert w.settings_area.isVisible() and layout_problems(w, SCREENS[0]) == []


def _geometry(win):
    from PySide6.QtWidgets import QWidget

    return [(type(c).__name__, c.geometry().getRect()) for c in win.findChildren(QWidget)
            if c.isVisibleTo(win) and not c.isWindow()]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda r: f"{r.width()}x{r.height()}")
def test_text_size_up_then_down_restores_the_layout(qtbot, loop, screen):
    from vagal_coach.gui.app import TrainController

    ctrl = TrainController(simulate=True)
    w = ctrl.window
    qtbot.addWidget(w)
    w.show()
    w.fit_to(screen)
    qtbot.wait(1)
    size, before = w.size(), _geometry(w)
    for _ in range(2):
        w.step_text(+1)
    qtbot.wait(1)
    assert w.size() == size and w.scale == TEXT_STEPS[TEXT_STEPS.index(1.0) + 2]
    for _ in range(2):
        w.step_text(-1)
    qtbot.wait(1)
    assert w.scale == 1.0 and w.size() == size and _geometry(w) == before


def test_theme_and_text_size_are_kept_between_runs(qtbot, loop, home):
    from tests.conftest import RECORDINGS
    from vagal_coach.gui.app import ReplayController, TrainController, load_settings

    ctrl = TrainController(simulate=True)
    qtbot.addWidget(ctrl.window)
    ctrl.window.toggle_theme()
    ctrl.window.step_text(+1)
    assert load_settings()["theme"] == "light" and load_settings()["scale"] == 1.15
    again = TrainController(simulate=True)
    qtbot.addWidget(again.window)
    assert again.window.theme.name == "light" and again.window.scale == 1.15
    rp = ReplayController(str(RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl"))
    qtbot.addWidget(rp.window)
    assert rp.window.theme.name == "light" and rp.window.scale == 1.15
    rp.window.step_text(-1)  # a change in the replay is kept too
    assert load_settings()["scale"] == 1.0 and load_settings()["theme"] == "light"


def test_history_fits_and_reads_as_dates_with_one_session(qtbot, loop, home):
    import shutil

    import numpy as np

    from tests.conftest import RECORDINGS
    from vagal_coach.gui.app import TrainController
    from vagal_coach.gui.theme import THEMES

    d = home / "recordings" / "ana"
    d.mkdir(parents=True)
    shutil.copy(RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl", d / "20261101-090000-practice.vcs.jsonl")
    ctrl = TrainController(simulate=True)
    qtbot.addWidget(ctrl.window)
    loop.run_until_complete(ctrl.open_history())
    h = ctrl.history
    qtbot.addWidget(h)
    assert h.summary.text() == "1 session"
    for col, w in h.plots.items():
        x0, x1 = w.getPlotItem().vb.viewRange()[0]
        assert x1 - x0 >= 7 * 86400 - 1  # a week at least: ticks are days, not fractions of a second
        ax = w.getAxis("bottom")
        ticks = [s for level in ax.tickValues(x0, x1, w.width()) for s in ax.tickStrings(level[1], 1, level[0])]
        assert ticks and all("." not in t and ":" not in t for t in ticks), ticks
        (y0, y1), v = w.getPlotItem().vb.viewRange()[1], h.points[col].getData()[1]
        assert y0 <= v[0] <= y1 and (y1 - y0) >= 0.15 * abs(v[0]) and (y1 - y0) <= 2 * abs(v[0])
    for screen in SCREENS:
        for step in STEPS:
            h.set_theme(THEMES["dark"], step)
            ctrl.window.apply_theme("dark", step)
            h.fit_to(screen)
            h.show()
            qtbot.wait(1)
            assert layout_problems(h, screen) == [], (screen, step)
    assert np.isfinite(h.points["session_rmssd_ms"].getData()[1]).all()


def test_tiles_keep_their_place_whatever_they_show(qtbot, loop):
    from vagal_coach.gui.app import TrainController
    from vagal_coach.session.engine import Snapshot

    ctrl = TrainController(simulate=True)
    w = ctrl.window
    qtbot.addWidget(w)
    w.show()
    w.fit_to(SCREENS[0])
    qtbot.wait(1)

    def places():
        n = w.numbers
        return [(lab.geometry().getRect()) for d in (n.values, n.captions) for lab in d.values()]

    before = places()
    s = Snapshot(t_s=90.0, rr_ms=1000.0, accepted=True, hr_bpm=60.0, rmssd_ms=123456.0, ln_rmssd=4.0,
                 lf_ms2=1.0, lf_peak_hz=0.1, resonance_ms2=987654.0, coherence=12.3, coherence_peak_hz=0.1,
                 peak_to_trough_bpm=15.5, quality_pct=100.0, contact="contact", pacer_bpm=6.0, n_beats=90,
                 spectral_span_s=70.0)
    w.numbers.show_snapshot(s, 90.0)  # provisional: its line appears under coherence and resonance
    qtbot.wait(1)
    assert w.numbers.provisional["coherence"].isVisible() and places() == before


def test_adherence_is_said_only_while_a_pacer_paces():
    from vagal_coach.session.raw import raw_status_texts

    _, paced = raw_status_texts(True, True, "ecg", (1.0, 0.3), 6.0, 1.0, 10.0, True)
    _, unpaced = raw_status_texts(True, True, "ecg", (1.0, 0.3), 8.8, 1.0, 10.0, False)
    assert "with the pacer" in paced and unpaced == "breathing 8.8 /min"
