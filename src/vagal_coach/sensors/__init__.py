"""Everything that comes from a device: the Heart Rate Measurement parser, beat sources."""
