"""A fake heart-rate strap on BlueZoo: a GATT Heart Rate + Battery service and an LE advertisement,
registered through BlueZ's D-Bus API (dbus-fast), exactly as a peripheral app would on real BlueZ.

Run as a process: ``python fake_strap.py --adapter hci1 --plan PLAN.json --log SENT.jsonl``.
The plan lists notifications (hex payloads) and the interval between them, and optional outages
``[start_index, seconds]``: before notification ``start_index`` the strap goes away (stops
advertising and drops the link via the central's ``Device1.Disconnect``), waits, and comes back
(advertises again; the central's adapter forgets it with ``Adapter1.RemoveDevice`` so that it is
discovered anew, as BlueZoo announces a device only once). Every notification actually sent while a
central listened is logged with its send time; notifications due during an outage are not sent.
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
    await call(bus, adapter, "org.bluez.LEAdvertisingManager1", "RegisterAdvertisement", "oa{sv}", [ADV, {}])
    print("ready", flush=True)
    log = open(ns.log, "w")
    outages = {int(i): float(s) for i, s in plan.get("outages", [])}
    # wait for a central to subscribe
    t_end = time.monotonic() + 60
    while not hrm.notifying and time.monotonic() < t_end:
        await asyncio.sleep(0.05)
    await asyncio.sleep(plan.get("settle_s", 0.5))
    for i, hexstr in enumerate(plan["notifications"]):
        if i in outages:
            await call(bus, adapter, "org.bluez.LEAdvertisingManager1", "UnregisterAdvertisement", "o", [ADV])
            # BlueZoo leaves a connection's GATT objects exported: registering the application anew on return
            # gives it fresh handles, hence fresh object paths (a real strap keeps its handles)
            await call(bus, adapter, "org.bluez.GattManager1", "UnregisterApplication", "o", [APP])
            for dev in await central_devices(bus, ns.central):
                await call(bus, dev, "org.bluez.Device1", "Disconnect")
            hrm.notifying = False
            log.write(json.dumps({"event": "gone", "t": time.monotonic()}) + "\n")
            log.flush()
            await asyncio.sleep(outages[i])
            for dev in await central_devices(bus, ns.central):
                try:
                    await call(bus, f"/org/bluez/{ns.central}", "org.bluez.Adapter1", "RemoveDevice", "o", [dev])
                except RuntimeError:
                    pass
            await call(bus, adapter, "org.bluez.GattManager1", "RegisterApplication", "oa{sv}", [APP, {}])
            await call(bus, adapter, "org.bluez.LEAdvertisingManager1", "RegisterAdvertisement", "oa{sv}",
                       [ADV, {}])
            t_back = time.monotonic()
            log.write(json.dumps({"event": "back", "t": t_back}) + "\n")
            log.flush()
            while not hrm.notifying and time.monotonic() < t_back + 30:
                await asyncio.sleep(0.05)
            log.write(json.dumps({"event": "resubscribed", "t": time.monotonic(),
                                  "after_s": time.monotonic() - t_back}) + "\n")
            log.flush()
            await asyncio.sleep(plan.get("settle_s", 0.5))
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
