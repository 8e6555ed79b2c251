import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vagal_coach.sensors.hrm import RR_UNIT_MS, Contact, HrmParseError, encode_hrm, parse_hrm

VECTORS = [  # captured notifications (shared domain reference)
    ("063C", 60, [], Contact.CONTACT),
    ("163C1104", 60, [1016.6], Contact.CONTACT),
    ("163CF503", 60, [989.3], Contact.CONTACT),
    ("164D1603", 77, [771.5], Contact.CONTACT),
    ("16485401EC02", 72, [332.03125, 730.46875], Contact.CONTACT),
    ("167708020802", 119, [507.8, 507.8], Contact.CONTACT),
    ("1678FF01FF010C01", 120, [499.0, 499.0, 261.7], Contact.CONTACT),
    ("10382D043500", 56, [1043.9, 51.8], Contact.UNSUPPORTED),
    ("1054AA029902", 84, [666.0, 649.4], Contact.UNSUPPORTED),
]


@pytest.mark.parametrize("hexstr,hr,rr,contact", VECTORS)
def test_captured_vectors(hexstr, hr, rr, contact):
    m = parse_hrm(bytes.fromhex(hexstr))
    assert m.hr_bpm == hr and m.contact == contact and not m.issues
    assert np.allclose(m.rr_ms, rr, atol=0.05)


def test_every_flag_combination_roundtrips():
    for wide in (False, True):
        for contact in Contact:
            for energy in (None, 1234):
                for n_rr in range(0, 10):
                    rr = [600.0 + 37 * k for k in range(n_rr)]
                    raw = encode_hrm(300 if wide else 72, rr, contact, energy, uint16=wide)
                    m = parse_hrm(raw)
                    assert m.hr_bpm == (300 if wide else 72)
                    assert m.contact == contact and m.energy_j == energy
                    assert np.allclose(m.rr_ms, rr, atol=RR_UNIT_MS / 2)


def test_contact_bit_patterns():
    assert parse_hrm(bytes([0x00, 60])).contact == Contact.UNSUPPORTED
    assert parse_hrm(bytes([0x02, 60])).contact == Contact.UNSUPPORTED  # bit 1 alone: not supported
    assert parse_hrm(bytes([0x04, 60])).contact == Contact.NO_CONTACT
    assert parse_hrm(bytes([0x06, 60])).contact == Contact.CONTACT


@pytest.mark.parametrize("raw,match", [(b"", "empty"), (b"\x01\x3c", "uint16"), (b"\x00", "heart rate"),
                                       (b"\x08\x3c\x01", "energy")])
def test_too_short_is_a_typed_error(raw, match):
    with pytest.raises(HrmParseError, match=match):
        parse_hrm(raw)


def test_recoverable_oddities_are_flagged():
    m = parse_hrm(bytes.fromhex("163C110401"))
    assert m.rr_ms and "odd trailing byte" in m.issues
    assert "reserved bits set" in parse_hrm(bytes([0xE6, 60])).issues
    assert "RR flag set without RR values" in parse_hrm(bytes([0x16, 60])).issues


@settings(max_examples=3000, deadline=None)
@given(st.binary(max_size=40))
def test_random_payloads_never_crash(data):
    try:
        m = parse_hrm(data)
    except HrmParseError:
        return
    assert 0 <= m.hr_bpm <= 65535 and all(0 <= r < 65536 for r in m.rr_ms)


def test_100k_random_payloads():
    """The >= 100k random payloads of the issue, generated with numpy so the run stays short."""
    rng = np.random.default_rng(7)
    lengths = rng.integers(0, 24, 100_000)
    blob = rng.integers(0, 256, int(lengths.sum()), dtype=np.uint8).tobytes()
    pos = np.concatenate(([0], np.cumsum(lengths)))
    ok = errors = 0
    for a, b in zip(pos[:-1], pos[1:]):
        try:
            parse_hrm(blob[a:b])
            ok += 1
        except HrmParseError:
            errors += 1
    assert ok + errors == 100_000 and ok > 80_000
