"""Device wire formats as pure bytes -> values (no Bluetooth, no files): below ``io`` (which decodes
recorded frames) and ``sensors`` (which talks to the devices)."""
