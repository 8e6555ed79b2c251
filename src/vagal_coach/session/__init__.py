"""Where time lives: beat clock, recorder, live engine, pacer."""
