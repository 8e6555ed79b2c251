"""Guard against the PySide6 6.12.0 bug: QPainter.setPen(QPen) decremented None's refcount at every
call, so any window that paints for a few minutes aborted ("deallocating None")."""

import sys

import pytest

pytest.importorskip("PySide6")


def test_qpainter_calls_keep_none_alive(qapp):
    from PySide6.QtGui import QColor, QImage, QPainter, QPen

    img = QImage(64, 64, QImage.Format_ARGB32)
    p = QPainter(img)
    before = sys.getrefcount(None)
    for _ in range(5000):
        p.setPen(QPen(QColor("#ff0000"), 2))
        p.setBrush(QColor("#00ff00"))
        p.drawEllipse(10, 10, 20, 20)
    after = sys.getrefcount(None)
    p.end()
    assert after >= before - 50, f"None lost {before - after} references: this PySide6 build is broken"
