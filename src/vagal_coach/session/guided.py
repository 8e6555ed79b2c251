"""Guided soothing rhythm breathing (compassion focused therapy): scripts, their timed plan, and the
driver that runs a plan on a Trainer.

A script is a data file (JSON; see ``data/guided/``), editable by a clinician and translatable: phases
(settle -> slow down -> soothing rhythm -> optional compassionate self -> rest) with relative lengths,
what the pacer does in each (``off``, ``ramp`` from one's own rate to the resonance rate, ``resonance``),
gentle prompts at relative positions within a phase, and the closing 0-10 reflection question.
Scripts in the user's data folder (``<data dir>/guided/*.json``) come first and may replace a bundled
one with the same ``id`` and ``language``.

``plan()`` turns a script, a length (3-20 min) and the client's resonance rate into absolute times;
``GuidedSession`` runs it: it measures the client's own breathing rate at the end of the settle phase
(the RSA peak of the heart-rate spectrum), starts the slow-down ramp from there, shows and records each
prompt, and never forces the pacer: ``own_rhythm()`` lets the client breathe in their own way from then on.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from vagal_coach.errors import UserError
from vagal_coach.hrv.breath import breathing_rate_bpm
from vagal_coach.model import GuidedInfo, GuidedPhase, OwnRate, PacerEvent, Prompt, Rating
from vagal_coach.model.pacer import MAX_RAMP_START_BPM, PacerSchedule
from vagal_coach.paths import guided_dir

if TYPE_CHECKING:
    from vagal_coach.session.trainer import Trainer

SCRIPT_FORMAT = "vagal-coach guided script 1"
PACER_MODES = ("off", "ramp", "resonance")
#: when one's own rate cannot be measured in the settle phase, the ramp starts here (breaths/min)
FALLBACK_OWN_BPM = 10.0
#: one's own rate needs at least this much of the settle phase (s)
OWN_RATE_MIN_S = 30.0
#: the ramp is skipped when one already breathes within this of the target
RAMP_MIN_DIFF_BPM = 0.5


@dataclass(frozen=True)
class ScriptPrompt:
    at: float  # 0..1 within the phase
    text: str


@dataclass(frozen=True)
class ScriptPhase:
    kind: str
    title: str
    pacer: str
    share: float
    min_s: float = 30.0
    optional: bool = False
    min_total_minutes: float = 0.0
    prompts: tuple[ScriptPrompt, ...] = ()


@dataclass(frozen=True)
class Script:
    id: str
    language: str
    title: str
    description: str
    phases: tuple[ScriptPhase, ...]
    reflection: dict
    default_minutes: float = 10.0
    min_minutes: float = 3.0
    max_minutes: float = 20.0
    inhale_fraction: float = 0.4
    prompt_seconds: float = 14.0
    path: str = ""

    @property
    def key(self) -> str:
        return f"{self.id}.{self.language}"


def parse_script(d: dict, path: str = "") -> Script:
    """A script from its JSON object; a UserError naming the file and the problem otherwise."""
    try:
        if not isinstance(d, dict):
            raise ValueError(f"a script is a JSON object, not {type(d).__name__}")
        if d.get("format") != SCRIPT_FORMAT:
            raise ValueError(f"'format' must be \"{SCRIPT_FORMAT}\"")
        phases = []
        for i, p in enumerate(d["phases"]):
            if p.get("pacer", "off") not in PACER_MODES:
                raise ValueError(f"phase {i + 1}: 'pacer' must be one of {', '.join(PACER_MODES)}")
            prompts = tuple(sorted((ScriptPrompt(float(q["at"]), str(q["text"])) for q in p.get("prompts", [])),
                                   key=lambda q: q.at))
            if any(not 0.0 <= q.at < 1.0 for q in prompts):
                raise ValueError(f"phase {i + 1}: a prompt's 'at' must be in [0, 1)")
            phases.append(ScriptPhase(str(p["kind"]), str(p.get("title", p["kind"])), p.get("pacer", "off"),
                                      float(p.get("share", 1.0)), float(p.get("min_s", 30.0)),
                                      bool(p.get("optional", False)), float(p.get("min_total_minutes", 0.0)),
                                      prompts))
        if not phases:
            raise ValueError("no phases")
        for i, ph in enumerate(phases):
            _positive(f"phase {i + 1}: 'share'", ph.share)
            _positive(f"phase {i + 1}: 'min_s'", ph.min_s, zero=True)
            _positive(f"phase {i + 1}: 'min_total_minutes'", ph.min_total_minutes, zero=True)
        s = Script(str(d["id"]), str(d.get("language", "en")), str(d["title"]), str(d.get("description", "")),
                   tuple(phases), dict(d.get("reflection") or {"question": "How do you feel right now?"}),
                   float(d.get("default_minutes", 10)), float(d.get("min_minutes", 3)),
                   float(d.get("max_minutes", 20)), float(d.get("inhale_fraction", 0.4)),
                   float(d.get("prompt_seconds", 14)), path)
        for key in ("default_minutes", "min_minutes", "max_minutes", "prompt_seconds"):
            _positive(f"'{key}'", getattr(s, key))
        if not 0.0 < s.inhale_fraction < 1.0:
            raise ValueError(f"'inhale_fraction' {s.inhale_fraction:g} must be between 0 and 1")
        if not s.min_minutes <= s.default_minutes <= s.max_minutes:
            raise ValueError("'default_minutes' must lie within 'min_minutes'-'max_minutes'")
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise UserError(f"not a valid guided script ({e}); see the bundled ones in vagal_coach/data/guided",
                        path=path or None) from None
    return s


def _positive(what: str, v: float, zero: bool = False) -> None:
    """A script's number: finite and positive (or zero where ``zero``), else the reason."""
    if not math.isfinite(v) or v < 0 or (v == 0 and not zero):
        raise ValueError(f"{what} {v:g} must be a {'non-negative' if zero else 'positive'} number")


