"""The doctor's pure parts: the OS's permission hints, rfkill read from sysfs, and what a bundle hides."""

from __future__ import annotations

import json

import pytest

from vagal_coach.sensors import doctor


@pytest.mark.parametrize("platform,words", [
    ("darwin", ("Bluetooth permission", "Privacy & Security > Bluetooth", "UUID")),
    ("win32", ("Bluetooth must be on", "do not pair")),
    ("linux", ()),
])
def test_os_hints(monkeypatch, platform, words):
    monkeypatch.setattr(doctor.sys, "platform", platform)
    text = " ".join(c.detail + " " + c.hint for c in doctor.os_hints())
    assert all(w in text for w in words) and (bool(text.strip()) == bool(words))


def test_rfkill_from_sysfs(tmp_path):
    for k, (kind, name, soft, hard) in enumerate([("bluetooth", "hci0", "1", "0"), ("wlan", "phy0", "1", "1"),
                                                  ("bluetooth", "hci1", "0", "0")]):
        d = tmp_path / f"rfkill{k}"
        d.mkdir()
        for f, v in (("type", kind), ("name", name), ("soft", soft), ("hard", hard)):
            (d / f).write_text(v + "\n")
    assert doctor._rfkill(tmp_path) == [{"name": "hci0", "soft": True, "hard": False},
                                        {"name": "hci1", "soft": False, "hard": False}]


def test_a_bundle_hides_addresses_and_device_ids_but_not_gatt_uuids():
    mac, uuid = "A0:9E:1A:12:34:56", "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
    checks = [doctor.Check("scan", True, f"Polar H10 8E2B1F2C ({mac}); Polar Sense ({uuid})",
                           data={"services": ["0000180d-0000-1000-8000-00805f9b34fb",
                                              "fb005c80-02e7-f387-1cad-8acd2d8df0c8"]})]
    sessions = [{"events": [{"type": "link", "detail": f"/org/bluez/hci0/dev_{mac.replace(':', '_')}"}]}]
    text = json.dumps(doctor.bundle(checks, sessions))
    for secret in (mac, uuid, "8E2B1F2C", mac.replace(":", "_")):
        assert secret not in text
    assert doctor.hash_address(mac) in text and doctor.hash_address(uuid) in text
    assert "0000180d-0000-1000-8000-00805f9b34fb" in text and "fb005c80-02e7-f387-1cad-8acd2d8df0c8" in text
    assert text.count(doctor.hash_address(mac)) == 2  # the same strap, the same hash, wherever it appears
