"""A fake heart-rate strap on BlueZoo: a GATT Heart Rate + Battery service and an LE advertisement,
registered through BlueZ's D-Bus API (dbus-fast), exactly as a peripheral app would on real BlueZ.

Run as a process: ``python fake_strap.py --adapter hci1 --plan PLAN.json --log SENT.jsonl``.
The plan lists notifications (hex payloads) and the interval between them, and optional outages
``[start_index, seconds]``: before notification ``start_index`` the link drops (the central's
``Device1.Disconnect``) and the notifications due in the next ``seconds`` are lost (see the comment at
the outage for what BlueZoo can and cannot model). Every notification actually sent while a central
listened is logged with its send time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method

HRS = "0000180d-0000-1000-8000-00805f9b34fb"
HRM = "00002a37-0000-1000-8000-00805f9b34fb"
BSL = "00002a38-0000-1000-8000-00805f9b34fb"
BAS = "0000180f-0000-1000-8000-00805f9b34fb"
BAT = "00002a19-0000-1000-8000-00805f9b34fb"
APP = "/org/vagalcoach/strap"
ADV = "/org/vagalcoach/adv0"


class Service(ServiceInterface):
    def __init__(self, uuid: str) -> None:
        super().__init__("org.bluez.GattService1")
        self._uuid = uuid

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> s:  # noqa: F821, N802
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> b:  # noqa: F821, N802
        return True


class Characteristic(ServiceInterface):
    def __init__(self, uuid: str, service_path: str, flags: list[str], value: bytes = b"") -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self._uuid, self._service, self._flags, self._value = uuid, service_path, flags, value
        self.notifying = False

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> s:  # noqa: F821, N802
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> o:  # noqa: F821, N802
        return self._service

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> "as":  # noqa: F821, N802
        return self._flags

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> ay:  # noqa: F821, N802
        return self._value

    @method()
    def ReadValue(self, options: "a{sv}") -> ay:  # noqa: F821, N802
        return self._value

    @method()
    def StartNotify(self):  # noqa: N802
        self.notifying = True

    @method()
    def StopNotify(self):  # noqa: N802
        self.notifying = False

    @method()
    def Confirm(self):  # noqa: N802
        pass

    def notify(self, value: bytes) -> None:
        self._value = value
        self.emit_properties_changed({"Value": value})


class Advertisement(ServiceInterface):
    def __init__(self, name: str) -> None:
        super().__init__("org.bluez.LEAdvertisement1")
        self._name = name

    @dbus_property(access=PropertyAccess.READ)
    def Type(self) -> s:  # noqa: F821, N802
        return "peripheral"

    @dbus_property(access=PropertyAccess.READ)
    def ServiceUUIDs(self) -> "as":  # noqa: F821, N802
        return [HRS]

    @dbus_property(access=PropertyAccess.READ)
    def LocalName(self) -> s:  # noqa: F821, N802
        return self._name

    @dbus_property(access=PropertyAccess.READ)
    def Discoverable(self) -> b:  # noqa: F821, N802
        return True

    @method()
    def Release(self):  # noqa: N802
        pass


class ObjectManager(ServiceInterface):
    def __init__(self, objects: dict[str, ServiceInterface]) -> None:
        super().__init__("org.freedesktop.DBus.ObjectManager")
        self._objects = objects

    @method()
    def GetManagedObjects(self) -> "a{oa{sa{sv}}}":  # noqa: F821, N802
        out = {}
        for path, iface in self._objects.items():
            props = {}
            for p in ("UUID", "Primary", "Service", "Flags"):
                if hasattr(iface, p):
                    v = getattr(iface, p)
                    sig = {"UUID": "s", "Primary": "b", "Service": "o", "Flags": "as"}[p]
                    props[p] = Variant(sig, v)
            out[path] = {iface.name: props}
        return out


async def call(bus: MessageBus, path: str, iface: str, member: str, sig: str = "", body: list | None = None):
    reply = await bus.call(Message(destination="org.bluez", path=path, interface=iface, member=member,
                                   signature=sig, body=body or []))
    if reply.message_type == MessageType.ERROR:
        raise RuntimeError(f"{iface}.{member}: {reply.error_name} {reply.body}")
    return reply.body


async def central_devices(bus: MessageBus, central: str) -> list[str]:
    (objs,) = await call(bus, "/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
    return [p for p, ifs in objs.items() if p.startswith(f"/org/bluez/{central}/dev_") and "org.bluez.Device1" in ifs]


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--adapter", default="hci1")
    ap.add_argument("--central", default="hci0")
    ap.add_argument("--name", default="Polar H10 FAKE01")
    ap.add_argument("--plan", required=True)
    ap.add_argument("--log", required=True)
    ns = ap.parse_args()
    plan = json.load(open(ns.plan))
    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    svc = Service(HRS)
    hrm = Characteristic(HRM, f"{APP}/service0", ["notify"])
    bsl = Characteristic(BSL, f"{APP}/service0", ["read"], bytes([1]))
    bas = Service(BAS)
    bat = Characteristic(BAT, f"{APP}/service1", ["read"], bytes([plan.get("battery", 77)]))
    objects = {f"{APP}/service0": svc, f"{APP}/service0/char0": hrm, f"{APP}/service0/char1": bsl,
               f"{APP}/service1": bas, f"{APP}/service1/char0": bat}
    for path, iface in objects.items():
        bus.export(path, iface)
    bus.export(APP, ObjectManager(objects))
    adv = Advertisement(ns.name)
    bus.export(ADV, adv)
    adapter = f"/org/bluez/{ns.adapter}"
    await call(bus, adapter, "org.bluez.GattManager1", "RegisterApplication", "oa{sv}", [APP, {}])
    print("ready", flush=True)
    # like a strap that wakes when it is put on, advertise once the central scans: BlueZoo announces a
    # device once, and a scan that starts after the announcement would never see it
    t_end = time.monotonic() + 30
    while time.monotonic() < t_end:
        (disc,) = await call(bus, f"/org/bluez/{ns.central}", "org.freedesktop.DBus.Properties", "Get", "ss",
                             ["org.bluez.Adapter1", "Discovering"])
        if disc.value:
            break
        await asyncio.sleep(0.05)
    await call(bus, adapter, "org.bluez.LEAdvertisingManager1", "RegisterAdvertisement", "oa{sv}", [ADV, {}])
    log = open(ns.log, "w")
    outages = {int(i): float(s) for i, s in plan.get("outages", [])}
    # wait for a central to subscribe
    t_end = time.monotonic() + 60
    while not hrm.notifying and time.monotonic() < t_end:
        await asyncio.sleep(0.05)
    await asyncio.sleep(plan.get("settle_s", 0.5))
    for i, hexstr in enumerate(plan["notifications"]):
        if i in outages:
            # the link drops (the OS stack, interference, a strap briefly out of reach) and nothing reaches the
            # central for a while: the central's Device1.Disconnect, then the notifications due meanwhile are
            # lost. The strap stays known to the central's stack, as on real BlueZ. BlueZoo cannot model a
            # strap out of range (its Connect ignores reachability) and never unexports a connection's GATT
            # objects (exporting them again fails), so the application is registered anew: fresh handles,
            # fresh object paths, as a stale GATT cache would look to the central.
            await call(bus, adapter, "org.bluez.GattManager1", "UnregisterApplication", "o", [APP])
            for dev in await central_devices(bus, ns.central):
                await call(bus, dev, "org.bluez.Device1", "Disconnect")
            hrm.notifying = False
            log.write(json.dumps({"event": "gone", "t": time.monotonic()}) + "\n")
            log.flush()
            await call(bus, adapter, "org.bluez.GattManager1", "RegisterApplication", "oa{sv}", [APP, {}])
            t_gone = time.monotonic()
            while not hrm.notifying and time.monotonic() < t_gone + 30:
                await asyncio.sleep(0.05)
            log.write(json.dumps({"event": "resubscribed", "t": time.monotonic(),
                                  "after_s": time.monotonic() - t_gone}) + "\n")
            log.flush()
            await asyncio.sleep(max(0.0, t_gone + outages[i] - time.monotonic()))  # what is due now is lost
            log.write(json.dumps({"event": "back", "t": time.monotonic()}) + "\n")
            log.flush()
        if hrm.notifying:
            hrm.notify(bytes.fromhex(hexstr))
            log.write(json.dumps({"event": "sent", "i": i, "hex": hexstr, "t": time.monotonic()}) + "\n")
            log.flush()
        delays = plan.get("delays_s")
        await asyncio.sleep(delays[i] if delays else plan.get("interval_s", 0.2))
    log.write(json.dumps({"event": "done", "t": time.monotonic()}) + "\n")
    log.close()
    await asyncio.sleep(plan.get("linger_s", 1.0))


if __name__ == "__main__":
    asyncio.run(main())