def load_script(path: str | Path) -> Script:
    p = Path(path)
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as e:
        raise UserError(f"cannot read the guided script ({type(e).__name__}: {e})", path=p) from None
    return parse_script(d, str(p))


def user_scripts_dir() -> Path:
    return guided_dir()


def _user_scripts() -> list[Script | UserError]:
    """Each file in the user's scripts folder, read, or the error that says why it cannot be used."""
    user = user_scripts_dir()
    out: list[Script | UserError] = []
    for f in sorted(user.glob("*.json")) if user.is_dir() else []:
        try:
            out.append(load_script(f))
        except UserError as e:
            out.append(e)
    return out


def available_scripts(language: str | None = None) -> list[Script]:
    """The user's scripts, then the bundled ones not replaced by them; unreadable user files are skipped
    (``script_problems()`` lists them)."""
    found: dict[str, Script] = {}
    for s in _user_scripts():
        if isinstance(s, Script):
            found.setdefault(s.key, s)
    bundled = resources.files("vagal_coach") / "data" / "guided"
    for f in sorted(bundled.iterdir(), key=lambda x: x.name):
        if f.name.endswith(".json"):
            s = parse_script(json.loads(f.read_text(encoding="utf-8")), f"vagal_coach/data/guided/{f.name}")
            found.setdefault(s.key, s)
    out = list(found.values())
    return [s for s in out if language is None or s.language == language] or out


def script_problems() -> list[str]:
    """One line per user script that cannot be used."""
    return [str(e) for e in _user_scripts() if isinstance(e, UserError)]


# ------------------------------------------------------------------------------------------------ plan
@dataclass(frozen=True)
class PlannedPhase:
    kind: str
    title: str
    pacer: str
    t0_s: float
    t1_s: float


@dataclass(frozen=True)
class TimedPrompt:
    t_s: float
    text: str
    phase: str
    index: int


def prompt_shown_at(starts_s: list[float], t_s: float, show_s: float) -> int | None:
    """Index of the prompt on screen at ``t_s``: the latest started (``starts_s`` sorted), for ``show_s``."""
    i = bisect.bisect_right(starts_s, t_s) - 1
    return i if i >= 0 and t_s - starts_s[i] < show_s else None


