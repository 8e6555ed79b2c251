"""vagal-coach: HRV biofeedback breathing trainer for soothing rhythm breathing.

It supports practice; it is not a medical device and makes no diagnostic claims.
"""

__version__ = "0.1.0"
