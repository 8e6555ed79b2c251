"""Composition root: builds the window, the session model and the sources, and wires them.

bleak runs inside Qt's event loop through qasync (PySide6.QtAsyncio lacks what bleak's BlueZ backend
needs). Heavy imports (analysis, reports) happen only when asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox

from vagal_coach.clock import Clock, mmss
from vagal_coach.gui.main_window import MainWindow
from vagal_coach.session.engine import LiveEngine, Snapshot
from vagal_coach.session.pacer import PacerSchedule
from vagal_coach.session.raw import raw_status_texts
from vagal_coach.session.recorder import Recorder, data_dir
from vagal_coach.session.trainer import PacerSettings, Summary, Trainer

STATUS_MS = 1000  # clock, link, battery: once a second
SPECTRUM_EVERY = 3  # beats between spectrum redraws


def settings_path() -> Path:
    return data_dir() / "settings.json"


def load_settings() -> dict:
    try:
        return json.loads(settings_path().read_text())
    except (OSError, ValueError):
        return {}


def save_settings(d: dict) -> None:
    p = settings_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(d, indent=1))


async def off_thread(fn: Any) -> Any:
    """Run ``fn`` in the executor, with the cyclic collector paused meanwhile, so that no Qt object is
    ever collected (destroyed) on the worker thread."""
    import gc

    gc.disable()
    try:
        return await asyncio.get_running_loop().run_in_executor(None, fn)
    finally:
        gc.enable()


class TrainController:
    def __init__(self, *, simulate: bool = False, device: str | None = None, adapter: str | None = None,
                 profile: str = "default", speed: float = 1.0, theme: str | None = None, scale: float | None = None,
                 rate_bpm: float | None = None, scan_timeout_s: float = 4.0, out: Path | None = None,
                 lsl: bool = False, sim_raw: bool = True) -> None:
        self.settings = load_settings()
        self.sim_raw = sim_raw  # the simulated strap streams an H10's raw ECG and ACC too
        self.lsl = lsl  # publish each session on Lab Streaming Layer
        self.lsl_outlets: Any = None
        self.profile = profile
        self.adapter = adapter
        self.speed = speed
        self.out = out
        last = self.settings.get("last_device")
        from vagal_coach.session.guided import available_scripts
        from vagal_coach.session.library import list_profiles, load_profile

        self.scripts = {s.key: s for s in available_scripts()}
        prof = load_profile(profile)
        rf = prof.get("resonance_bpm")  # the client's own resonance rate, once assessed
        pacer = PacerSettings(rate_bpm=rate_bpm or float(rf or self.settings.get("rate_bpm", 6.0)))
        self.clock = Clock(speed)
        self.trainer: Trainer | None = None
        self.guided: Any = None
        self.kind = "practice"
        self.task: asyncio.Future | None = None
        self.replays: list[ReplayController] = []
        self.history: Any = None
        self.result_dialog: Any = None
        self.window = MainWindow(mode="train", pacer=pacer, theme=theme or self.settings.get("theme", "dark"),
                                 scale=scale or float(self.settings.get("scale", 1.0)), clock=self.clock.now,
                                 schedule=lambda: self.trainer.schedule if self.trainer else None,
                                 last_device=tuple(last) if last else None, profiles=list_profiles(),
                                 profile=profile,
                                 scripts=[(k, f"{s.title} ({s.language})") for k, s in self.scripts.items()])
        self.window.session_panel.show_resonance(rf, prof.get("resonance_assessed_utc"))
        self.window.session_panel.target.setValue(float(prof.get("coherence_target", 1.0)))
        self.window.session_panel.target.valueChanged.connect(self._set_target)
        self.window.session_panel.profile_changed.connect(self.set_profile)
        self.window.session_panel.history_requested.connect(self.open_history)
        self.window.reflection.submitted.connect(self.save_rating)
        self.window.pacer_controls.no_pacer.toggled.connect(self._own_rhythm)
        self.chime: Any = None
        self.window.pacer_controls.chime.toggled.connect(self.set_chime)
        self.window.pacer.turned.connect(self._turn)
        if self.settings.get("chime"):
            self.window.pacer_controls.chime.setChecked(True)
        self.last_path: Path | None = None
        self.duration_s: float | None = None
        w = self.window
        w.start_requested.connect(self.start)
        w.stop_requested.connect(self.stop)
        w.pause_requested.connect(self.pause)
        w.marker_requested.connect(self.marker)
        w.pacer_controls.changed.connect(self.change_pacer)
        w.device.scan_requested.connect(lambda: asyncio.ensure_future(self.scan()))
        from vagal_coach.gui.bt_check import install_help_menu

        install_help_menu(w, lambda: self.adapter)  # Help > Bluetooth check
        w.device.connect_requested.connect(lambda a, n: self.start())
        self.timer = QTimer(w)
        self.timer.timeout.connect(self.status_tick)
        self.timer.start(STATUS_MS)
        # plots redraw once per beat (coalesced when a notification brings several beats)
        self._dirty = QTimer(w)
        self._dirty.setSingleShot(True)
        self._dirty.timeout.connect(self.redraw)
        self._redraws = 0
        self.summary: Summary | None = None
        self.preset_device = device
        self.simulate = simulate
        if simulate:
            w.device.set_devices([], None)
            self._simulated_ready()
        elif device:
            w.device.set_devices([], (device, device))

    async def scan(self) -> None:
        from vagal_coach.errors import DeviceError
        from vagal_coach.sensors.ble import scan

        w = self.window
        w.device.link.setText("scanning…")
        why = "No strap found: wear it (most sleep until the electrodes touch wet skin) and scan again."
        try:
            found = await scan(4.0, self.adapter)
        except (DeviceError, ImportError) as e:
            found = []
            why = f"Bluetooth: {e}."
        last = self.settings.get("last_device")
        w.device.set_devices([(s.name, s.address, s.rssi_dbm) for s in found], tuple(last) if last else None)
        w.device.link.setText("not connected")
        if not found and w.device.simulated_only():
            self._simulated_ready(why)
        elif not found:
            w.status.setText(why + " The simulated strap is offered too (not a real sensor).")

    def _simulated_ready(self, why: str = "") -> None:
        """The simulated strap is the one choice: connected, so Start is the one click left."""
        w = self.window
        w.device.show_simulated_ready()
        w.start_btn.setDefault(True)
        w.start_btn.setFocus()
        w.status.setText((why + " " if why else "") + "The simulated strap is connected (not a real sensor): "
                         "press Start (Ctrl+Enter) to begin.")

    def _source(self) -> tuple[Any, dict]:
        addr, name = self.window.device.combo.currentData()
        from vagal_coach.sensors.simulated import SIMULATED_ADDRESS, SimulatedStrap

        if addr == SIMULATED_ADDRESS:
            # H10-like (raw ECG and ACC too), so the demo shows the chest's breath and where beats come from
            src = SimulatedStrap(self.clock, schedule=lambda: self.trainer.schedule if self.trainer else None,
                                 raw=self.sim_raw)
            return src, {"name": src.name, "address": SIMULATED_ADDRESS, "simulated": True}
        from vagal_coach.sensors.ble import BleStrap

        self.settings["last_device"] = [addr, name]
        save_settings(self.settings)
        return BleStrap(addr, self.clock, adapter=self.adapter, name=name), {"address": addr, "name": name}

    def set_profile(self, name: str) -> None:
        from vagal_coach.session.library import load_profile

        self.profile = name
        prof = load_profile(name)
        rf = prof.get("resonance_bpm")
        self.window.session_panel.show_resonance(rf, prof.get("resonance_assessed_utc"))
        t = self.window.session_panel.target
        t.blockSignals(True)
        t.setValue(float(prof.get("coherence_target", 1.0)))
        t.blockSignals(False)
        if rf:
            self.window.pacer_controls.rate.setValue(float(rf))

    def _set_target(self, value: float) -> None:
        from vagal_coach.session.library import update_profile

        update_profile(self.profile, coherence_target=round(float(value), 1))

    def resonance_bpm(self) -> float:
        from vagal_coach.session.library import load_profile

        return float(load_profile(self.profile).get("resonance_bpm") or self.window.pacer_controls.rate.value())

    def _plan(self) -> tuple[str, list, float | None]:
        """(recording kind, pacer events or None for the free-practice settings, duration or None)."""
        from vagal_coach.session import protocols

        kind = self.window.session_panel.current_kind()
        self.guided = None
        if kind.startswith("guided:"):
            from vagal_coach.session.guided import GuidedSession, plan

            p = plan(self.scripts[kind.split(":", 1)[1]], self.window.session_panel.minutes.value(),
                     self.resonance_bpm())
            self.guided = GuidedSession(p, None)
            self.guided.on_prompt.append(lambda q: self.window.prompt.show_prompt(q.text if q else None))
            self.guided.on_phase.append(lambda ph: self.window.prompt.show_phase(ph.title, p.total_s - ph.t0_s))
            return "guided", self.guided.first_events(), p.total_s
        if kind.startswith("rf-"):
            evs = {"rf-stepped": protocols.stepped, "rf-sliding": protocols.sliding,
                   "rf-fine-tune": lambda: protocols.fine_tune(self.resonance_bpm())}[kind]()
            return kind, evs, protocols.duration_s(evs) + 2.0
        return "practice", None, None

    def start(self) -> None:
        if self.trainer is not None:
            return
        from vagal_coach.errors import UserError

        w = self.window
        try:
            self.kind, events, self.duration_s = self._plan()
        except (UserError, ValueError) as e:
            w.status.setText(f"Cannot start: {e}")
            return
        self.clock = Clock(self.speed)
        source, device = self._source()
        recorder = Recorder(self.out, profile=self.profile, kind=self.kind, device=device,
                            source="simulated" if device.get("simulated") else "ble")
        self.trainer = Trainer(source, self.clock, recorder=recorder, pacer=w.pacer_controls.settings(),
                               baseline_s=60.0 * w.baseline.value() if events is None else 0.0, events=events,
                               target_coherence=w.session_panel.target.value())
        if self.guided is not None:
            self.guided.trainer = self.trainer
        self.last_path = recorder.path
        self.trainer.session.on_snapshot.append(self.on_snapshot)
        self.trainer.session.on_raw.append(self.on_raw)
        if self.lsl:
            from vagal_coach.session.lsl import LslOutlets

            self.lsl_outlets = LslOutlets(self.trainer.session).attach()
        w.pacer.clock = self.clock.now
        w.plots.reset()
        w.plots.schedule = self.trainer.schedule
        w.set_running(True)
        w.pacer_controls.apply.setEnabled(self.kind == "practice")
        w.pacer_controls.no_pacer.setEnabled(self.kind in ("practice", "guided"))
        w.status.setText(f"Recording to {recorder.path}")
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        assert self.trainer is not None
        error = None
        drive = asyncio.ensure_future(self.guided.drive()) if self.guided is not None else None
        try:
            self.summary = await self.trainer.run(self.duration_s)
        except Exception as e:  # noqa: BLE001 - one line to the user, the recording is already safe
            import logging

            logging.getLogger("vagal_coach").exception("session ended by an error")
            error = f"Session ended by an error: {e}. The recording is kept."
            self.summary = self.trainer.summary()
        finally:
            if drive is not None:
                drive.cancel()
        w = self.window
        w.set_running(False)
        w.pacer_controls.apply.setEnabled(True)
        w.pacer_controls.no_pacer.setEnabled(True)
        complete = self.duration_s is None or self.clock.now() >= self.duration_s - 1.0
        self.show_summary(self.summary, error, dialog=self.kind == "practice")
        self.trainer = None
        if self.kind == "guided" and self.guided is not None:
            r = self.guided.plan.script.reflection
            w.reflection.ask(r.get("question", "How do you feel right now?"), r.get("low", "0"), r.get("high", "10"))
            w.show_reflection(True)
        elif self.kind.startswith("rf-") and complete and error is None:
            await self.assess(self.last_path)
        elif self.kind.startswith("rf-"):
            w.status.setText(w.status.text() + " · The assessment was not completed: no rate is recommended.")
        await self._index(self.last_path)

    async def _index(self, path: Path | None) -> None:
        if path is None:
            return
        from vagal_coach.session.library import Library

        try:
            await off_thread(lambda: Library.open().index(path))
        except Exception:  # noqa: BLE001 - the index is disposable; the recording is safe
            import logging

            logging.getLogger("vagal_coach").exception("could not index %s", path)

    async def assess(self, path: Path | None) -> Any:
        """Assess the finished protocol recording and show the result with its evidence."""
        from vagal_coach.analysis.assessment import assess
        from vagal_coach.errors import UserError
        from vagal_coach.gui.resonance_view import ResonanceResult
        from vagal_coach.io import read_recording

        w = self.window
        def work() -> tuple:
            rec = read_recording(path)
            return rec, assess(rec)

        try:
            rec, result = await off_thread(work)
        except UserError as e:
            w.status.setText(f"Resonance assessment: {e}")
            return None
        dlg = ResonanceResult(result, self.profile, w)
        dlg.use_requested.connect(lambda bpm: self.use_resonance(bpm, result, str(path)))
        dlg.fine_tune_requested.connect(lambda bpm: self.fine_tune(bpm, result, str(path)))
        dlg.report_requested.connect(lambda: asyncio.ensure_future(self.resonance_report(rec, result)))
        self.result_dialog = dlg
        dlg.show()
        return result

    def use_resonance(self, bpm: float, result: Any, source: str) -> None:
        from vagal_coach.session.library import save_resonance

        save_resonance(self.profile, bpm, result.confidence, result.protocol, source)
        self.set_profile(self.profile)
        self.window.pacer_controls.rate.setValue(bpm)
        self.window.status.setText(f"{bpm:g} breaths/min is now {self.profile}'s pacer rate.")

    def fine_tune(self, bpm: float, result: Any, source: str) -> None:
        self.use_resonance(bpm, result, source)
        self.window.session_panel.select_kind("rf-fine-tune")
        if self.result_dialog is not None:
            self.result_dialog.close()
        self.window.status.setText(f"Fine-tune around {bpm:g} breaths/min selected: press Start when ready.")

    async def resonance_report(self, rec: Any, result: Any, out: Path | None = None) -> Path | None:
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self.window, "Resonance report",
                                                  str(Path(str(rec.path)).with_suffix(".resonance.pdf")))
            if not name:
                return None
            out = Path(name)
        from vagal_coach.report.resonance_pdf import write_resonance_report

        await off_thread(lambda: write_resonance_report(rec, result, out))
        self.window.status.setText(f"Report saved: {out}")
        return out

    def save_rating(self, value: float) -> None:
        from vagal_coach.session.guided import record_rating

        if self.last_path is None or self.guided is None:
            return
        record_rating(self.last_path, value, self.guided.plan.script.reflection.get("question", ""))
        self.window.status.setText(f"Thank you. Your reflection ({value:.0f}/10) is saved with the session.")
        asyncio.ensure_future(self._index(self.last_path))

    def set_chime(self, on: bool) -> None:
        """The optional chime; QtMultimedia is imported only when it is asked for."""
        box = self.window.pacer_controls.chime
        if on and self.chime is None:
            from vagal_coach.gui.sound import Chime

            self.chime = Chime(data_dir() / "cache")
        if on and not self.chime.available:
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
            box.setEnabled(False)
            box.setToolTip(f"Unavailable: {self.chime.reason}")
            self.window.status.setText(f"No chime: {self.chime.reason}. Everything else works as before.")
            on = False
        self.settings["chime"] = on
        save_settings(self.settings)

    def _turn(self, stage: str) -> None:
        if self.trainer is not None and self.chime is not None and self.window.pacer_controls.chime.isChecked():
            self.chime.play(stage)

    def _own_rhythm(self, on: bool) -> None:
        """In a guided session the pacer is never forced: 'no pacer' lets one breathe in one's own way."""
        if self.trainer is None or self.guided is None:
            return
        self.guided.own_rhythm() if on else self.guided.follow_pacer()

    # ---------------------------------------------------------------- history
    def open_history(self) -> Any:
        from vagal_coach.gui.history_view import HistoryView
        from vagal_coach.session.library import list_profiles

        if self.history is None:
            self.history = HistoryView(self.window.theme, list_profiles(), self.profile)
            self.history.setStyleSheet(self.window.styleSheet())
            self.history.profile_changed.connect(lambda _p: asyncio.ensure_future(self.load_history()))
            self.history.rebuild_requested.connect(lambda: asyncio.ensure_future(self.load_history(rebuild=True)))
            self.history.open_requested.connect(self.open_replay)
            self.history.report_requested.connect(lambda: asyncio.ensure_future(self.history_report()))
        self.history.show()
        self.history.raise_()
        return asyncio.ensure_future(self.load_history())

    async def load_history(self, rebuild: bool = False) -> list[dict]:
        from vagal_coach.session.library import Library

        h = self.history
        h.summary.setText("reading the library…")

        def work() -> list[dict]:
            lib = Library.open()
            if rebuild or not lib.sessions():
                lib.rebuild()
            else:
                lib.refresh()
            return lib.sessions(h.profile.currentData() or None)

        rows = await off_thread(work)
        h.set_rows(rows)
        return rows

    def open_replay(self, path: str) -> Any:
        from vagal_coach.errors import UserError

        try:
            r = ReplayController(path)
        except UserError as e:
            self.history.summary.setText(str(e))
            return None
        self.replays.append(r)
        r.window.show()
        return r

    async def history_report(self, out: Path | None = None) -> Path | None:
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self.history, "Progress report", str(Path.home() / "progress.pdf"))
            if not name:
                return None
            out = Path(name)
        from vagal_coach.report.history_pdf import write_history_report

        rows, prof = self.history.rows[::-1], self.history.profile.currentData() or None
        await off_thread(lambda: write_history_report(rows, out, profile=prof))
        self.history.summary.setText(f"Report saved: {out}")
        return out

    def on_snapshot(self, s: Snapshot) -> None:
        self.window.plots.add(s)
        if not self._dirty.isActive():
            self._dirty.start(100)  # at most 10 redraws a second, whatever the beat rate (replays, tests)

    def on_raw(self, up: Any) -> None:
        if up.breath_t_s.size or up.flipped:
            self.window.plots.add_chest(up.breath_t_s, up.breath_mg, up.oriented, up.flipped)

    def status_tick(self) -> None:
        t = self.trainer
        if t is None:
            return
        st = t.session.status
        now = self.clock.now()
        self.window.numbers.show_snapshot(None, now)
        if self.guided is not None:
            ph = self.guided.plan.phase_at(now)
            self.window.prompt.show_phase(ph.title if ph else None, max(0.0, self.guided.plan.total_s - now))
        self.window.device.show_status(st.link_text(now), st.battery_pct, t.engine.contact,
                                       st.last.quality_pct if st.last else None, bool(st.device.get("simulated")),
                                       st.device.get("hrv_warning", ""))
        raw = t.session.raw
        self.window.device.show_raw(*raw_status_texts(
            raw.has_ecg, raw.has_acc, st.rr_source, st.agreement, st.breathing_rate_bpm, st.share_following,
            st.last_lag_deg, t.schedule is not None and t.schedule.rate_scalar(now) > 0, raw.starting(),
            raw.stuck_axes))

    def redraw(self) -> None:
        w = self.window
        t = self.trainer
        if t is None:
            return
        st = t.session.status
        w.numbers.show_snapshot(st.last, self.clock.now())
        w.plots.schedule = t.schedule
        w.plots.redraw(self.clock.now())
        base = [x for x in t.snapshots if x.t_s < t.baseline_s]
        w.plots.set_baseline(base[-1].rmssd_ms if base and self.clock.now() >= t.baseline_s else None)
        self._redraws += 1
        if self._redraws % SPECTRUM_EVERY == 0:
            f, p = t.engine.spectrum()
            w.plots.set_spectrum(f, p, t.schedule.rate_scalar(self.clock.now()) / 60.0)

    def pause(self, on: bool) -> None:
        if self.trainer:
            self.trainer.pause() if on else self.trainer.resume()

    def marker(self) -> None:
        if self.trainer:
            self.trainer.marker("marker")

    def change_pacer(self, settings: PacerSettings) -> None:
        self.settings["rate_bpm"] = settings.rate_bpm
        save_settings(self.settings)
        if self.trainer:
            self.trainer.set_pacer(settings)

    def stop(self) -> None:
        if self.trainer:
            self.trainer.stop()

    def show_summary(self, s: Summary, error: str | None = None, dialog: bool = True) -> None:
        def f(v: float, fmt: str) -> str:
            return "—" if v is None or not math.isfinite(v) else fmt.format(v)

        text = (f"Session {mmss(s.duration_s)}\n"
                f"RMSSD: baseline {f(s.baseline_rmssd_ms, '{:.0f}')} ms, "
                f"practice {f(s.practice_rmssd_ms, '{:.0f}')} ms\n"
                f"Resonance power (mean): {f(s.mean_resonance_ms2, '{:.0f}')} ms²\n"
                f"Peak-to-trough (mean): {f(s.mean_peak_to_trough_bpm, '{:.1f}')} bpm\n"
                f"Time at or above your own coherence target ({s.target_coherence:g}): {s.time_at_target_s:.0f} s\n"
                + ("Beats from the strap's ECG (its own RR kept beside them)\n" if s.rr_source == "ecg" else "")
                + (breath_line(s.n_breaths, s.breathing_rate_bpm, s.breath_share_following,
                               s.breath_median_lag_deg) + "\n" if s.n_breaths else "")
                + f"Markers: {s.n_markers}\nSaved: {s.path}")
        if error:
            text = error + "\n" + text
        self.window.status.setText(text.replace("\n", " · "))
        if dialog and not getattr(self, "quiet", False):
            QMessageBox.information(self.window, "Session summary", text)


