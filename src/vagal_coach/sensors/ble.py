"""Bluetooth LE heart-rate straps through bleak: scan by the Heart Rate Service, connect, reconnect.

A small client of bleak's facade (``BleakScanner``, ``BleakClient``). Any strap advertising 0x180D
works; brand names are never matched. On Linux ``adapter`` ("hci0") picks the Bluetooth adapter.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from vagal_coach.clock import Clock
from vagal_coach.errors import DeviceError
from vagal_coach.sensors.events import DeviceInfo, LinkEvent, Notification, SourceEvent
from vagal_coach.sensors.hrm import (
    BATTERY_LEVEL,
    BODY_SENSOR_LOCATION,
    BODY_SENSOR_LOCATIONS,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
)

#: seconds between reconnection attempts (the last repeats for as long as the session runs)
BACKOFF_S = (0.5, 1.0, 2.0, 3.0)


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
                 first_attempts: int = 3) -> None:
        self.address = address
        self.clock = clock or Clock()
        self.adapter = adapter
        self.connect_timeout_s = connect_timeout_s
        self.scan_timeout_s = scan_timeout_s
        self.first_attempts = first_attempts
        self.name = name or address
        self._closed = asyncio.Event()
        self._client = None
        self._device = None  # the BLEDevice last connected to (bleak's handle on the OS's device object)

    async def close(self) -> None:
        self._closed.set()
        client = self._client
        if client is not None:
            with contextlib.suppress(Exception):
                await client.disconnect()

    async def _read_info(self, client) -> dict:  # type: ignore[no-untyped-def]
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
    def _measurement_char(client):  # type: ignore[no-untyped-def]
        """The Heart Rate Measurement characteristic; if a stale GATT cache lists it twice, the newest."""
        chars = [c for svc in client.services for c in svc.characteristics
                 if c.uuid.lower() == HEART_RATE_MEASUREMENT]
        if not chars:
            raise DeviceError("no Heart Rate Measurement characteristic: not a heart-rate strap?", path=client.address)
        return max(chars, key=lambda c: c.handle)

    async def events(self) -> AsyncIterator[SourceEvent]:
        from bleak import BleakClient, BleakScanner

        clk = self.clock
        queue: asyncio.Queue[Notification] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        ever_connected = False
        attempt = 0
        while not self._closed.is_set():
            yield LinkEvent(clk.now(), "reconnecting" if ever_connected else "connecting", self.address)
            disconnected = asyncio.Event()
            try:
                # a strap seen before is connected to directly: the OS stack keeps it and connects as soon as
                # it advertises again (no fresh discovery, which may miss a strap that advertises rarely);
                # when that fails, the next attempt scans for it anew
                # every third failed attempt scans anew all the same, in case the stack forgot the strap
                device = self._device if attempt % 3 != 2 else None
                if device is None:
                    device = await BleakScanner.find_device_by_address(self.address, timeout=self.scan_timeout_s,
                                                                       **_bleak_kwargs(self.adapter))
                if device is None:
                    raise DeviceError("strap not found: is it worn (straps sleep when dry) and in range?",
                                      path=self.address)
                def on_disconnect(_client: object, ev: asyncio.Event = disconnected) -> None:
                    loop.call_soon_threadsafe(ev.set)

                client = BleakClient(device, disconnected_callback=on_disconnect, timeout=self.connect_timeout_s,
                                     **_bleak_kwargs(self.adapter))
                await client.connect()
                self._client = client
                self._device = device
                info = await self._read_info(client)

                def on_data(_char: object, data: bytearray) -> None:
                    queue.put_nowait(Notification(clk.now(), bytes(data)))

                await client.start_notify(self._measurement_char(client), on_data)
            except Exception as e:  # noqa: BLE001 - every stack error becomes a link event or one line
                err = explain(e, self.address)
                # the first connection: a strap just put on may need a few seconds to wake; after the
                # first attempts fail, say so plainly rather than wait forever
                if not ever_connected and (attempt + 1 >= self.first_attempts or _fatal(err)):
                    raise err from None
                yield LinkEvent(clk.now(), "lost" if ever_connected else "connecting", str(err.message))
                await self._backoff(attempt)
                attempt += 1
                continue
            ever_connected = True
            attempt = 0
            yield LinkEvent(clk.now(), "connected", self.address)
            yield DeviceInfo(clk.now(), info)
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
            self._client = None
            if self._closed.is_set():
                with contextlib.suppress(Exception):
                    await client.disconnect()
                break
            yield LinkEvent(clk.now(), "lost", "link dropped")
            await self._backoff(0)
        yield LinkEvent(clk.now(), "closed", "session ended")

    async def _backoff(self, attempt: int) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closed.wait(), BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
