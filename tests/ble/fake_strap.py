"""A fake heart-rate strap on BlueZoo: a GATT Heart Rate + Battery service and an LE advertisement,
registered through BlueZ's D-Bus API (dbus-fast), exactly as a peripheral app would on real BlueZ.

Run as a process: ``python fake_strap.py --adapter hci1 --plan PLAN.json --log SENT.jsonl``.
With a ``pmd`` entry in the plan it is an H10: it serves Polar's Measurement Data service too (see
``ControlPoint``) and sends the plan's ECG and ACC frames once the central has started each stream (and,
with ``start_delay_s``, only that long after each start, as an H10 may). With ``late_hr_s`` its Heart Rate
service is registered that long after the first connection (a half-read strap).
The plan lists notifications (hex payloads) and the interval between them, and optional outages
``[start_index, seconds, kind]`` before notification ``start_index``: ``drop`` (the link drops and the
strap stays known to the central's stack), ``removed`` (the stack forgets the strap, which is silent for
``seconds`` and then advertises again), ``power`` (the central's adapter is off for ``seconds``),
``silent`` (the link stays up but the strap stops notifying, heart rate and raw frames, until a central
subscribes afresh; ``seconds`` is ignored; ``after_s`` counts from its last notification) or ``raw_silent``
(an H10's raw frames stop, its heart rate goes on, until the central subscribes to them afresh). The
notifications due meanwhile are sent after the outage.
Every notification actually sent while a central listened is logged with its send time, and each outage's
``gone``, ``advertising`` and ``resubscribed``.

``--time-scale N`` runs the strap's timeline N times faster than the wall clock: the plan's intervals,
frame times and outages are in strap seconds and pass in 1/N of the time, through the same code path (a
120 s absence takes 12 s at N = 10). Logged ``t`` values are on the strap's timeline; the reconnect
latencies (``after_gone_s``, ``after_s``) are wall seconds, since the radio and the stacks do not speed up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method

HRS = "0000180d-0000-1000-8000-00805f9b34fb"
HRM = "00002a37-0000-1000-8000-00805f9b34fb"
BSL = "00002a38-0000-1000-8000-00805f9b34fb"
BAS = "0000180f-0000-1000-8000-00805f9b34fb"
BAT = "00002a19-0000-1000-8000-00805f9b34fb"
PMD = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CP = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"
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


class ControlPoint(Characteristic):
    """Polar's PMD control point, as an H10 answers it: features on read; get-settings, start and stop
    answered by indication (``F0 <op> <type> <status> <more> <params>``)."""

    def __init__(self, service_path: str, settings: dict[int, bytes]) -> None:
        super().__init__(PMD_CP, service_path, ["read", "write", "indicate"], bytes((0x0F, 0x05)))
        self.settings = settings  # type -> the get-settings parameters
        self.started: dict[int, float] = {}  # type -> when it was started (monotonic)
        self.requests: list[str] = []
        self.older = False  # answer get-settings as an older control point does ("invalid op code")

    @method()
    def ReadValue(self, options: "a{sv}") -> ay:  # noqa: F821, N802
        return bytes((0x0F, 0x05))

    @method()
    def WriteValue(self, value: ay, options: "a{sv}"):  # noqa: F821, N802
        op, mtype = value[0], value[1] if len(value) > 1 else 0xFF
        self.requests.append(bytes(value).hex())
        if mtype not in self.settings:
            answer = bytes((0xF0, op, mtype, 2, 0))  # invalid measurement type
        elif op == 0x01 and self.older:  # an older control point: starts streams, will not list settings
            answer = bytes((0xF0, op, mtype, 1, 0))
        elif op == 0x01:
            answer = bytes((0xF0, op, mtype, 0, 0)) + self.settings[mtype]
        elif op == 0x02:
            status = 6 if mtype in self.started else 0  # already in state
            self.started.setdefault(mtype, time.monotonic())
            answer = bytes((0xF0, op, mtype, status, 0))
        elif op == 0x03:
            self.started.pop(mtype, None)
            answer = bytes((0xF0, op, mtype, 0, 0))
        else:
            answer = bytes((0xF0, op, mtype, 1, 0))
        asyncio.get_running_loop().call_soon(self.notify, answer)


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


async def call_bus(bus: MessageBus, member: str, sig: str, body: list):
    reply = await bus.call(Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                                   interface="org.freedesktop.DBus", member=member, signature=sig, body=body))
    if reply.message_type == MessageType.ERROR:
        raise RuntimeError(f"{member}: {reply.error_name} {reply.body}")
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
    ap.add_argument("--time-scale", type=float, default=1.0, help="strap seconds per wall second")
    ns = ap.parse_args()
    scale = ns.time_scale
    t_wall0 = time.monotonic()

    def now() -> float:
        """Seconds on the strap's timeline (N times the wall clock)."""
        return (time.monotonic() - t_wall0) * scale

    async def sleep(strap_s: float) -> None:
        await asyncio.sleep(max(0.0, strap_s) / scale)
    plan = json.load(open(ns.plan))
    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    svc = Service(HRS)
    hrm = Characteristic(HRM, f"{APP}/service0", ["notify"])
    bsl = Characteristic(BSL, f"{APP}/service0", ["read"], bytes([1]))
    bas = Service(BAS)
    bat = Characteristic(BAT, f"{APP}/service1", ["read"], bytes([plan.get("battery", 77)]))
    objects = {f"{APP}/service0": svc, f"{APP}/service0/char0": hrm, f"{APP}/service0/char1": bsl,
               f"{APP}/service1": bas, f"{APP}/service1/char0": bat}
    pmd_plan = plan.get("pmd")
    cp = data = None
    if pmd_plan:  # an H10: Polar's Measurement Data service with its control point and data characteristic
        cp = ControlPoint(f"{APP}/service2", {int(k): bytes.fromhex(v) for k, v in pmd_plan["settings"].items()})
        cp.older = pmd_plan.get("variant") == "older"
        data = Characteristic(PMD_DATA, f"{APP}/service2", ["notify"])
        objects.update({f"{APP}/service2": Service(PMD), f"{APP}/service2/char0": cp,
                        f"{APP}/service2/char1": data})
    late_hr_s = plan.get("late_hr_s")  # a half-read strap: its Heart Rate service appears this long after the
    hr_objects = {p: o for p, o in objects.items() if p.startswith(f"{APP}/service0")}  # first connection
    for path, iface in objects.items():
        if late_hr_s is None or path not in hr_objects:
            bus.export(path, iface)
    manager = ObjectManager({p: o for p, o in objects.items() if p not in hr_objects} if late_hr_s is not None
                            else objects)
    bus.export(APP, manager)
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
    outages = {int(o[0]): (float(o[1]), str(o[2]) if len(o) > 2 else "drop") for o in plan.get("outages", [])}

    def mark(event: str, **kw: object) -> None:
        log.write(json.dumps({"event": event, "t": now(), **kw}) + "\n")
        log.flush()

    async def advertise(on: bool) -> None:
        member = "RegisterAdvertisement" if on else "UnregisterAdvertisement"
        await call(bus, adapter, "org.bluez.LEAdvertisingManager1", member, "oa{sv}" if on else "o",
                   [ADV, {}] if on else [ADV])

    async def central(prop: str, value: bool) -> None:
        await call(bus, f"/org/bluez/{ns.central}", "org.freedesktop.DBus.Properties", "Set", "ssv",
                   ["org.bluez.Adapter1", prop, Variant("b", value)])

    async def forget(devices: list[str]) -> None:
        """The central's stack removes the strap's device object. BlueZoo disconnects before it removes, and a
        central quick enough can connect again in between (a race real BlueZ does not have): remove until
        the object stays gone."""
        for _ in range(50):
            for dev in devices:
                await call(bus, f"/org/bluez/{ns.central}", "org.bluez.Adapter1", "RemoveDevice", "o", [dev])
            await asyncio.sleep(0.3)
            devices = await central_devices(bus, ns.central)
            if not devices:
                break
        hrm.notifying = False

    async def register_anew() -> None:
        # fresh handles for every object: BlueZoo cannot export a connection's GATT objects twice, so a central
        # that connects again needs a fresh registration (real BlueZ has no such limit)
        await call(bus, adapter, "org.bluez.GattManager1", "UnregisterApplication", "o", [APP])
        await call(bus, adapter, "org.bluez.GattManager1", "RegisterApplication", "oa{sv}", [APP, {}])

    async def complete_services(connections: asyncio.Queue) -> None:
        """The Heart Rate service registered ``late_hr_s`` after the first connection (a strap still resolving
        its GATT table, or one the central's stack cached before it changed): a connection before then finds
        no 0x2A37."""
        done_t = None
        while True:
            try:
                connected = await asyncio.wait_for(connections.get(),
                                                   None if done_t is None else max(0.0, done_t - time.monotonic()))
            except asyncio.TimeoutError:
                manager._objects = objects
                for path, iface in hr_objects.items():
                    bus.export(path, iface)
                await register_anew()
                mark("services_complete")
                done_t = math.inf
                continue
            if connected and done_t is None and late_hr_s is not None:
                mark("first_connection")
                done_t = time.monotonic() + late_hr_s
            elif not connected:
                await register_anew()

    late_task = None
    raw_silent = any(kind == "raw_silent" for _, kind in outages.values())
    if late_hr_s is not None or raw_silent:  # re-register at each disconnect (see register_anew)
        connections: asyncio.Queue = asyncio.Queue()

        def on_message(msg: Message) -> None:
            if (msg.message_type == MessageType.SIGNAL and msg.member == "PropertiesChanged"
                    and msg.path.startswith(f"/org/bluez/{ns.central}/dev_") and msg.body[0] == "org.bluez.Device1"
                    and "Connected" in msg.body[1]):
                connections.put_nowait(bool(msg.body[1]["Connected"].value))

        bus.add_message_handler(on_message)
        await call_bus(bus, "AddMatch", "s", ["type='signal',sender='org.bluez',member='PropertiesChanged',"
                                              "arg0='org.bluez.Device1'"])
        late_task = asyncio.ensure_future(complete_services(connections))
        late_task.add_done_callback(lambda t: t.cancelled() or t.exception() is None
                                    or mark("error", what=repr(t.exception())))
    # wait for a central to subscribe
    t_end = time.monotonic() + 60
    while not hrm.notifying and time.monotonic() < t_end:
        await asyncio.sleep(0.05)
    await asyncio.sleep(plan.get("settle_s", 0.5))
    t_start = now()
    mark("start")

    async def send_frames() -> None:
        """Each stream's frames once the central started it, at their time on the strap's timeline."""
        frames = sorted([(float(t), int(k), h) for k, lst in pmd_plan["frames"].items() for t, h in lst])
        for t_due, mtype, hexstr in frames:
            await sleep(t_start + t_due - now())
            # an H10 may take its time (up to 30 s, strap seconds) after each start command before its first frame
            if (mtype in cp.started and data.notifying
                    and time.monotonic() >= cp.started[mtype] + pmd_plan.get("start_delay_s", 0.0) / scale):
                data.notify(bytes.fromhex(hexstr))
                last_frame[0] = time.monotonic()
                mark("frame", type=mtype, t_due=t_due, hex=hexstr)

    frame_task = asyncio.ensure_future(send_frames()) if pmd_plan else None
    last_frame = [time.monotonic()]
    raw_wait = None

    async def raw_back() -> None:
        t0 = last_frame[0]  # the raw silence began with the last frame sent
        while not data.notifying and time.monotonic() < t0 + 60:
            await asyncio.sleep(0.02)
        mark("resubscribed", after_s=time.monotonic() - t0, ok=data.notifying)

    t_next = t_start
    t_last_sent = time.monotonic()
    for i, hexstr in enumerate(plan["notifications"]):
        if i in outages and outages[i][1] == "raw_silent":
            # the raw streams stop (heart rate goes on) until the central subscribes to them afresh
            data.notifying = False
            mark("gone", kind="raw_silent")
            raw_wait = asyncio.ensure_future(raw_back())
        elif i in outages:
            seconds, kind = outages[i]
            # BlueZoo never unexports a connection's GATT objects (exporting them again fails), so the
            # application is registered anew in every kind of outage: fresh handles and object paths, as a
            # strap with changed firmware or a stale GATT cache looks to the central.
            await call(bus, adapter, "org.bluez.GattManager1", "UnregisterApplication", "o", [APP])
            await call(bus, adapter, "org.bluez.GattManager1", "RegisterApplication", "oa{sv}", [APP, {}])
            hrm.notifying = False
            if data is not None:
                data.notifying = False
            devices = await central_devices(bus, ns.central)
            if kind == "silent":
                # the link stays up, the strap stops notifying (the old subscription's objects are dead with
                # the old registration) until a central subscribes afresh to the new one
                pass
            elif kind == "drop":
                # the link drops (interference, a strap briefly out of reach) and nothing reaches the central
                # for a while; the strap stays known to the central's stack, as on real BlueZ. BlueZoo's
                # Connect ignores reachability, so the central may reconnect at once: the notifications
                # due meanwhile are lost all the same (they are sent after the outage)
                for dev in devices:
                    await call(bus, dev, "org.bluez.Device1", "Disconnect")
            elif kind == "removed":
                # out of range long enough that the central's stack forgets the strap: the device object is
                # removed (which drops the link) and the strap is silent; it is found again only by
                # advertising again, which a central hears only while it scans
                await advertise(False)
                await forget(devices)
            elif kind == "power":
                # the central's adapter is turned off (the link drops, the stack forgets unpaired devices,
                # discovery stops) and on again; while it is off it hears no advertisement
                await advertise(False)
                await central("Powered", False)
                await forget(devices)
            else:
                raise SystemExit(f"unknown outage kind {kind}")
            mark("gone", kind=kind)
            t_gone, t_gone_wall = now(), time.monotonic()
            if kind not in ("drop", "silent"):
                await sleep(seconds)  # silent: the notifications due now are lost
                if kind == "power":
                    await central("Powered", True)
                await advertise(True)
            t_adv = time.monotonic()
            mark("advertising", after_gone_s=t_adv - t_gone_wall)
            if kind == "silent":
                t_adv = t_last_sent  # the silence began with the last notification sent
            while not hrm.notifying and time.monotonic() < t_adv + 60:
                await asyncio.sleep(0.02)
            # a silent link: from the silence to the fresh subscription (nothing was taken away to come back)
            mark("resubscribed", after_s=time.monotonic() - t_adv, ok=hrm.notifying)
            if kind == "drop":
                await sleep(t_gone + seconds - now())  # what is due now is lost
            mark("back")
            t_next = now()
        times = plan.get("times_s")  # each notification's time on the strap's timeline, when given
        if times:
            await sleep(t_start + times[i] - now())
        if hrm.notifying:
            hrm.notify(bytes.fromhex(hexstr))
            t_last_sent = time.monotonic()
            mark("sent", i=i, hex=hexstr)
        if not times:  # the next one this long after this one was due (a late send does not shift the rest)
            delays = plan.get("delays_s")
            t_next += delays[i] if delays else plan.get("interval_s", 0.2)
            await sleep(t_next - now())
    if late_task is not None:
        late_task.cancel()
    if raw_wait is not None:
        await raw_wait
    if frame_task is not None:
        await frame_task
        mark("pmd_requests", requests=cp.requests)
    mark("done")
    log.close()
    await asyncio.sleep(plan.get("linger_s", 1.0))


if __name__ == "__main__":
    asyncio.run(main())
