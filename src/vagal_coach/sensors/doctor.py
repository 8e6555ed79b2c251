"""``vagal-coach doctor``: what stands between this computer and a heart-rate strap, checked one step at a time.

Each check gives a :class:`Check` (``ok`` True, False for a fault, None for a fact or a hint): versions
(Python, bleak, Qt), the Bluetooth service (on Linux: the system D-Bus, BlueZ on it, the adapters, powered or
not, and rfkill), the OS's permission hints (macOS: Bluetooth permission for the app or terminal; Windows:
Bluetooth on), a scan for heart-rate straps, and on request a connection to one: its services, notification
rate, RR present, contact, battery and PMD features. :func:`bundle` gathers it all, addresses hashed, for a
bug report. The window's Help > Bluetooth check shows the same checks.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import platform
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vagal_coach.sensors.hrm import (
    BATTERY_LEVEL,
    BODY_SENSOR_LOCATION,
    BODY_SENSOR_LOCATIONS,
    HEART_RATE_MEASUREMENT,
    HrmParseError,
    parse_hrm,
)
from vagal_coach.wire import pmd

SERVICE_NAMES = {"0000180d-0000-1000-8000-00805f9b34fb": "Heart Rate", "0000180f-0000-1000-8000-00805f9b34fb":
                 "Battery", "0000180a-0000-1000-8000-00805f9b34fb": "Device Information",
                 pmd.PMD_SERVICE: "Polar Measurement Data (raw ECG/ACC)"}


@dataclass
class Check:
    name: str
    ok: bool | None  # True passed, False a fault, None a fact or a hint
    detail: str
    hint: str = ""
    data: dict = field(default_factory=dict)

    def line(self) -> str:
        mark = {True: "ok  ", False: "FAIL", None: "info"}[self.ok]
        return f"[{mark}] {self.name}: {self.detail}" + (f"\n       -> {self.hint}" if self.hint else "")


def hash_address(address: str) -> str:
    """A Bluetooth address (MAC or macOS UUID) as a short hash: the same strap gives the same hash."""
    return "addr-" + hashlib.sha256(address.strip().upper().encode()).hexdigest()[:10]


_MAC = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{2}(?:[:_-][0-9A-Fa-f]{2}){5}(?![0-9A-Fa-f])")
_UUID = re.compile(r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b")
# the device id Polar and others put in the name ("Polar H10 A1B2C3D4"), not a part of a UUID
_SERIAL = re.compile(r"(?<![-\w])[0-9A-Fa-f]{8}(?![-\w])")


def redact(text: str) -> str:
    """Addresses (MACs, UUIDs that are not GATT's 0000xxxx-...-00805f9b34fb) and device ids in names, hashed."""
    def uuid_sub(m: re.Match) -> str:
        u = m.group(0)
        return u if u.lower().endswith("-0000-1000-8000-00805f9b34fb") or u.lower().startswith("fb005c8") \
            else hash_address(u)

    text = _MAC.sub(lambda m: hash_address(m.group(0).replace("_", ":").replace("-", ":")), text)
    text = _UUID.sub(uuid_sub, text)
    return _SERIAL.sub(lambda m: hash_address(m.group(0)), text)


def redact_obj(obj: Any) -> Any:
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        return {k: redact_obj(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [redact_obj(v) for v in obj]
    return obj


# ------------------------------------------------------------------------------------------------ versions
def versions() -> list[Check]:
    from importlib.metadata import PackageNotFoundError, version

    from vagal_coach.version import __version__

    out = [Check("vagal-coach", None, __version__),
           Check("Python", sys.version_info >= (3, 10), f"{platform.python_version()} ({sys.executable})",
                 "" if sys.version_info >= (3, 10) else "vagal-coach needs Python 3.10 or later"),
           Check("system", None, f"{platform.system()} {platform.release()} ({platform.machine()})")]
    try:
        out.append(Check("bleak", True, version("bleak")))
    except PackageNotFoundError:
        out.append(Check("bleak", False, "not installed", "pip install 'vagal-coach[live]'"))
    try:
        import PySide6
        from PySide6 import QtCore

        out.append(Check("Qt", None, f"{QtCore.qVersion()} (PySide6 {PySide6.__version__})"))
    except Exception:  # noqa: BLE001 - no GUI extra, or Qt cannot load: a fact, not a fault for the CLI
        out.append(Check("Qt", None, "not installed (the window needs pip install 'vagal-coach[gui]')"))
    return out


# ---------------------------------------------------------------------------------------- the service
def os_hints() -> list[Check]:
    if sys.platform == "darwin":
        return [Check("macOS permission", None, "the app that runs vagal-coach needs Bluetooth permission",
                      "System Settings > Privacy & Security > Bluetooth: allow your terminal (Terminal, iTerm, "
                      "VS Code) or the app; without it macOS ends the program as it starts Bluetooth. Straps "
                      "are listed by a per-Mac UUID, not a MAC address")]
    if sys.platform == "win32":
        return [Check("Windows Bluetooth", None, "Bluetooth must be on (Settings > Bluetooth & devices)",
                      "do not pair the strap in Windows settings (vagal-coach connects without pairing); if "
                      "connecting hangs, turn Bluetooth off and on, or remove the strap from the paired devices")]
    return []


def _rfkill() -> list[dict]:
    out = []
    for d in sorted(Path("/sys/class/rfkill").glob("rfkill*")):
        try:
            if (d / "type").read_text().strip() != "bluetooth":
                continue
            out.append({"name": (d / "name").read_text().strip(), "soft": (d / "soft").read_text().strip() == "1",
                        "hard": (d / "hard").read_text().strip() == "1"})
        except OSError:
            continue
    return out


async def _dbus_call(bus: Any, dest: str, path: str, iface: str, member: str, sig: str = "",
                     body: list | None = None) -> list:
    from dbus_fast import Message, MessageType

    reply = await bus.call(Message(destination=dest, path=path, interface=iface, member=member, signature=sig,
                                   body=body or []))
    if reply.message_type == MessageType.ERROR:
        raise RuntimeError(f"{reply.error_name}: {' '.join(map(str, reply.body))}")
    return list(reply.body)


async def linux_service(adapter: str | None = None) -> list[Check]:
    """The system D-Bus, BlueZ on it, its adapters (powered?) and rfkill."""
    out: list[Check] = []
    try:
        from dbus_fast import BusType
        from dbus_fast.aio import MessageBus
    except ImportError:
        return [Check("D-Bus", False, "dbus-fast is not installed", "pip install 'vagal-coach[live]'")]
    try:
        bus = await asyncio.wait_for(MessageBus(bus_type=BusType.SYSTEM).connect(), 5.0)
    except Exception as e:  # noqa: BLE001 - no bus: say so in one line
        return [Check("D-Bus", False, f"the system D-Bus cannot be reached ({type(e).__name__}: {e})",
                      "is dbus running? (systemctl status dbus); in a container, mount /run/dbus")]
    try:
        out.append(Check("D-Bus", True, "system bus reachable"))
        (has,) = await _dbus_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                  "NameHasOwner", "s", ["org.bluez"])
        if not has:
            try:  # BlueZ may be D-Bus activated: ask it once
                await _dbus_call(bus, "org.bluez", "/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
                has = True
            except Exception:  # noqa: BLE001
                has = False
        if not has:
            out.append(Check("BlueZ", False, "the Bluetooth service (org.bluez) is not running",
                             "sudo systemctl enable --now bluetooth (package bluez)"))
            return out
        (objs,) = await _dbus_call(bus, "org.bluez", "/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
        out.append(Check("BlueZ", True, "the Bluetooth service answers on D-Bus"))
        adapters = {p.rsplit("/", 1)[-1]: ifs["org.bluez.Adapter1"] for p, ifs in objs.items()
                    if "org.bluez.Adapter1" in ifs}
        if not adapters:
            out.append(Check("adapter", False, "no Bluetooth adapter", "is a Bluetooth dongle plugged in? "
                             "'bluetoothctl list' shows the adapters BlueZ sees"))
        for name, props in sorted(adapters.items()):
            powered = bool(props["Powered"].value) if "Powered" in props else False
            addr = props["Address"].value if "Address" in props else "?"
            facts = {"name": name, "address": hash_address(addr), "powered": powered,
                     "discovering": bool(props["Discovering"].value) if "Discovering" in props else None}
            chosen = adapter is None or adapter == name
            out.append(Check(f"adapter {name}", powered if chosen else None,
                             f"{'powered' if powered else 'powered OFF'}" + ("" if chosen else " (not the one chosen)"),
                             "" if powered else f"turn it on: bluetoothctl power on (or: bluetoothctl select "
                                                f"{addr} then power on)", facts))
        if adapter is not None and adapter not in adapters:
            out.append(Check(f"adapter {adapter}", False, "not found", f"the adapters here: "
                             f"{', '.join(sorted(adapters)) or 'none'}"))
    except Exception as e:  # noqa: BLE001
        out.append(Check("BlueZ", False, f"{type(e).__name__}: {e}", "is the bluetooth service running?"))
    finally:
        bus.disconnect()
    kills = _rfkill()
    blocked = [k for k in kills if k["soft"] or k["hard"]]
    if blocked:
        out.append(Check("rfkill", False, ", ".join(f"{k['name']} {'hard' if k['hard'] else 'soft'}-blocked"
                                                    for k in blocked),
                         "rfkill unblock bluetooth (a hard block is a switch or a BIOS setting)", {"rfkill": kills}))
    elif kills:
        out.append(Check("rfkill", True, "Bluetooth not blocked", data={"rfkill": kills}))
    return out


async def service(adapter: str | None = None) -> list[Check]:
    if sys.platform.startswith("linux"):
        return await linux_service(adapter)
    return os_hints()


# ------------------------------------------------------------------------------------------- the straps
async def scan_straps(timeout_s: float, adapter: str | None) -> Check:
    """Straps advertising the Heart Rate Service (``data["found"]``: the scan's ``FoundStrap`` list)."""
    from vagal_coach.errors import DeviceError
    from vagal_coach.sensors.ble import scan

    try:
        found = await scan(timeout_s, adapter)
    except DeviceError as e:
        return Check("scan", False, e.message)
    if not found:
        return Check("scan", False, f"no heart-rate strap found in {timeout_s:.0f} s",
                     "wear it (most straps sleep until the electrodes touch wet skin); a phone or watch holding "
                     "it hides it; try again closer", {"straps": []})
    return Check("scan", True, f"{len(found)} strap(s): " + "; ".join(
        f"{s.name} ({s.address}, {s.rssi_dbm if s.rssi_dbm is not None else '?'} dBm)" for s in found),
        data={"straps": [{"name": s.name, "address": s.address, "rssi_dbm": s.rssi_dbm} for s in found],
              "found": found})


async def connect_strap(address: str, adapter: str | None, listen_s: float = 5.0,
                        connect_timeout_s: float = 15.0, device: Any = None) -> list[Check]:
    """Connect to one strap: its services, then ``listen_s`` of heart-rate notifications (rate, RR,
    contact), its battery and body location, and its PMD features (read only: no stream is started)."""
    from bleak import BleakClient, BleakScanner

    from vagal_coach.sensors.ble import BleStrap, _bleak_kwargs, explain

    kw = _bleak_kwargs(adapter)
    try:
        device = device or await BleakScanner.find_device_by_address(address, timeout=6.0, **kw)
        if device is None:
            return [Check("connect", False, f"{address} not found", "is it worn and in range? ('vagal-coach "
                          "doctor' without --connect lists what is)")]
        client = BleakClient(device, timeout=connect_timeout_s, **kw)
        t0 = time.monotonic()
        await client.connect()
    except Exception as e:  # noqa: BLE001
        return [Check("connect", False, explain(e, address).message)]
    out = [Check("connect", True, f"connected in {time.monotonic() - t0:.1f} s")]
    try:
        uuids = [s.uuid.lower() for s in client.services]
        out.append(Check("services", None, ", ".join(SERVICE_NAMES.get(u, u) for u in uuids),
                         data={"services": uuids}))
        hrm_char = BleStrap._newest_char(client, HEART_RATE_MEASUREMENT)
        if hrm_char is None:
            out.append(Check("heart rate", False, "no Heart Rate Measurement (0x2A37)",
                             "not a heart-rate strap, or its services are still resolving: try again"))
            return out
        for uuid, what in ((BATTERY_LEVEL, "battery"), (BODY_SENSOR_LOCATION, "body location")):
            char = BleStrap._newest_char(client, uuid)
            if char is None:
                out.append(Check(what, None, "not offered"))
                continue
            try:
                raw = await client.read_gatt_char(char)
                val = f"{raw[0]} %" if what == "battery" else BODY_SENSOR_LOCATIONS.get(raw[0], "other")
                out.append(Check(what, None if what != "battery" else raw[0] > 10, val,
                                 "charge or replace the battery" if what == "battery" and raw[0] <= 10 else ""))
            except Exception as e:  # noqa: BLE001
                out.append(Check(what, None, f"unreadable ({e})"))
        cp = BleStrap._newest_char(client, pmd.PMD_CONTROL)
        if cp is not None:
            try:
                feats = pmd.parse_features(bytes(await client.read_gatt_char(cp)))
                out.append(Check("PMD features", None, ", ".join(pmd.TYPE_NAMES.get(t, f"type {t}")
                                                                for t in sorted(feats)) or "none",
                                 data={"pmd_features": sorted(feats)}))
            except Exception as e:  # noqa: BLE001
                out.append(Check("PMD features", None, f"unreadable ({e})"))
        notes: list[tuple[float, bytes]] = []
        await client.start_notify(hrm_char, lambda _c, d: notes.append((time.monotonic(), bytes(d))))
        t_end = time.monotonic() + listen_s
        while time.monotonic() < t_end:
            await asyncio.sleep(0.1)
        with_rr = contact = 0
        contacts: set[str] = set()
        for _, raw in notes:
            try:
                m = parse_hrm(raw)
            except HrmParseError:
                continue
            with_rr += bool(m.rr_ms)
            contacts.add(m.contact.value)
            contact += m.contact.value == "contact"
        rate = len(notes) / listen_s
        out.append(Check("notifications", len(notes) > 0, f"{len(notes)} in {listen_s:.0f} s ({rate:.1f}/s)",
                         "" if notes else "the strap sends nothing: wet the electrodes and wear it",
                         {"rate_per_s": round(rate, 2)}))
        if notes:
            out.append(Check("RR present", with_rr > 0, f"{with_rr} of {len(notes)} notifications carry RR",
                             "" if with_rr else "no RR: HRV needs RR intervals (some optical sensors send none)"))
            ctext = ("reported: contact" if contacts == {"contact"} else "not reported by this strap"
                     if contacts == {"unsupported"} else f"{contact} of {len(notes)} with contact")
            out.append(Check("contact", None if "no_contact" not in contacts else False, ctext,
                             "wet the electrodes, tighten the strap" if "no_contact" in contacts else ""))
    except Exception as e:  # noqa: BLE001
        out.append(Check("strap", False, explain(e, address).message))
    finally:
        try:
            await client.disconnect()
        except Exception:  # noqa: BLE001,S110 - leaving anyway
            pass
    return out


async def run_checks(adapter: str | None = None, scan_s: float = 5.0, connect: str | None = None,
                     listen_s: float = 5.0, do_scan: bool = True) -> list[Check]:
    checks = versions()
    svc = await service(adapter)
    checks += svc
    if sys.platform.startswith("linux"):
        checks += os_hints()
    stack_ok = not any(c.ok is False for c in svc)
    device = None
    if do_scan and stack_ok:
        scanned = await scan_straps(scan_s, adapter)
        found = scanned.data.pop("found", [])
        device = next((s.device for s in found if s.address.upper() == (connect or "").upper()), None)
        checks.append(scanned)
    if connect and stack_ok:
        checks += await connect_strap(connect, adapter, listen_s, device=device)
    return checks


def bundle(checks: list[Check], sessions: list[dict]) -> dict:
    """A support bundle: the checks and the last sessions' link events, addresses and device ids hashed."""
    return redact_obj({"vagal_coach_doctor": 1, "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "platform": platform.platform(), "env": {k: os.environ[k] for k in
                                                                ("XDG_SESSION_TYPE", "container") if k in os.environ},
                       "checks": [asdict(c) for c in checks], "sessions": sessions})
