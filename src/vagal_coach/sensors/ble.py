"""Bluetooth LE heart-rate straps through bleak: scan by the Heart Rate Service, connect, reconnect.

A small client of bleak's facade (``BleakScanner``, ``BleakClient``). Any strap advertising 0x180D
works; brand names are never matched. On Linux ``adapter`` ("hci0") picks the Bluetooth adapter.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sys
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vagal_coach.clock import Clock
from vagal_coach.errors import DeviceError
from vagal_coach.sensors.events import DeviceInfo, LinkEvent, Notification, PmdFrame, SourceEvent
from vagal_coach.sensors.hrm import (
    BATTERY_LEVEL,
    BODY_SENSOR_LOCATION,
    BODY_SENSOR_LOCATIONS,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
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


@dataclass(frozen=True)
class FoundStrap:
    name: str
    address: str  # a MAC on Linux/Windows, a UUID on macOS
    rssi_dbm: int | None


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
        out.append(FoundStrap(adv.local_name or dev.name or "(unnamed strap)", dev.address, adv.rssi))
    return sorted(out, key=lambda s: -(s.rssi_dbm if s.rssi_dbm is not None else -999))


class BleStrap:
    """A strap by address: connects, subscribes to 0x2A37, and reconnects with backoff, pinned to the
    address, for as long as the session runs. Yields notifications, link events and device facts."""

    simulated = False

    def __init__(self, address: str, clock: Clock | None = None, *, adapter: str | None = None,
                 connect_timeout_s: float = 15.0, scan_timeout_s: float = 6.0, name: str | None = None,
                 first_attempts: int = 3, raw: bool = True) -> None:
        self.address = address
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
                if client.services.get_characteristic(uuid) is None:
                    continue
                raw = await client.read_gatt_char(uuid)
            except Exception:  # optional characteristics: absent or unreadable is fine
                continue
            if raw:
                info[key] = int(raw[0]) if key == "battery_pct" else BODY_SENSOR_LOCATIONS.get(raw[0], "other")
        return info

    @staticmethod
    def _measurement_char(client: BleakClient) -> BleakGATTCharacteristic:
        """The Heart Rate Measurement characteristic; if a stale GATT cache lists it twice, the newest."""
        chars = [c for svc in client.services for c in svc.characteristics
                 if c.uuid.lower() == HEART_RATE_MEASUREMENT]
        if not chars:
            raise DeviceError("no Heart Rate Measurement characteristic: not a heart-rate strap?", path=client.address)
        return max(chars, key=lambda c: c.handle)

    async def _connect(self, device: BLEDevice, queue: asyncio.Queue[Notification]
                       ) -> tuple[BleakClient, dict, asyncio.Event]:
        """Connect to ``device`` (a bleak BLEDevice), read its facts and subscribe to 0x2A37.

        Returns the client, the facts and an event set when this connection drops."""
        from bleak import BleakClient

        loop = asyncio.get_running_loop()
        clk = self.clock
        disconnected = asyncio.Event()

        def on_disconnect(_client: object) -> None:
            loop.call_soon_threadsafe(disconnected.set)

        client = BleakClient(device, disconnected_callback=on_disconnect, timeout=self.connect_timeout_s,
                             **_bleak_kwargs(self.adapter))
        await client.connect()
        try:
            info = await self._read_info(client)

            def on_data(_char: object, data: bytearray) -> None:
                queue.put_nowait(Notification(clk.now(), bytes(data)))

            await client.start_notify(self._measurement_char(client), on_data)
            if self.raw and client.services.get_characteristic(pmd.PMD_CONTROL) is not None:
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

        async def request(cmd: bytes) -> pmd.Response:
            while not answers.empty():
                answers.get_nowait()
            await client.write_gatt_char(pmd.PMD_CONTROL, cmd, response=True)
            while True:
                resp = pmd.parse_response(await asyncio.wait_for(answers.get(), PMD_TIMEOUT_S))
                if resp.op == cmd[0] and resp.mtype == cmd[1]:
                    return resp

        try:
            features = pmd.parse_features(bytes(await client.read_gatt_char(pmd.PMD_CONTROL)))
            await client.start_notify(pmd.PMD_CONTROL, on_control)
            await client.start_notify(pmd.PMD_DATA, on_frame)
            for mtype in (pmd.ECG, pmd.ACC):
                name = pmd.TYPE_NAMES[mtype].lower()
                if mtype not in features:
                    continue
                resp = await request(pmd.settings_command(mtype))
                if not resp.ok:
                    out[name] = {"status": resp.status_text}
                    continue
                sel = pmd.choose_settings(mtype, pmd.parse_settings(resp.params))
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
        except (asyncio.TimeoutError, pmd.PmdError) as e:
            out["error"] = f"raw streams not started: {e or 'no answer from the strap'}"
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
                    raise DeviceError("strap not found: is it worn (straps sleep when dry) and in range?",
                                      path=self.address)
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
        while True:
            yield LinkEvent(clk.now(), "connected", self.address)
            yield DeviceInfo(clk.now(), info)
            async for note in self._stream(queue, disconnected):
                yield note
            self._client = None
            if self._closed.is_set():
                with contextlib.suppress(Exception):
                    await client.disconnect()
                break
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

    async def _stream(self, queue: asyncio.Queue[Notification], disconnected: asyncio.Event
                      ) -> AsyncIterator[Notification | PmdFrame]:
        """Notifications as they arrive, until the link drops or the session ends (then what is queued)."""
        closed_wait = asyncio.ensure_future(self._closed.wait())
        dis_wait = asyncio.ensure_future(disconnected.wait())
        try:
            while not disconnected.is_set() and not self._closed.is_set():
                get = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({get, dis_wait, closed_wait}, return_when=asyncio.FIRST_COMPLETED)
                if get in done:
                    yield get.result()
                else:
                    get.cancel()
            while not queue.empty():
                yield queue.get_nowait()
        finally:
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