def breath_line(n_breaths: int, rate_bpm: float, share_following: float, median_lag_deg: float) -> str:
    """The chest accelerometer's breathing, in words (a session's summary, a replay)."""
    def f(v: float, fmt: str) -> str:
        return "—" if v is None or not math.isfinite(v) else fmt.format(v)

    line = f"Breathing (chest): {n_breaths} breaths, {f(rate_bpm, '{:.1f}')} /min"
    if math.isfinite(share_following):
        line += (f"; with the pacer: {100 * share_following:.0f} % of breaths, median lag "
                 f"{f(median_lag_deg, '{:+.0f}')}° (+ = after its cue)")
    return line


class ReplayController:
    """Replay a recording: play/pause, 1x-16x, seek, markers (listed, jumpable, addable), exports."""

    def __init__(self, path: str, theme: str | None = None, scale: float | None = None) -> None:
        from vagal_coach.io import read_recording

        self.rec = read_recording(path)
        self.path = Path(path)
        st = load_settings()
        self.schedule = PacerSchedule(self.rec.pacer) if self.rec.pacer else None
        self.window = MainWindow(mode="replay", theme=theme or st.get("theme", "dark"),
                                 scale=scale or float(st.get("scale", 1.0)), clock=self.position,
                                 schedule=lambda: self.schedule, replay_duration_s=self.rec.duration_s)
        self.window.setWindowTitle(f"vagal-coach — replay of {self.rec.name}")
        self.window.plots.schedule = self.schedule
        self.speed = 1.0
        self.playing = False
        self.start_s = 0.0
        self.clock = Clock(self.speed)
        self.task: asyncio.Future | None = None
        self.engine = LiveEngine(self.schedule)
        self.last: Snapshot | None = None
        bar = self.window.replay_bar
        assert bar is not None
        bar.play_toggled.connect(self.set_playing)
        bar.seek_requested.connect(self.seek)
        bar.speed_changed.connect(self.set_speed)
        bar.marker_jump.connect(self.seek)
        self.window.marker_requested.connect(self.add_marker)
        self.window.export_requested.connect(lambda k: asyncio.ensure_future(self.export(k)))
        self.markers = [(m.t_s, m.label + (f" — {m.note}" if m.note else "")) for m in self.rec.markers]
        # a guided session's prompts, shown at the replay position as the client saw them
        prompts = self.rec.guided.prompts
        self.prompt_t_s, self.prompt_texts = [q.t_s for q in prompts], [q.text for q in prompts]
        info = self.rec.guided.info
        self.prompt_s = info.prompt_seconds if info is not None else 14.0
        bar.set_markers(self.markers)
        self.timer = QTimer(self.window)
        self.timer.timeout.connect(self.redraw)
        self.timer.start(500)
        self._stream = self._notifications()
        self.chest: tuple[Any, Any] | None = None  # the chest's breath (recordings with ACC)
        self.breath_text = ""
        self.seek(0.0)
        self.breath_task = asyncio.ensure_future(self._load_breathing()) if self.rec.acc is not None else None

    async def _load_breathing(self) -> None:
        """The recording's breathing waveform and adherence, computed off the GUI thread, then drawn."""
        from vagal_coach.analysis.recording import breathing

        b = await off_thread(lambda: breathing(self.rec, self.rec.beat_t_s, self.rec.rr_ms, waveform=True))
        self.chest = (b["waveform_t_s"], b["waveform_mg"])
        self.window.plots.set_chest(*self.chest)
        if b["n_breaths"]:
            self.breath_text = breath_line(b["n_breaths"], b["breathing_rate_bpm"], b["breath_share_following"],
                                           b["breath_median_lag_deg"])
            self.window.status.setText(self.breath_text)
        self.redraw()

    def _notifications(self) -> tuple[list[float], list[bytes]]:
        from vagal_coach.sensors.replay import ReplaySource

        t, raws = ReplaySource(self.rec)._stream()
        return t.tolist(), raws

    def position(self) -> float:
        return self.start_s + (self.clock.now() if self.playing else 0.0)

    def seek(self, t_s: float) -> None:
        """Rebuild the engine's state up to ``t_s`` (from 10 min before it), then go on from there."""
        was = self.playing
        self._cancel()
        t_s = max(0.0, min(float(t_s), self.rec.duration_s))
        self.engine = LiveEngine(self.schedule)
        self.window.plots.reset()
        if getattr(self, "chest", None) is not None:
            self.window.plots.set_chest(*self.chest)
        ts, raws = self._stream
        import bisect

        i0 = bisect.bisect_left(ts, t_s - 600.0)
        i1 = bisect.bisect_right(ts, t_s)
        for t, raw in zip(ts[i0:i1], raws[i0:i1]):
            for s in self.engine.push_raw(t, raw)[2]:
                self.window.plots.add(s)
                self.last = s
        self.start_s = t_s
        self._next = i1
        self.redraw(force_spectrum=True)
        if was:
            self.set_playing(True)

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
        if self.playing:
            self.start_s = self.position()
        self.playing = False

    def set_speed(self, speed: float) -> None:
        was = self.playing
        self._cancel()
        self.speed = speed
        if was:
            self.set_playing(True)

    def set_playing(self, on: bool) -> None:
        if not on:
            self._cancel()
            return
        if self.playing:
            return
        self.clock = Clock(self.speed)
        self.playing = True
        self.task = asyncio.ensure_future(self._play())

    async def _play(self) -> None:
        ts, raws = self._stream
        i = self._next
        while i < len(ts):
            await asyncio.sleep(max(0.0, (ts[i] - self.position()) / self.speed))
            for s in self.engine.push_raw(ts[i], raws[i])[2]:
                self.window.plots.add(s)
                self.last = s
            i += 1
            self._next = i
        self.start_s = self.rec.duration_s
        self.playing = False

    def redraw(self, force_spectrum: bool = False) -> None:
        w = self.window
        pos = self.position()
        w.numbers.show_snapshot(self.last, pos)
        w.prompt.show_prompt(self.prompt_at(pos))
        w.plots.redraw(pos if self.last else None, staggered=False)
        assert w.replay_bar is not None
        w.replay_bar.set_position(pos)
        if force_spectrum or int(pos * 4) % SPECTRUM_EVERY == 0:
            f, p = self.engine.spectrum()
            w.plots.set_spectrum(f, p, (self.schedule.rate_scalar(pos) / 60.0) if self.schedule else 0.0)

    def prompt_at(self, t_s: float) -> str | None:
        from vagal_coach.session.guided import prompt_shown_at

        i = prompt_shown_at(self.prompt_t_s, t_s, self.prompt_s)
        return None if i is None else self.prompt_texts[i]

    def add_marker(self, label: str | None = None, note: str = "") -> None:
        t = self.position()
        if label is None:
            label, ok = QInputDialog.getText(self.window, "Marker", f"Marker at {mmss(t)}:")
            if not ok:
                return
            note, ok = QInputDialog.getMultiLineText(self.window, "Note", f"Note for '{label}' (optional):")
            note = note if ok else ""
        self.markers.append((t, label + (f" — {note}" if note else "")))
        self.markers.sort()
        assert self.window.replay_bar is not None
        self.window.replay_bar.set_markers(self.markers)
        if self.rec.format == "native":
            from vagal_coach.io.native import append_event

            append_event(self.path, {"type": "marker", "t": round(t, 4), "label": label, "note": note,
                                     "added_in": "review"})
            self.window.status.setText(f"Marker saved in {self.path.name}")
        else:
            self.window.status.setText("Marker kept for this review; export to a session (.vcs.jsonl) to keep it")

    async def export(self, kind: str, out: Path | None = None) -> Path | None:
        suffix = {"pdf": ".pdf", "rr": ".txt", "edf": ".edf"}[kind]
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self.window, "Export", str(self.path.with_suffix(suffix)))
            if not name:
                return None
            out = Path(name)

        def work() -> None:
            if kind == "pdf":
                from vagal_coach.analysis import analyze
                from vagal_coach.report import write_analysis_report

                write_analysis_report(analyze(self.rec), out)
            else:
                from vagal_coach.io import Marker, write_recording

                self.rec.markers = [Marker(t, lab) for t, lab in self.markers]
                write_recording(self.rec, out)

        try:
            await off_thread(work)
        except Exception as e:  # noqa: BLE001
            self.window.status.setText(f"Export failed: {e}")
            return None
        self.window.status.setText(f"Exported {out}")
        return out


