"""The trainer window (PySide6 + pyqtgraph): a thin face over vagal_coach.session."""
