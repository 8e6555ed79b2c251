"""What "fits" means, checked on real widgets: every visible widget lies inside its parent (so inside the
window, which fits the screen), scroll areas aside (their content is reached by scrolling); no label, button
or plot title is cut."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QLabel,
    QPushButton,
    QWidget,
)


def _in_scroll_content(w: QWidget) -> bool:
    p = w.parentWidget()
    return p is not None and isinstance(p.parentWidget(), QAbstractScrollArea) and p is p.parentWidget().viewport()


def _text_cut(w: QWidget) -> str | None:
    if isinstance(w, QLabel):
        text = w.text()
        if not text or w.textFormat() == 1 or "<" in text:  # rich text: laid out by Qt's document
            return None
        cr = w.contentsRect()
        if w.wordWrap():
            need = w.heightForWidth(w.width())
            if need > w.height() + 1:
                return f"label {text[:40]!r} needs {need} px of height, has {w.height()}"
            return None
        fm = w.fontMetrics()
        widest = max(fm.horizontalAdvance(line) for line in text.split("\n"))
        if widest > cr.width() + 1:
            return f"label {text[:40]!r} needs {widest} px, has {cr.width()}"
    elif isinstance(w, (QPushButton, QCheckBox)) and w.text():
        need = w.minimumSizeHint()
        if need.width() > w.width() + 1 or need.height() > w.height() + 1:
            return f"{type(w).__name__} {w.text()!r} needs {need.width()}x{need.height()}, has {w.width()}x{w.height()}"
    return None


def _plot_cuts(win: QWidget) -> list[str]:
    import pyqtgraph as pg

    out = []
    for v in win.findChildren(pg.PlotWidget):
        if not v.isVisibleTo(win):
            continue
        item = v.getPlotItem()
        tw = item.titleLabel.item.boundingRect().width() if item.titleLabel.isVisible() else 0.0
        if tw > v.width():
            out.append(f"plot title {item.titleLabel.text!r} needs {tw:.0f} px, has {v.width()}")
        lg = item.legend
        if lg is not None and lg.isVisible() and lg.items and lg.boundingRect().width() > v.width():
            out.append(f"legend of {item.titleLabel.text!r} needs {lg.boundingRect().width():.0f}, has {v.width()}")
    return out


def layout_problems(win: QWidget, screen: QRect) -> list[str]:
    """Everything that does not fit in ``win`` shown within ``screen`` (an empty list when all is well)."""
    QApplication.processEvents()
    out = []
    if win.width() > screen.width() or win.height() > screen.height():
        out.append(f"window {win.width()}x{win.height()} larger than the screen {screen.width()}x{screen.height()}")
    ms = win.minimumSizeHint()
    if ms.width() > screen.width() or ms.height() > screen.height():
        out.append(f"window's least size {ms.width()}x{ms.height()} larger than the screen")
    for w in win.findChildren(QWidget):
        if w.isWindow() or not w.isVisibleTo(win):
            continue
        parent = w.parentWidget()
        if parent is not None and not _in_scroll_content(w) and not isinstance(parent, QAbstractScrollArea):
            r = w.geometry()
            if not parent.rect().contains(r) and r.width() > 0 and r.height() > 0:
                out.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r:.40} at {r} outside its "
                           f"{type(parent).__name__} {parent.rect()}")
        cut = _text_cut(w) if not isinstance(w, QAbstractButton) or w.isVisibleTo(win) else None
        if cut:
            out.append(cut)
    out += _plot_cuts(win)
    top_left = win.mapToGlobal(QPoint(0, 0)) if win.isVisible() else QPoint(0, 0)
    del top_left
    return out
