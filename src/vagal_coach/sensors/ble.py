"""Bluetooth LE heart-rate straps through bleak: scan by the Heart Rate Service, connect, reconnect.

A small client of bleak's facade (``BleakScanner``, ``BleakClient``). Any strap advertising 0x180D
works; brand names are never matched. On Linux ``adapter`` ("hci0") picks the Bluetooth adapter.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import sys
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vagal_coach.clock import Clock
from vagal_coach.errors import DeviceError
from vagal_coach.sensors import optical
from vagal_coach.sensors.events import DeviceInfo, LinkEvent, Notification, PmdFrame, SourceEvent
from vagal_coach.sensors.hrm import (
    BATTERY_LEVEL,
    BODY_SENSOR_LOCATION,
    BODY_SENSOR_LOCATIONS,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    HrmParseError,
    parse_hrm,
)
from vagal_coach.wire import pmd

if TYPE_CHECKING:
    from bleak import BleakClient
    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData

#: seconds between reconnection attempts (the last repeats for as long as the session runs)
BACKOFF_S = (0.5, 1.0, 2.0, 3.0)
#: seconds a search's scan runs before it is restarted (an adapter turned off and on stops discovery)
RESCAN_S = 5.0
#: seconds to wait for the strap's answer to a PMD control point request
PMD_TIMEOUT_S = 5.0
#: seconds of silence on a live link before the watchdog recycles it: heart-rate straps notify about once
#: a second, and an H10 streaming raw data sends a frame at least every second
SILENCE_S = 5.0
#: seconds between dropping a silent link and connecting again
RECYCLE_PAUSE_S = 1.0
#: the longest wait between recycles while a strap stays silent (each silent recycle doubles the wait)
SILENCE_MAX_S = 30.0
#: seconds to wait for a strap whose services are still resolving before its services are read again
SERVICES_RETRY_S = (1.0, 2.0, 3.0)


@dataclass(frozen=True)
class FoundStrap:
    name: str
    address: str  # a MAC on Linux/Windows, a UUID on macOS
    rssi_dbm: int | None
    #: bleak's device object from the scan (connect through it: BlueZ may not announce the strap again)
    device: Any = field(default=None, compare=False, repr=False)


_MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
_UUID_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


def address_hint(address: str, platform: str = sys.platform) -> str:
    """Why an address may not be found on this OS: macOS names a strap by a UUID of its own (CoreBluetooth
    hides MAC addresses), Linux and Windows by its MAC; "" when the address has the OS's form."""
    if platform == "darwin" and _MAC_RE.match(address):
        return (" (macOS names straps by a UUID, not their MAC address: use the address 'vagal-coach scan' "
                "lists on this Mac)")
    if platform != "darwin" and _UUID_RE.match(address):
        return (" (that is a macOS-style UUID; on this computer straps go by their MAC address: see "
                "'vagal-coach scan')")
    return ""


def _bleak_kwargs(adapter: str | None) -> dict:
    return {"bluez": {"adapter": adapter}} if adapter else {}


def explain(e: BaseException, what: str) -> DeviceError:
    """One line a user can act on, for the errors Bluetooth stacks raise."""
    msg = str(e) or e.__class__.__name__
    low = msg.lower()
    if isinstance(e, DeviceError):
        return e
    if "no bluetooth adapters" in low or "org.bluez" in low and ("serviceunknown" in low or "not provided" in low):
        return DeviceError("no Bluetooth adapter found: is Bluetooth present and the bluetooth service "
                           "running?", path=what)
    if "turned off" in low or "not powered" in low or "notready" in low:
        return DeviceError("Bluetooth is off: turn it on and try again", path=what)
    if "not authorized" in low or "unauthorized" in low or "permission" in low:
        hint = (" (macOS: allow Bluetooth for this terminal or app in System Settings > Privacy)"
                if sys.platform == "darwin" else "")
        return DeviceError(f"permission to use Bluetooth denied{hint}", path=what)
    if isinstance(e, FileNotFoundError) or "no such file" in low and "bus" in low:
        return DeviceError("cannot reach the system D-Bus: is the bluetooth service running?", path=what)
    if isinstance(e, asyncio.TimeoutError) or "timeout" in low or "timed out" in low:
        return DeviceError("connection timed out: is the strap worn, awake and not held by a phone?", path=what)
    if "adapter" in low and ("not found" in low or "does not exist" in low):
        return DeviceError(f"Bluetooth adapter not found ({msg}); list them with 'bluetoothctl list'", path=what)
    return DeviceError(msg, path=what)


