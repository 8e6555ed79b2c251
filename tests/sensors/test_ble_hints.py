"""What the link layer says of an address in another OS's form."""

from __future__ import annotations


def test_address_hints_per_os() -> None:
    from vagal_coach.sensors.ble import address_hint

    mac, uuid = "A0:9E:1A:12:34:56", "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
    assert "macOS names straps by a UUID" in address_hint(mac, "darwin") and address_hint(uuid, "darwin") == ""
    assert "macOS-style UUID" in address_hint(uuid, "linux") and address_hint(mac, "win32") == ""