def run_gui(ns: Any) -> int:
    import qasync

    if getattr(ns, "lsl", False):
        from vagal_coach.session.lsl import _pylsl

        _pylsl()  # say now, in one line, when pylsl is missing

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("vagal-coach")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    if getattr(ns, "command", None) == "replay":
        ctrl: Any = ReplayController(ns.file)
    else:
        ctrl = TrainController(simulate=getattr(ns, "simulate", False), device=getattr(ns, "device", None),
                               adapter=getattr(ns, "adapter", None), profile=getattr(ns, "profile", "default"),
                               rate_bpm=getattr(ns, "rate", None), lsl=getattr(ns, "lsl", False))
    ctrl.window.show()
    closed = loop.create_future()
    app.aboutToQuit.connect(lambda: closed.done() or closed.set_result(None))
    if isinstance(ctrl, TrainController) and not ctrl.simulate and not ctrl.preset_device:
        loop.call_soon(lambda: asyncio.ensure_future(ctrl.scan()))
    import gc

    with loop:
        loop.run_until_complete(closed)
        if isinstance(ctrl, TrainController) and ctrl.trainer is not None:
            ctrl.trainer.stop()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.wait_for(ctrl.task, 5))
        gc.collect()  # Qt objects are collected here, on the GUI thread, not in an executor thread
        gc.disable()
    return 0