def _fatal(err: DeviceError) -> bool:
    """Errors no retry can mend: no adapter, Bluetooth off, no permission, not a heart-rate strap."""
    low = err.message.lower()
    return any(k in low for k in ("no bluetooth adapter", "adapter not found", "bluetooth is off", "permission",
                                  "cannot reach the system d-bus", "not a heart-rate strap", "not installed"))


async def scan(timeout_s: float = 5.0, adapter: str | None = None) -> list[FoundStrap]:
    """Straps advertising the Heart Rate Service, strongest signal first."""
    try:
        from bleak import BleakScanner
    except ImportError:
        raise DeviceError("bleak is not installed: pip install 'vagal-coach[live]'", path="bluetooth") from None
    try:
        found = await BleakScanner.discover(timeout=timeout_s, return_adv=True,
                                            service_uuids=[HEART_RATE_SERVICE], **_bleak_kwargs(adapter))
    except Exception as e:  # bleak raises BleakError, DBusError, OSError... by platform
        raise explain(e, adapter or "bluetooth") from None
    out = []
    for dev, adv in found.values():
        uuids = [u.lower() for u in (adv.service_uuids or [])]
        if uuids and HEART_RATE_SERVICE not in uuids:
            continue
        out.append(FoundStrap(adv.local_name or dev.name or "(unnamed strap)", dev.address, adv.rssi, dev))
    return sorted(out, key=lambda s: -(s.rssi_dbm if s.rssi_dbm is not None else -999))


class _RrWatch:
    """The session's heart rate and RR so far, judged now and then by ``optical.rr_signs``."""

    EVERY_S = 30.0

    def __init__(self) -> None:
        self.t0: float | None = None
        self.hr: list[int] = []
        self.rr: list[float] = []
        self.rr_hr: list[int] = []
        self.next_s = 0.0

    def add(self, note: Notification) -> str | None:
        try:
            m = parse_hrm(note.raw)
        except HrmParseError:
            return None
        if self.t0 is None:
            self.t0, self.next_s = note.t_s, note.t_s + 2 * self.EVERY_S
        self.hr.append(m.hr_bpm)
        self.rr += m.rr_ms
        self.rr_hr += [m.hr_bpm] * len(m.rr_ms)
        if note.t_s < self.next_s:
            return None
        self.next_s = note.t_s + self.EVERY_S
        return optical.rr_signs(note.t_s - self.t0, self.hr, self.rr, self.rr_hr)