@dataclass
class Plan:
    script: Script
    resonance_bpm: float
    total_s: float
    phases: list[PlannedPhase]
    prompts: list[TimedPrompt]

    def phase_at(self, t_s: float) -> PlannedPhase | None:
        for p in self.phases:
            if p.t0_s <= t_s < p.t1_s:
                return p
        return None

    def prompt_at(self, t_s: float) -> TimedPrompt | None:
        """The prompt to show at ``t_s``: the latest one started, for ``prompt_seconds``."""
        i = prompt_shown_at([q.t_s for q in self.prompts], t_s, self.script.prompt_seconds)
        return None if i is None else self.prompts[i]

    def pacer_events(self, own_bpm: float | None, from_kind: str | None = None) -> list[PacerEvent]:
        """Pacer events of the phases (from the first of kind ``from_kind`` on, when given).

        The ramp starts at ``own_bpm`` (clamped to what a ramp may start from) and reaches the
        resonance rate at the end of the slow-down phase; it is skipped when one already breathes
        within 0.5 breaths/min of it. Paced stretches end at a breath boundary, so the shape never jumps.
        """
        rf = self.resonance_bpm
        start = FALLBACK_OWN_BPM if own_bpm is None or not math.isfinite(own_bpm) else float(own_bpm)
        start = min(max(start, rf), MAX_RAMP_START_BPM)
        fi = self.script.inhale_fraction
        evs: list[PacerEvent] = []
        started = from_kind is None
        for p in self.phases:
            started = started or p.kind == from_kind
            if not started:
                continue
            if p.pacer == "off":
                t = p.t0_s
                if evs:  # let the last paced breath finish
                    t = min(max(t, PacerSchedule(evs).next_breath_start(t - 1e-9)), p.t1_s)
                evs.append(PacerEvent(t, 0.0, label=p.kind))
            elif p.pacer == "ramp" and start - rf >= RAMP_MIN_DIFF_BPM:
                evs.append(PacerEvent(p.t0_s, round(start, 2), fi, label=p.kind, ramp_to_bpm=rf,
                                      ramp_s=p.t1_s - p.t0_s))
            else:
                evs.append(PacerEvent(p.t0_s, rf, fi, label=p.kind))
        return evs


def plan(script: Script, minutes: float, resonance_bpm: float) -> Plan:
    """Absolute phase times and prompts for a session of ``minutes`` at ``resonance_bpm``.

    Each phase gets its ``min_s`` and the rest of the time in proportion to its ``share``; an optional
    phase is left out of sessions shorter than its ``min_total_minutes``.
    """
    if not script.min_minutes <= minutes <= script.max_minutes:
        raise UserError(f"a '{script.title}' session lasts {script.min_minutes:g}-{script.max_minutes:g} min, "
                        f"not {minutes:g}")
    if not 3.0 <= resonance_bpm <= 10.0:
        raise UserError(f"resonance rate {resonance_bpm:g} breaths/min is outside 3-10")
    total_s = 60.0 * minutes
    phases = [p for p in script.phases if not (p.optional and minutes < p.min_total_minutes)]
    mins = sum(p.min_s for p in phases)
    if mins > total_s:
        raise UserError(f"'{script.title}' needs at least {mins / 60:.1f} min")
    shares = sum(p.share for p in phases) or 1.0
    planned: list[PlannedPhase] = []
    prompts: list[TimedPrompt] = []
    t = 0.0
    for p in phases:
        d = p.min_s + (total_s - mins) * p.share / shares
        planned.append(PlannedPhase(p.kind, p.title, p.pacer, t, t + d))
        for q in p.prompts:
            prompts.append(TimedPrompt(t + q.at * d, q.text, p.kind, len(prompts)))
        t += d
    return Plan(script, float(resonance_bpm), total_s, planned, prompts)


