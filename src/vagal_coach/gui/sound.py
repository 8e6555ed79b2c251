"""An optional soft chime at the breath's turns.

QtMultimedia ships in PySide6-Addons (``pip install 'vagal-coach[sound]'``) and needs an audio library
(libpulse on Linux). Without it, or without an audio device, the chime is simply unavailable: the
option is greyed out with the reason, and nothing else changes.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE_HZ = 22050


def chime_samples(freq_hz: float = 432.0, duration_s: float = 0.9, volume: float = 0.18,
                  sample_rate_hz: int = SAMPLE_RATE_HZ) -> np.ndarray:
    """A soft bell: a fundamental with a quiet fifth and octave, a 15 ms fade-in (no click) and an
    exponential decay to silence at the end. int16 samples, peak ``volume`` of full scale."""
    t = np.arange(int(duration_s * sample_rate_hz)) / sample_rate_hz
    tone = (np.sin(2 * np.pi * freq_hz * t) + 0.3 * np.sin(2 * np.pi * 1.5 * freq_hz * t)
            + 0.12 * np.sin(2 * np.pi * 2 * freq_hz * t))
    env = np.minimum(1.0, t / 0.015) * np.exp(-t / (duration_s / 5.0))
    env *= np.clip((duration_s - t) / 0.05, 0.0, 1.0)  # reaches 0 exactly at the end
    x = tone * env
    x *= volume / np.max(np.abs(x))
    return np.round(x * 32767).astype(np.int16)


def chime_wav(freq_hz: float = 432.0, duration_s: float = 0.9, volume: float = 0.18) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE_HZ)
        w.writeframes(chime_samples(freq_hz, duration_s, volume).tobytes())
    return buf.getvalue()


class Chime:
    """Plays two gentle tones: a higher one where the inhale starts, a lower one where the exhale starts."""

    def __init__(self, cache_dir: Path) -> None:
        self.available = False
        self.reason = ""
        self._effects: dict[str, object] = {}
        try:
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as e:  # PySide6-Addons or the audio library missing
            self.reason = f"sound needs PySide6-Addons and an audio library ({e})"
            return
        try:
            if not QMediaDevices.audioOutputs():
                self.reason = "no audio output device"
                return
            from vagal_coach.io.atomic import private_dir, write_bytes

            private_dir(cache_dir)  # the data folder: 0700, its files 0600
            for stage, freq in (("inhale", 528.0), ("exhale", 396.0)):
                f = cache_dir / f"chime-{stage}.wav"
                if not f.exists():
                    write_bytes(f, chime_wav(freq_hz=freq), force=True)
                fx = QSoundEffect()
                fx.setSource(QUrl.fromLocalFile(str(f)))
                fx.setVolume(0.5)
                self._effects[stage] = fx
        except Exception as e:  # noqa: BLE001 - sound is a nicety: never let it stop a session
            self.reason = f"sound unavailable ({e})"
            self._effects.clear()
            return
        self.available = True

    def play(self, stage: str) -> bool:
        fx = self._effects.get(stage)
        if fx is None:
            return False
        try:
            fx.play()  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001
            return False
        return True
