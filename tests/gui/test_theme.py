"""Both themes draw every widget kind in their colours, with text at a contrast of at least 4.5:1 (WCAG AA)
against the background the widget is actually painted with."""

from __future__ import annotations

from collections import Counter

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QPalette  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMenuBar,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollBar,
    QSlider,
    QTabBar,
    QTableWidget,
    QTextEdit,
    QWidget,
)

from vagal_coach.gui.theme import THEMES, apply_to_app, contrast, text_pairs  # noqa: E402


def _hex(c) -> str:
    return c.name()[:7]


def _painted_background(w: QWidget) -> str:
    """The colour most of the widget is painted with."""
    img = w.grab().toImage()
    assert img.width() > 0 and img.height() > 0, f"{type(w).__name__} painted nothing"
    step = max(1, min(img.width(), img.height()) // 24)
    counts = Counter(_hex(img.pixelColor(x, y)) for x in range(0, img.width(), step)
                     for y in range(0, img.height(), step))
    return counts.most_common(1)[0][0]


def _kinds():
    """(name, widget, text colour role) for every widget kind the app shows."""
    def combo():
        c = QComboBox()
        c.addItems(["Free practice", "Guided: soothing rhythm"])
        return c

    def table():
        t = QTableWidget(3, 2)
        t.setHorizontalHeaderLabels(["date", "RMSSD"])
        return t

    def menu():
        m = QMenu()
        m.addAction("Larger text")
        m.addAction("Smaller text")
        return m

    def bar():
        b = QMenuBar()
        b.addMenu("View")
        return b

    def tabs():
        t = QTabBar()
        t.addTab("Session")
        t.addTab("Breathing pacer")
        return t

    def primary():
        b = QPushButton("Start")
        b.setObjectName("primary")
        return b

    def file_dialog():
        d = QFileDialog()
        d.setOption(QFileDialog.DontUseNativeDialog, True)
        return d

    keep = []

    def popup():
        c = combo()
        keep.append(c)  # the popup lives as long as its combo box
        c.show()
        c.showPopup()  # drawn as the user sees it, open
        return c.view()

    def caption():
        lab = QLabel("heart rate (bpm)")
        lab.setObjectName("bigunit")
        return lab

    def warn():
        lab = QLabel("SIMULATED STRAP")
        lab.setObjectName("simulated")
        return lab

    def disabled():
        b = QPushButton("Stop")
        b.setEnabled(False)
        return b

    text = QPalette.Text
    wtext = QPalette.WindowText
    btext = QPalette.ButtonText
    return [("label", lambda: QLabel("RMSSD"), wtext), ("caption", caption, wtext), ("warning", warn, wtext),
            ("button", lambda: QPushButton("Marker (M)"), btext), ("primary button", primary, btext),
            ("disabled button", disabled, btext), ("check box", lambda: QCheckBox("hide the pacer"), wtext),
            ("combo box", combo, btext), ("combo popup", popup, text), ("spin box", QDoubleSpinBox, text),
            ("line edit", lambda: QLineEdit("ana"), text), ("text box", lambda: QTextEdit("note"), text),
            ("plain text box", lambda: QPlainTextEdit("note"), text), ("list", lambda: QListWidget(), text),
            ("table", table, text), ("menu", menu, text), ("menu bar", bar, btext), ("tab bar", tabs, btext),
            ("group box", lambda: QGroupBox("Strap"), wtext), ("dialog", QDialog, wtext),
            ("message box", QMessageBox, wtext), ("file dialog", file_dialog, wtext),
            ("input dialog", QInputDialog, wtext), ("horizontal scroll bar", lambda: _scroll(1), None),
            ("vertical scroll bar", lambda: _scroll(2), None), ("slider", lambda: _slider(), None)]


def _scroll(o):
    from PySide6.QtCore import Qt

    s = QScrollBar(Qt.Horizontal if o == 1 else Qt.Vertical)
    s.resize(200, 14) if o == 1 else s.resize(14, 200)
    return s


def _slider():
    from PySide6.QtCore import Qt

    return QSlider(Qt.Horizontal)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_theme_colour_pairs_reach_wcag_aa(name):
    t = THEMES[name]
    low = {k: round(contrast(a, b), 2) for k, (a, b) in text_pairs(t).items() if contrast(a, b) < 4.5}
    assert low == {}


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_widget_kind_is_drawn_in_the_theme_with_readable_text(qapp, name):
    t = THEMES[name]
    apply_to_app(t, 1.0)
    bad = {}
    light_bg = contrast("#ffffff", t.background) < 1.5  # the light theme: its own light background
    try:
        for kind, make, role in _kinds():
            w = make()
            if kind != "combo popup":
                w.resize(max(w.sizeHint().width(), 120), max(w.sizeHint().height(), 30))
            w.ensurePolished()
            shown = w
            if kind in ("label", "caption", "warning", "check box"):  # transparent: on the window's background
                from PySide6.QtWidgets import QVBoxLayout

                shown = QWidget()
                shown.setObjectName("central")
                QVBoxLayout(shown).addWidget(w)
                shown.ensurePolished()
            bg = _painted_background(shown)
            # nothing is left in the platform's default white or grey: each kind is on a theme colour (the
            # primary button is on the theme's accent, on purpose)
            if not light_bg and kind != "primary button" and contrast(bg, t.background) > 3.0:
                bad[kind] = f"painted {bg} on a {name} theme"
            if role is not None:
                fg = _hex(w.palette().color(QPalette.Disabled if not w.isEnabled() else QPalette.Active, role))
                if contrast(fg, bg) < 4.5:
                    bad[kind] = f"text {fg} on {bg}: {contrast(fg, bg):.2f}"
            shown.deleteLater()
    finally:
        apply_to_app(THEMES["dark"], 1.0)
    assert bad == {}


def test_tooltips_take_the_theme(qapp):
    from PySide6.QtWidgets import QApplication

    for t in THEMES.values():
        apply_to_app(t, 1.0)
        sheet = QApplication.instance().styleSheet()
        assert f"QToolTip {{ background: {t.panel}; color: {t.text};" in sheet
        assert contrast(t.text, t.panel) >= 4.5
        pal = QApplication.instance().palette()
        assert _hex(pal.color(QPalette.ToolTipBase)) == t.panel.lower()
        assert _hex(pal.color(QPalette.ToolTipText)) == t.text.lower()
    apply_to_app(THEMES["dark"], 1.0)


def _drawn_colour(label) -> str:
    import re

    found = re.findall(r"color:\s*(#[0-9a-fA-F]{6})", label.item.toHtml())
    assert found, label.item.toHtml()
    return found[-1]


def test_plot_titles_legends_and_axes_take_the_theme(qtbot):
    from vagal_coach.gui.plots import LivePlots

    p = LivePlots(THEMES["dark"])
    qtbot.addWidget(p)
    p._list_chest()  # a label added in one theme, then the theme changes
    p.set_baseline(30.0)
    for name in ("light", "dark"):
        t = THEMES[name]
        p.set_theme(t, 1.15)
        for legend in p.legends:
            for _s, label in legend.items:
                fg = _drawn_colour(label)  # as drawn, not only as set
                assert contrast(fg, t.panel) >= 4.5, (name, label.text, fg)
        for item in (p.p_hr, p.p_tone, p.p_res, p.p_psd):
            assert contrast(_drawn_colour(item.titleLabel), t.panel) >= 4.5
            assert contrast(item.getAxis("left").textPen().color().name(), t.panel) >= 4.5
