"""The trainer: a practice, guided or resonance-protocol session on a strap (or the simulated one), drawn
live; the window's Start, Pause, Stop, markers and pacer changes forwarded to the session's model; its summary
shown at Stop (the dialog, the tiles and the status line say the same figures, from ``session.summary``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from vagal_coach.clock import Clock
from vagal_coach.gui import work
from vagal_coach.gui.history import HistoryJobs
from vagal_coach.gui.main_window import MainWindow
from vagal_coach.gui.resonance import ResonanceJobs
from vagal_coach.gui.settings import keep_view, load_settings, update_settings
from vagal_coach.model import PacerEvent
from vagal_coach.paths import data_dir
from vagal_coach.session.engine import Snapshot
from vagal_coach.session.raw import raw_status_texts
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.trainer import PacerSettings, Summary, Trainer

STATUS_MS = 1000  # clock, link, battery: once a second
SPECTRUM_EVERY = 3  # beats between spectrum redraws


def sentence(head: str, detail: str = "") -> str:
    """One status sentence, composed once: "Head (detail)." with the detail's own end kept and a single stop."""
    detail = detail.strip()
    for prefix in ("bluetooth:", "Bluetooth:"):
        detail = detail.removeprefix(prefix).strip()
    text = f"{head} ({detail.rstrip('.')})" if detail else head
    return text if text.endswith((".", "?", "!")) else text + "."


def data_folder_problems(profile: str) -> list[str]:
    """One line per file in the data folder the trainer could not use (settings, the client's profile, one's
    own guided scripts), each with its reason; defaults are used instead."""
    from vagal_coach.gui.settings import read_settings
    from vagal_coach.session.guided import script_problems
    from vagal_coach.session.library import profile_problem

    return [*read_settings()[1], *filter(None, [profile_problem(profile)]), *script_problems()]


class TrainController(ResonanceJobs, HistoryJobs):
    def __init__(self, *, simulate: bool = False, device: str | None = None, adapter: str | None = None,
                 profile: str = "default", speed: float = 1.0, theme: str | None = None, scale: float | None = None,
                 rate_bpm: float | None = None, scan_timeout_s: float = 4.0, out: Path | None = None,
                 lsl: bool = False, sim_raw: bool = True, lsl_device_id: bool = False) -> None:
        self.settings = load_settings()
        self.sim_raw = sim_raw  # the simulated strap streams an H10's raw ECG and ACC too
        self.lsl = lsl  # publish each session on Lab Streaming Layer
        self.lsl_device_id = lsl_device_id  # the strap's full name and address in the streams' metadata
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
        self.replays: list[Any] = []
        self.history: Any = None
        self.result_dialog: Any = None
        self.window = MainWindow(mode="train", pacer=pacer, theme=theme or self.settings.get("theme", "dark"),
                                 scale=scale or float(self.settings.get("scale", 1.0)), clock=self.clock.now,
                                 schedule=lambda: self.trainer.schedule if self.trainer else None,
                                 last_device=tuple(last) if last else None, profiles=list_profiles(),
                                 profile=profile,
                                 scripts=[(k, f"{s.title} ({s.language})") for k, s in self.scripts.items()])
        self.window.view_changed.connect(keep_view)
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
        pc = self.window.pacer_controls
        for sig in (pc.rate.valueChanged, pc.no_pacer.toggled, self.window.baseline.valueChanged,
                    self.window.session_panel.kind_changed):
            sig.connect(self._preview)
        self._preview()
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
        self.problems = data_folder_problems(profile)
        if self.problems:  # damaged files in the data folder: named, defaults used, never a stop
            self.window.notice.setText("Not used (defaults instead): " + " · ".join(self.problems))
            self.window.notice.setVisible(True)
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
            why = sentence("Bluetooth is not available", getattr(e, "message", str(e)))
        last = self.settings.get("last_device")
        w.device.set_devices([(s.name, s.address, s.rssi_dbm) for s in found], tuple(last) if last else None)
        w.device.link.setText("not connected")
        if not found and w.device.simulated_only():
            self._simulated_ready(why)
        elif not found:
            w.status.setText(why + " The simulated strap is offered too (not a real sensor).")
        self._preview()

    def _preview(self, *_a: Any) -> None:
        """Before Start the pacer says what it will pace."""
        w = self.window
        kind = w.session_panel.current_kind()
        rate = f"{w.pacer_controls.rate.value():g}"
        if kind.startswith("guided:"):
            text = f"settle in your own way, then slow to {self.resonance_bpm():g} /min"
        elif kind == "rf-stepped":
            text = "paces 6.5 to 4.5 /min, a step at a time"
        elif kind == "rf-sliding":
            text = "paces one slow sweep, 6.75 to 4.25 /min"
        elif kind == "rf-fine-tune":
            text = f"paces {self.resonance_bpm():g} /min and ± 0.25"
        elif w.pacer_controls.no_pacer.isChecked():
            text = "no pacer: breathe at your own pace"
        elif w.baseline.value() > 0:
            text = f"{w.baseline.value():g} min own pace, then {rate} /min"
        else:
            text = f"paces {rate} breaths/min from Start"
        w.pacer.set_idle_text(text)

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

        self.settings = update_settings(last_device=[addr, name])
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

    def _plan(self) -> tuple[str, list[PacerEvent] | None, float | None]:
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
            makers: dict[str, Callable[[], list[PacerEvent]]] = {
                "rf-stepped": protocols.stepped, "rf-sliding": protocols.sliding,
                "rf-fine-tune": lambda: protocols.fine_tune(self.resonance_bpm())}
            evs = makers[kind]()
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

            self.lsl_outlets = LslOutlets(self.trainer.session, identify_device=self.lsl_device_id).attach()
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
                if drive.done() and not drive.cancelled() and drive.exception() is not None:
                    import logging

                    logging.getLogger("vagal_coach").error("the guided session's driver failed",
                                                           exc_info=drive.exception())
                    error = error or f"The guided session stopped guiding: {drive.exception()}."
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
        try:
            await work.run(work.index_recording, str(data_dir()), str(path))
        except Exception:  # noqa: BLE001 - the index is disposable; the recording is safe
            import logging

            logging.getLogger("vagal_coach").exception("could not index %s", path)

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
        self.settings = update_settings(chime=on)

    def _turn(self, stage: str) -> None:
        if self.trainer is not None and self.chime is not None and self.window.pacer_controls.chime.isChecked():
            self.chime.play(stage)

    def _own_rhythm(self, on: bool) -> None:
        """In a guided session the pacer is never forced: 'no pacer' lets one breathe in one's own way."""
        if self.trainer is None or self.guided is None:
            return
        self.guided.own_rhythm() if on else self.guided.follow_pacer()

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
        self.settings = update_settings(rate_bpm=settings.rate_bpm)
        if self.trainer:
            self.trainer.set_pacer(settings)

    def stop(self) -> None:
        if self.trainer:
            self.trainer.stop()

    def show_summary(self, s: Summary, error: str | None = None, dialog: bool = True) -> None:
        """The one summary (``session.summary``) in the dialog, the tiles and the status line: the same figures."""
        from vagal_coach.session.summary import summary_lines

        lines = ([error] if error else []) + summary_lines(s)
        self.window.numbers.show_final(s.tiles(), s.duration_s)
        self.window.status.setText(" · ".join(lines))
        if dialog and not getattr(self, "quiet", False):
            QMessageBox.information(self.window, "Session summary", "\n".join(lines))