# ------------------------------------------------------------------------------------------------ run
@dataclass
class GuidedSession:
    """Drives a plan on a Trainer: pacer from the settle phase on, prompts when due, all recorded.

    ``on_prompt(prompt or None)`` and ``on_phase(phase)`` let a window follow; the clock is the
    trainer's (real, accelerated or virtual).
    """

    plan: Plan
    trainer: Trainer | None = None  # the window makes the plan before the trainer: set it before drive()
    on_prompt: list[Callable[[TimedPrompt | None], None]] = field(default_factory=list)
    on_phase: list[Callable[[PlannedPhase], None]] = field(default_factory=list)
    own_bpm: float = float("nan")
    own_rhythm_from_s: float | None = None

    def _trainer(self) -> Trainer:
        if self.trainer is None:
            raise RuntimeError("the guided session has no trainer yet")
        return self.trainer

    def first_events(self) -> list[PacerEvent]:
        """What the pacer does until one's own rate is known: the settle phase (unpaced)."""
        evs = self.plan.pacer_events(None)
        return evs[:1] if self.plan.phases[0].pacer == "off" else evs

    def info(self) -> GuidedInfo:
        """The script this session follows, as its recording keeps it."""
        s = self.plan.script
        return GuidedInfo(s.id, s.language, s.title, self.plan.total_s / 60.0, self.plan.resonance_bpm,
                          s.prompt_seconds, tuple(GuidedPhase(p.kind, p.t0_s, p.t1_s) for p in self.plan.phases))

    def own_rhythm(self) -> None:
        """The client breathes in their own way from the next breath on; prompts go on."""
        tr = self._trainer()
        now = tr.clock.now()
        self.own_rhythm_from_s = now
        t = tr.schedule.next_breath_start(now) if tr.schedule.rate_scalar(now) > 0 else now
        tr.apply_events([PacerEvent(t, 0.0, label="own rhythm")])

    def follow_pacer(self) -> None:
        """Back to the plan after ``own_rhythm()``: the resonance rate now (when the current phase is
        paced), then the plan's later phases."""
        tr = self._trainer()
        now = tr.clock.now()
        self.own_rhythm_from_s = None
        cur = self.plan.phase_at(now)
        if cur is None:
            return
        later = [p for p in self.plan.phases if p.t0_s > cur.t0_s]
        evs = [PacerEvent(now, self.plan.resonance_bpm if cur.pacer != "off" else 0.0,
                          self.plan.script.inhale_fraction, label=cur.kind)]
        if later:
            evs += [e for e in self.plan.pacer_events(self.plan.resonance_bpm, from_kind=later[0].kind)
                    if e.t_s > now]
        tr.apply_events(evs)

    async def drive(self) -> None:
        tr = self._trainer()
        clock = tr.clock
        tr.session.note(self.info())
        settle = self.plan.phases[0]
        pending_pacer = settle.pacer == "off" and len(self.plan.phases) > 1
        marks: list[tuple[float, str, TimedPrompt | PlannedPhase | None]] = [
            (q.t_s, "prompt", q) for q in self.plan.prompts]
        marks += [(q.t_s + self.plan.script.prompt_seconds, "clear", q) for q in self.plan.prompts]
        marks += [(p.t0_s, "phase", p) for p in self.plan.phases]
        if pending_pacer:
            marks.append((settle.t1_s - 1e-3, "pacer", None))
        order = {"phase": 0, "pacer": 1, "clear": 2, "prompt": 3}
        marks.sort(key=lambda m: (m[0], order[m[1]]))
        shown: TimedPrompt | None = None
        for t_s, what, obj in marks:
            if t_s >= self.plan.total_s:
                break
            await clock.sleep_until(t_s)
            if tr.session.stopped:
                return
            if what == "phase" and isinstance(obj, PlannedPhase):
                tr.session.add_marker(f"phase: {obj.kind}", obj.title, t_s=t_s)
                for cb in self.on_phase:
                    cb(obj)
            elif what == "pacer":
                f, p = tr.engine.spectrum(settle.t1_s - settle.t0_s, OWN_RATE_MIN_S)
                self.own_bpm = breathing_rate_bpm(f, p)
                tr.session.note(OwnRate(clock.now(), self.own_bpm if math.isfinite(self.own_bpm) else None))
                if self.own_rhythm_from_s is None:
                    tr.apply_events(self.plan.pacer_events(self.own_bpm, from_kind=self.plan.phases[1].kind))
            elif what == "prompt" and isinstance(obj, TimedPrompt):
                shown = obj
                tr.session.note(Prompt(clock.now(), obj.text, obj.phase, obj.index))
                for show in self.on_prompt:
                    show(obj)
            elif what == "clear" and shown is obj:
                shown = None
                for show in self.on_prompt:
                    show(None)


def record_rating(path: str | Path, value: float, question: str, t_s: float | None = None) -> None:
    """Append the closing 0-10 reflection to a (closed) native recording."""
    from vagal_coach.io.native import append_event, rating_line

    if not 0 <= value <= 10:
        raise UserError(f"a rating is 0-10, not {value:g}")
    append_event(path, rating_line(Rating(float(value), t_s, "0-10", question)))
