"""The recording's types moved to :mod:`vagal_coach.model` (below ``io``); this name stays for code that
still imports them from here."""

from vagal_coach.model import *  # noqa: F403
from vagal_coach.model import __all__  # noqa: F401
