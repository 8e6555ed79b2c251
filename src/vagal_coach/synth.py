"""Synthetic heart beats from a physiological model (used for samples, tests and the simulated strap).

Heart rate = baseline + slow drift + respiratory sinus arrhythmia (RSA) + noise. The RSA is the
breathing (lung volume) passed through a baroreflex-like resonator: a second-order system whose gain
peaks at the person's resonance frequency ``resonance_bpm`` (adults 4.5-6.5 breaths/min) and whose phase
is 0 deg there (HR peaks at the end of the inhale), leading below and lagging above it. Beats are made
by an integral pulse-frequency model (a beat each time the integral of HR/60 crosses an integer),
vectorised on a fine grid, so the RR series has the modulation a real heart shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Physiology:
    hr_bpm: float = 66.0
    resonance_bpm: float = 5.5  # personal resonance frequency, breaths/min
    rsa_bpm_at_resonance: float = 14.0  # peak-to-trough HR swing (bpm) when breathing at resonance
    damping: float = 0.2  # resonator damping ratio: lower = sharper resonance
    spontaneous_bpm: float = 13.0  # own breathing rate when no pacer is given
    drift_bpm: float = 2.5  # slow drift amplitude (VLF)
    noise_ms: float = 6.0  # beat-to-beat jitter, ms (SD)


def resonator(f_hz: NDArray[np.float64] | float, f_res_hz: float, damping: float
              ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gain (1 at resonance) and phase (rad, 0 at resonance) of the baroreflex-like resonator."""
    r = np.asarray(f_hz, dtype=float) / f_res_hz
    h = 2j * damping * r / (1.0 - r * r + 2j * damping * r)  # band-pass form: |H| = 1, angle 0 at r = 1
    return np.abs(h), np.angle(h)


def lung_volume(cycles: NDArray[np.float64], inhale_fraction: float = 0.4) -> NDArray[np.float64]:
    """Lung volume in [0, 1] for a breathing phase given in cycles (integer = start of an inhale).

    Rises as a half cosine over the inhale fraction of the cycle, falls over the rest.
    """
    ph = np.mod(cycles, 1.0)
    fi = inhale_fraction
    return np.where(ph < fi, 0.5 - 0.5 * np.cos(np.pi * ph / fi),
                    0.5 + 0.5 * np.cos(np.pi * (ph - fi) / (1.0 - fi)))


def beats_from_hr(t_grid_s: NDArray[np.float64], hr_bpm: NDArray[np.float64]) -> NDArray[np.float64]:
    """Beat times (integral pulse-frequency model) for an HR curve on a fine, even grid."""
    dt = np.diff(t_grid_s)
    beats_cum = np.concatenate(([0.0], np.cumsum(0.5 * (hr_bpm[1:] + hr_bpm[:-1]) / 60.0 * dt)))
    k = np.arange(1, int(np.floor(beats_cum[-1])) + 1)
    return np.interp(k, beats_cum, t_grid_s)