class BleStrap:
    """A strap by address: connects, subscribes to 0x2A37, and reconnects with backoff, pinned to the
    address, for as long as the session runs. Yields notifications, link events and device facts."""

    simulated = False

    def __init__(self, address: str, clock: Clock | None = None, *, adapter: str | None = None,
                 connect_timeout_s: float = 15.0, scan_timeout_s: float = 6.0, name: str | None = None,
                 first_attempts: int = 3, raw: bool = True, silence_s: float = SILENCE_S) -> None:
        self.address = address
        self.silence_s = silence_s  # the data watchdog: a live link this long without data is recycled
        self.raw = raw  # start the raw ECG and ACC streams on a strap that offers them (Polar PMD)
        self.clock = clock or Clock()
        self.adapter = adapter
        self.connect_timeout_s = connect_timeout_s
        self.scan_timeout_s = scan_timeout_s
        self.first_attempts = first_attempts
        self.name = name or address
        self._closed = asyncio.Event()
        self._client: BleakClient | None = None
        self._device: BLEDevice | None = None  # the one last connected to (bleak's handle on the OS's device)
        self._fresh_services = False  # the next connection discovers services afresh (after a failed one)
        self._optical_said = False  # the strap was called optical (by name, location or its RR)
        self._silent: str = ""  # why the last stream ended on the watchdog ("" when it did not)

    async def close(self) -> None:
        self._closed.set()
        client = self._client
        if client is not None:
            with contextlib.suppress(Exception):
                await client.disconnect()

    async def _read_info(self, client: BleakClient) -> dict:
        info: dict = {"address": self.address, "adapter": self.adapter}
        name = getattr(client, "name", None)
        if name:
            info["name"] = name
            self.name = name
        for uuid, key in ((BATTERY_LEVEL, "battery_pct"), (BODY_SENSOR_LOCATION, "body_location")):
            try:
                char = self._newest_char(client, uuid)
                if char is None:
                    continue
                raw = await client.read_gatt_char(char)
            except Exception:  # optional characteristics: absent or unreadable is fine
                continue
            if raw:
                info[key] = int(raw[0]) if key == "battery_pct" else BODY_SENSOR_LOCATIONS.get(raw[0], "other")
        why = optical.by_name(info.get("name")) or optical.by_location(info.get("body_location"))
        if why:
            info["optical"], info["hrv_warning"] = why, optical.WARNING
            self._optical_said = True
        return info

    @staticmethod
    def _newest_char(client: BleakClient, uuid: str) -> BleakGATTCharacteristic | None:
        """The characteristic ``uuid``, or None; if a stale GATT cache lists it twice, the newest (bleak's
        lookup by UUID refuses a duplicate)."""
        chars = [c for svc in client.services for c in svc.characteristics if c.uuid.lower() == uuid]
        return max(chars, key=lambda c: c.handle) if chars else None

    @classmethod
    def _measurement_char(cls, client: BleakClient) -> BleakGATTCharacteristic:
        """The Heart Rate Measurement characteristic (the newest, see ``_newest_char``)."""
        char = cls._newest_char(client, HEART_RATE_MEASUREMENT)
        if char is None:
            raise DeviceError("no Heart Rate Measurement characteristic: not a heart-rate strap?", path=client.address)
        return char

    def _client_kwargs(self, fresh: bool) -> dict:
        """bleak's per-OS options: the adapter on Linux; on Windows, after a failed or incomplete service
        discovery, discovery from the strap rather than the OS's GATT cache (WinRT otherwise serves the stale
        cache again, the "Connecting..." hang of some Windows 11 set-ups)."""
        kw = _bleak_kwargs(self.adapter)
        if fresh and sys.platform == "win32":
            kw["winrt"] = {"use_cached_services": False}
        return kw

    async def _connect(self, device: BLEDevice, queue: asyncio.Queue[Notification]
                       ) -> tuple[BleakClient, dict, asyncio.Event]:
        """Connect to ``device`` (a bleak BLEDevice), read its facts and subscribe to 0x2A37.

        A strap whose services are still resolving (or whose GATT table the OS cached before a firmware
        change) may show no Heart Rate Measurement on the first connection: its services are then read
        again on fresh connections (``SERVICES_RETRY_S`` apart) before it is called not a heart-rate strap.

        Returns the client, the facts and an event set when this connection drops."""
        from bleak import BleakClient

        loop = asyncio.get_running_loop()
        clk = self.clock
        fresh = self._fresh_services
        reads = 0
        while True:
            disconnected = asyncio.Event()

            def on_disconnect(_client: object, ev: asyncio.Event = disconnected) -> None:
                loop.call_soon_threadsafe(ev.set)

            client = BleakClient(device, disconnected_callback=on_disconnect, timeout=self.connect_timeout_s,
                                 **self._client_kwargs(fresh))
            try:
                await client.connect()
            except Exception:
                self._fresh_services = True  # a failed discovery: the next try asks the strap itself
                raise
            reads += 1
            try:
                char = self._measurement_char(client)
            except DeviceError as e:
                with contextlib.suppress(Exception):
                    await client.disconnect()
                if reads > len(SERVICES_RETRY_S):
                    raise DeviceError(f"no Heart Rate Measurement characteristic after reading the services "
                                      f"{reads} times: not a heart-rate strap?", path=e.path) from None
                fresh = True
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._closed.wait(), SERVICES_RETRY_S[reads - 1])
                if self._closed.is_set():
                    raise DeviceError("session ended", path=self.address) from None
                continue
            break
        self._fresh_services = False
        try:
            info = await self._read_info(client)
            if reads > 1:
                info["services_read"] = reads  # the strap's services were complete only on this read

            def on_data(_char: object, data: bytearray) -> None:
                queue.put_nowait(Notification(clk.now(), bytes(data)))

            await client.start_notify(char, on_data)
            if self.raw and self._newest_char(client, pmd.PMD_CONTROL) is not None:
                info["pmd"] = await self._start_pmd(client, queue)
        except BaseException:
            with contextlib.suppress(Exception):
                await client.disconnect()
            raise
        self._client = client
        self._device = device
        return client, info, disconnected

    async def _start_pmd(self, client: BleakClient, queue: asyncio.Queue) -> dict:
        """Start ECG and ACC on a strap with Polar's Measurement Data service: ask each stream's settings
        through the control point, start it with ``pmd.choose_settings``, and queue its data frames.

        Returns what was started (``{"ecg": {"settings": ..., "status": ...}, "acc": ...}``), or the reason
        it was not (``{"error": ...}``): the heart-rate stream goes on either way."""
        loop = asyncio.get_running_loop()
        clk = self.clock
        answers: asyncio.Queue[bytes] = asyncio.Queue()
        out: dict = {}

        def on_control(_char: object, data: bytearray) -> None:
            loop.call_soon_threadsafe(answers.put_nowait, bytes(data))

        def on_frame(_char: object, data: bytearray) -> None:
            queue.put_nowait(PmdFrame(clk.now(), bytes(data)))

        control = self._newest_char(client, pmd.PMD_CONTROL)
        data = self._newest_char(client, pmd.PMD_DATA)

        async def request(cmd: bytes) -> pmd.Response:
            while not answers.empty():
                answers.get_nowait()
            if control is None:
                raise pmd.PmdError("no PMD control point")
            await client.write_gatt_char(control, cmd, response=True)
            while True:
                resp = pmd.parse_response(await asyncio.wait_for(answers.get(), PMD_TIMEOUT_S))
                if resp.op == cmd[0] and resp.mtype == cmd[1]:
                    return resp

        try:
            if data is None or control is None:
                raise pmd.PmdError("no PMD data characteristic" if data is None else "no PMD control point")
            features = pmd.parse_features(bytes(await client.read_gatt_char(control)))
            await client.start_notify(control, on_control)
            await client.start_notify(data, on_frame)
            for mtype in (pmd.ECG, pmd.ACC):
                name = pmd.TYPE_NAMES[mtype].lower()
                if mtype not in features:
                    continue
                resp = await request(pmd.settings_command(mtype))
                variant = ""
                if resp.ok:
                    offered = pmd.parse_settings(resp.params)
                elif resp.status in pmd.OLDER_VARIANT_STATUS and mtype in pmd.H10_SETTINGS:
                    # an older control point that will not list its settings: start with the H10's own
                    offered, variant = pmd.H10_SETTINGS[mtype], f"older control point ({resp.status_text} " \
                        "to get-settings): started with the H10's published settings"
                else:
                    out[name] = {"status": resp.status_text}
                    continue
                sel = pmd.choose_settings(mtype, offered)
                resp = await request(pmd.start_command(mtype, sel))
                if resp.status == 6:  # already streaming (a reconnect before the strap noticed): restart it
                    await request(pmd.stop_command(mtype))
                    resp = await request(pmd.start_command(mtype, sel))
                settings: dict[str, float] = {pmd.SETTING_NAMES[k]: v for k, v in sel.items()}
                if resp.ok and resp.params:
                    with contextlib.suppress(pmd.PmdError, IndexError):
                        factor = pmd.parse_settings(resp.params).get(pmd.FACTOR)
                        if factor:
                            settings["factor"] = float(factor[0])
                out[name] = {"settings": settings, "status": resp.status_text}
                if variant:
                    out[name]["variant"] = variant
        except pmd.PmdError as e:
            out["error"] = (f"raw streams not started: the strap's PMD control point answers in a form vagal-coach "
                            f"does not know ({e}); an older firmware? a firmware update may help")
        except asyncio.TimeoutError:
            out["error"] = "raw streams not started: no answer from the strap"
        except Exception as e:  # noqa: BLE001 - a strap that refuses PMD still streams heart rate
            out["error"] = f"raw streams not started: {explain(e, self.address).message}"
        return out

    async def events(self) -> AsyncGenerator[SourceEvent, None]:
        from bleak import BleakScanner

        clk = self.clock
        queue: asyncio.Queue[Notification] = asyncio.Queue()
        # the first connection: scan for the strap by address, a few tries (a strap just put on may need a
        # few seconds to wake), then say plainly what is wrong rather than wait forever
        yield LinkEvent(clk.now(), "connecting", self.address)
        attempt = 0
        while True:
            try:
                device = await BleakScanner.find_device_by_address(self.address, timeout=self.scan_timeout_s,
                                                                   **_bleak_kwargs(self.adapter))
                if device is None:
                    raise DeviceError("strap not found: is it worn (straps sleep when dry) and in range?"
                                      + address_hint(self.address), path=self.address)
                client, info, disconnected = await self._connect(device, queue)
                break
            except Exception as e:  # noqa: BLE001 - every stack error becomes a link event or one line
                err = explain(e, self.address)
                if self._closed.is_set():
                    yield LinkEvent(clk.now(), "closed", "session ended")
                    return
                if attempt + 1 >= self.first_attempts or _fatal(err):
                    raise err from None
                yield LinkEvent(clk.now(), "connecting", str(err.message))
                await self._backoff(attempt)
                attempt += 1
        quiet_recycles = 0  # recycles in a row after which the strap stayed silent
        rr_watch = _RrWatch()
        while True:
            yield LinkEvent(clk.now(), "connected", self.address)
            yield DeviceInfo(clk.now(), info)
            got_data = False
            wait_s = min(SILENCE_MAX_S, self.silence_s * 2 ** quiet_recycles)
            async for note in self._stream(queue, disconnected, wait_s):
                got_data = True
                yield note
                if isinstance(note, Notification) and not self._optical_said:
                    why = rr_watch.add(note)
                    if why:
                        self._optical_said = True
                        yield DeviceInfo(clk.now(), {"optical": why, "hrv_warning": optical.WARNING})
            self._client = None
            if self._closed.is_set():
                with contextlib.suppress(Exception):
                    await client.disconnect()
                break
            if self._silent:
                # the link is up but nothing arrives (a strap that stopped notifying, a stack that never
                # reported the drop): say so, then recycle the link (disconnect, connect, subscribe afresh)
                quiet_recycles = 0 if got_data else quiet_recycles + 1
                yield LinkEvent(clk.now(), "silent", self._silent)
                await self._recycle(client, disconnected)
            else:
                quiet_recycles = 0
                yield LinkEvent(clk.now(), "lost", "link dropped")
            found = None
            async for ev in self._search(queue):
                if isinstance(ev, LinkEvent):
                    yield ev
                else:
                    found = ev
            if found is None:  # the session ended while searching
                break
            client, info, disconnected = found
        yield LinkEvent(clk.now(), "closed", "session ended")

    async def _recycle(self, client: BleakClient, disconnected: asyncio.Event) -> None:
        """Drop a silent link ourselves and wait (briefly) for the stack to confirm it."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.disconnect(), self.connect_timeout_s)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(disconnected.wait(), 5.0)
        # a moment for the strap to notice the link is gone (it takes the next connection for a new one, and
        # starts its streams afresh) before we connect again
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closed.wait(), RECYCLE_PAUSE_S)

    async def _stream(self, queue: asyncio.Queue[Notification], disconnected: asyncio.Event,
                      silence_s: float | None = None) -> AsyncIterator[Notification | PmdFrame]:
        """Notifications as they arrive, until the link drops, the session ends, or the watchdog finds the
        link silent (then ``self._silent`` says why), then what is queued.

        The watchdog: no heart-rate notification for ``silence_s``, or, once the raw streams have sent a
        frame, none of them for ``silence_s`` (an H10 whose ECG stopped while its heart rate goes on)."""
        silence_s = self.silence_s if silence_s is None else silence_s
        closed_wait = asyncio.ensure_future(self._closed.wait())
        dis_wait = asyncio.ensure_future(disconnected.wait())
        self._silent = ""
        last_hr = last_raw = time.monotonic()
        raw_seen = False
        get: asyncio.Future | None = None
        try:
            while not disconnected.is_set() and not self._closed.is_set():
                if get is None:
                    get = asyncio.ensure_future(queue.get())
                now = time.monotonic()
                due = min(last_hr, last_raw if raw_seen else math.inf) + silence_s
                done, _ = await asyncio.wait({get, dis_wait, closed_wait}, timeout=max(0.0, due - now),
                                             return_when=asyncio.FIRST_COMPLETED)
                if get in done:
                    note = get.result()
                    get = None
                    if isinstance(note, PmdFrame):
                        last_raw, raw_seen = time.monotonic(), True
                    else:
                        last_hr = time.monotonic()
                    yield note
                elif not done:
                    now = time.monotonic()
                    if now - last_hr >= silence_s:
                        self._silent = f"no data from the strap for {now - last_hr:.0f} s: reconnecting"
                    elif raw_seen and now - last_raw >= silence_s:
                        self._silent = f"no raw data from the strap for {now - last_raw:.0f} s: reconnecting"
                    if self._silent:
                        break
            if get is not None and get.done() and not get.cancelled():
                yield get.result()
                get = None
            while not queue.empty():
                yield queue.get_nowait()
        finally:
            if get is not None:
                get.cancel()
            closed_wait.cancel()
            dis_wait.cancel()

    async def _search(self, queue: asyncio.Queue[Notification]) -> AsyncIterator[Any]:
        """After a link loss, until the strap is back or the session ends.

        Two ways back run side by side. A scan filtered on the Heart Rate Service stays on, and the moment
        the strap advertises (a strap out of range, taken off or power-cycled long enough that the OS
        stack forgot it) it is connected to. Meanwhile, while the stack still knows the strap, direct
        connects to it are tried (BlueZ completes those itself when the strap advertises). The scan is
        restarted every ``RESCAN_S`` and whenever it fails to start, so an adapter turned off and on
        comes back too. Yields link events, then what :meth:`_connect` returns; nothing when the session ends
        first.
        """
        from bleak import BleakScanner

        clk = self.clock
        t0 = clk.now()
        yield LinkEvent(t0, "searching", "searching for the strap")
        seen: list = []
        wake = asyncio.Event()
        want = self.address.upper()

        def on_adv(device: BLEDevice, _adv: AdvertisementData) -> None:
            if device.address.upper() == want:
                seen.append(device)
                wake.set()

        scanner = None
        scan_t = -math.inf
        attempt = 0
        last_detail = ""
        try:
            while not self._closed.is_set():
                if scanner is None or time.monotonic() - scan_t > RESCAN_S:
                    if scanner is not None:
                        with contextlib.suppress(Exception):
                            await scanner.stop()
                    scanner = BleakScanner(on_adv, service_uuids=[HEART_RATE_SERVICE], **_bleak_kwargs(self.adapter))
                    scan_t = time.monotonic()
                    try:
                        await scanner.start()
                    except Exception as e:  # noqa: BLE001 - the adapter off or gone: try again shortly
                        scanner = None
                        detail = explain(e, self.adapter or "bluetooth").message
                        if detail != last_detail:
                            last_detail = detail
                            yield LinkEvent(clk.now(), "searching", detail)
                device = seen.pop() if seen else None
                seen.clear()
                wake.clear()
                if device is not None and scanner is not None:
                    # it advertises: stop discovery first (some adapters refuse to connect while scanning)
                    with contextlib.suppress(Exception):
                        await scanner.stop()
                    scanner = None
                device = device or self._device
                if device is not None:
                    try:
                        result = await self._connect(device, queue)
                    except Exception as e:  # noqa: BLE001
                        err = explain(e, self.address)
                        if "not found" in str(e).lower() or "unknownobject" in str(e).lower():
                            self._device = None  # the stack forgot it: only its advertising brings it back
                        if err.message != last_detail:
                            last_detail = err.message
                            yield LinkEvent(clk.now(), "searching", err.message)
                    else:
                        yield result
                        return
                    attempt += 1
                # wait for the strap to advertise, the session to end, or the next direct try
                delay = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)] if self._device is not None else RESCAN_S
                waits = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(self._closed.wait())]
                try:
                    await asyncio.wait(waits, timeout=delay if scanner is not None else min(delay, 1.0),
                                       return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for w in waits:
                        w.cancel()
        finally:
            if scanner is not None:
                with contextlib.suppress(Exception):
                    await scanner.stop()

    async def _backoff(self, attempt: int) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closed.wait(), BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
