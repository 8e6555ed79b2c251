"""The PMD wire format moved below ``io`` to :mod:`vagal_coach.wire.pmd` (pure bytes -> frames); this name
stays for code that still imports it from here."""

from vagal_coach.wire.pmd import *  # noqa: F403
from vagal_coach.wire.pmd import _FIELD_SIZE  # noqa: F401