def synthesize(duration_s: float, rate_bpm: NDArray[np.float64] | float | None = None, *,
               physiology: Physiology | None = None, inhale_fraction: float = 0.4, seed: int = 0,
               grid_hz: float = 20.0) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Beat times (s) and RR (ms) for ``duration_s`` seconds of breathing.

    ``rate_bpm`` is the breathing rate, a number or an array on the grid (``grid_hz``); None means
    the person's spontaneous breathing. The breathing phase is the integral of the rate, so rate
    changes are phase-continuous. The RSA amplitude and phase follow :func:`resonator` at the
    instantaneous rate.
    """
    p = physiology or Physiology()
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, duration_s + 2.0, 1.0 / grid_hz)
    if rate_bpm is None:
        # spontaneous breathing wanders a little around its own rate
        rate = p.spontaneous_bpm * (1 + 0.08 * np.sin(2 * np.pi * t / 47.0 + rng.uniform(0, 6)))
    else:
        rate = np.broadcast_to(np.asarray(rate_bpm, dtype=float), t.shape) if np.ndim(rate_bpm) == 0 \
            else np.asarray(rate_bpm, dtype=float)[: t.size]
        if rate.size < t.size:
            rate = np.concatenate((rate, np.full(t.size - rate.size, rate[-1])))
    cycles = np.concatenate(([0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) / 60.0 / grid_hz)))
    gain, phase = resonator(rate / 60.0, p.resonance_bpm / 60.0, p.damping)
    # HR follows lung volume shifted by the resonator's phase (positive phase = HR leads)
    shift_cycles = phase / (2 * np.pi)
    vol = lung_volume(cycles + shift_cycles, inhale_fraction)
    hr = p.hr_bpm + p.rsa_bpm_at_resonance * gain * (vol - 0.5)
    drift = p.drift_bpm * (np.sin(2 * np.pi * t / 180.0 + rng.uniform(0, 6))
                           + 0.6 * np.sin(2 * np.pi * t / 71.0 + rng.uniform(0, 6)))
    hr = hr + drift
    beat_t = beats_from_hr(t, hr)
    jitter = rng.normal(0.0, p.noise_ms / 1000.0, beat_t.size)
    beat_t = np.sort(beat_t + jitter)
    rr = np.diff(np.concatenate(([0.0], beat_t))) * 1000.0
    keep = beat_t <= duration_s
    return beat_t[keep], rr[keep]


class HeartModel:
    """The same model, streamed: beats are produced chunk by chunk as the breathing unfolds.

    ``advance(t_end_s, cycles_fn, rate_fn)`` returns the beat times and RR (ms) up to ``t_end_s``.
    ``cycles_fn(t)`` gives the breathing phase in cycles and ``rate_fn(t)`` the rate (breaths/min; 0 =
    the person's own spontaneous breathing), both vectorised, e.g. a live pacer schedule.
    """

    def __init__(self, physiology: Physiology | None = None, seed: int = 0, grid_hz: float = 20.0,
                 inhale_fraction: float = 0.4) -> None:
        self.p = physiology or Physiology()
        self.rng = np.random.default_rng(seed)
        self.grid_hz = grid_hz
        self.inhale_fraction = inhale_fraction
        self._t = 0.0
        self._beat_integral = self.rng.uniform(0.0, 1.0)  # fractional beat at the start
        self._last_beat_t = 0.0
        self._own_cycles = 0.0
        self._ph = self.rng.uniform(0, 2 * np.pi, 3)
        # the lung volume (0 empty .. 1 full) on the last ``advance``'s grid: what a chest accelerometer sees
        self.breath_t_s = np.zeros(0)
        self.breath_volume = np.zeros(0)

    def advance(self, t_end_s: float, cycles_fn=None, rate_fn=None
                ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if t_end_s <= self._t:
            return np.zeros(0), np.zeros(0)
        p = self.p
        t = np.arange(self._t, t_end_s + 1e-9, 1.0 / self.grid_hz)
        if t[-1] < t_end_s:
            t = np.append(t, t_end_s)
        rate = np.zeros_like(t) if rate_fn is None else np.asarray(rate_fn(t), dtype=float)
        paced = rate > 0
        own_rate = p.spontaneous_bpm * (1 + 0.08 * np.sin(2 * np.pi * t / 47.0 + self._ph[0]))
        own_cycles = self._own_cycles + np.concatenate(
            ([0.0], np.cumsum(0.5 * (own_rate[1:] + own_rate[:-1]) * np.diff(t) / 60.0)))
        self._own_cycles = float(own_cycles[-1])
        cyc = np.where(paced, cycles_fn(t) if cycles_fn is not None else 0.0, own_cycles)
        eff_rate = np.where(paced, rate, own_rate)
        gain, phase = resonator(eff_rate / 60.0, p.resonance_bpm / 60.0, p.damping)
        vol = lung_volume(cyc + phase / (2 * np.pi), self.inhale_fraction)
        self.breath_t_s, self.breath_volume = t, lung_volume(cyc, self.inhale_fraction)
        drift = p.drift_bpm * (np.sin(2 * np.pi * t / 180.0 + self._ph[1]) + 0.6 * np.sin(2 * np.pi * t / 71.0
                                                                                        + self._ph[2]))
        hr = p.hr_bpm + p.rsa_bpm_at_resonance * gain * (vol - 0.5) + drift
        integ = self._beat_integral + np.concatenate(([0.0], np.cumsum(0.5 * (hr[1:] + hr[:-1]) / 60.0
                                                                       * np.diff(t))))
        k = np.arange(np.floor(integ[0]) + 1, np.floor(integ[-1]) + 1)
        beat_t = np.interp(k, integ, t)
        self._beat_integral = float(integ[-1] - np.floor(integ[-1]))
        self._t = float(t_end_s)
        if beat_t.size == 0:
            return beat_t, beat_t
        beat_t = beat_t + self.rng.normal(0.0, p.noise_ms / 1000.0, beat_t.size)
        beat_t = np.maximum.accumulate(np.maximum(beat_t, self._last_beat_t + 0.25))
        rr = np.diff(np.concatenate(([self._last_beat_t], beat_t))) * 1000.0
        if self._last_beat_t == 0.0:
            rr[0] = 60000.0 / hr[0]  # the interval before the first beat
        self._last_beat_t = float(beat_t[-1])
        return beat_t, rr


# P, Q, R, S and T waves of a lead-II-like chest ECG: (offset from the R peak s, amplitude uV, width s)
ECG_WAVES = ((-0.20, 120.0, 0.025), (-0.03, -150.0, 0.010), (0.0, 1000.0, 0.010), (0.035, -250.0, 0.010),
             (0.26, 300.0, 0.045))


def ecg_uv(beat_t_s: NDArray[np.float64], fs_hz: float, duration_s: float, *, noise_uv: float = 8.0,
           wander_uv: float = 60.0, seed: int = 0) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A synthetic ECG (t_s, ecg_uv) whose R peaks lie exactly at ``beat_t_s``: Gaussian P-QRS-T waves
    (``ECG_WAVES``) around each beat, a breathing-rate baseline wander and white noise."""
    t = np.arange(int(round(duration_s * fs_hz))) / fs_hz
    return t, ecg_at(t, beat_t_s, np.random.default_rng(seed), noise_uv=noise_uv, wander_uv=wander_uv)


def ecg_at(t: NDArray[np.float64], beat_t_s: NDArray[np.float64], rng: np.random.Generator, *,
           noise_uv: float = 8.0, wander_uv: float = 60.0) -> NDArray[np.float64]:
    """``ecg_uv``'s signal at the times ``t`` (s), e.g. one stretch of a stream: every beat within 0.3 s
    of a sample must be in ``beat_t_s`` (sorted)."""
    b = np.asarray(beat_t_s, dtype=float)
    x = wander_uv * np.sin(2 * np.pi * 0.1 * t) + rng.normal(0.0, noise_uv, t.size)
    if b.size:
        j = np.searchsorted(b, t)
        for k in (j - 1, j):  # waves reach at most 0.3 s from their beat, and beats are >= 0.3 s apart
            ok = (k >= 0) & (k < b.size)
            dt = t[ok] - b[k[ok]]
            x[ok] += sum(a * np.exp(-0.5 * ((dt - off) / w) ** 2) for off, a, w in ECG_WAVES)
    return x


def chest_acc_mg(breath_t_s: NDArray[np.float64], volume: NDArray[np.float64], fs_hz: float, *,
                 noise_mg: float = 2.0, seed: int = 0) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Chest acceleration (t_s, [n, 3] mG) of a strap on a breathing chest: gravity (mostly on z) tilted
    by the lung volume (about 3 deg from empty to full), plus noise."""
    t = np.arange(breath_t_s[0], breath_t_s[-1], 1.0 / fs_hz)
    return t, chest_acc_at(t, breath_t_s, volume, np.random.default_rng(seed), noise_mg=noise_mg)


def chest_acc_at(t: NDArray[np.float64], breath_t_s: NDArray[np.float64], volume: NDArray[np.float64],
                 rng: np.random.Generator, *, noise_mg: float = 2.0) -> NDArray[np.float64]:
    """``chest_acc_mg``'s [n, 3] mG at the times ``t`` (s), the volume interpolated from its grid."""
    v = np.interp(t, breath_t_s, volume)
    tilt = np.deg2rad(3.0) * v
    acc = np.stack((1000.0 * np.sin(tilt) * 0.3, 1000.0 * np.sin(tilt), 1000.0 * np.cos(tilt)), axis=1)
    return acc + rng.normal(0.0, noise_mg, acc.shape)
