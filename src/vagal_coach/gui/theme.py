"""Colours and sizes: dark and light themes, a colour-blind-safe palette (Okabe-Ito), text size steps.

One stylesheet and one palette per theme, applied to the whole application, so every widget kind (drop-down
popups, dialogs, scroll bars, text boxes, tooltips, menus) is drawn in the theme; every text colour on its
background has a contrast of at least 4.5:1 (WCAG AA), which ``tests/gui/test_theme.py`` holds.
"""

from __future__ import annotations

from dataclasses import dataclass

OKABE_ITO = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
             "sky": "#56B4E9", "yellow": "#F0E442", "purple": "#CC79A7", "grey": "#999999"}

#: the text size steps (Ctrl++ / Ctrl+-): the default is 1.0
TEXT_STEPS = (0.85, 1.0, 1.15, 1.3, 1.5)
BASE_PX = 13


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    panel: str
    text: str
    muted: str
    pacer_fill: str
    pacer_edge: str
    hr: str
    breath: str
    rmssd: str
    resonance: str
    band: str
    warning: str
    chest: str = OKABE_ITO["purple"]  # the breath the chest accelerometer sees (a line over the pacer's fill)
    accent: str = "#0b5f8a"  # the next action (Start): background of the primary button
    accent_text: str = "#ffffff"
    selection: str = "#2a6f97"
    selection_text: str = "#ffffff"
    disabled: str = "#7d8693"  # disabled text: still legible, not a figure to read


DARK = Theme("dark", "#14181f", "#1c222b", "#e8ecf1", "#9aa4b2", "#2a6f97", "#56B4E9", OKABE_ITO["orange"],
             "#56B4E966", OKABE_ITO["green"], OKABE_ITO["sky"], "#E69F0033", "#f08a4b",
             accent="#1f7ab0", selection="#2a6f97", disabled="#8a94a3")
LIGHT = Theme("light", "#f6f7f9", "#ffffff", "#1d232b", "#5d6673", "#9cc9e6", "#0072B2", OKABE_ITO["vermillion"],
              "#0072B255", OKABE_ITO["green"], OKABE_ITO["blue"], "#E69F0033", "#b34700",
              accent="#005a8c", selection="#cfe5f4", selection_text="#1d232b", disabled="#636b77")
THEMES = {"dark": DARK, "light": LIGHT}


def text_step(scale: float, delta: int) -> float:
    """The text size ``delta`` steps from ``scale`` (the nearest step first), within the steps."""
    i = min(range(len(TEXT_STEPS)), key=lambda k: abs(TEXT_STEPS[k] - scale))
    return TEXT_STEPS[max(0, min(len(TEXT_STEPS) - 1, i + delta))]


def px(scale: float, factor: float = 1.0) -> int:
    return int(round(BASE_PX * scale * factor))


def _luminance(c: str) -> float:
    c = c.lstrip("#")[:6]
    rgb = [int(c[i:i + 2], 16) / 255.0 for i in (0, 2, 4)]
    lin = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two opaque colours ("#rrggbb")."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_pairs(t: Theme) -> dict[str, tuple[str, str]]:
    """Every (text, background) pair the stylesheet uses, by what it is for."""
    return {"text on window": (t.text, t.background), "text on panel": (t.text, t.panel),
            "caption on window": (t.muted, t.background), "caption on panel": (t.muted, t.panel),
            "warning on panel": (t.warning, t.panel), "warning on window": (t.warning, t.background),
            "primary button": (t.accent_text, t.accent), "selection": (t.selection_text, t.selection),
            "disabled on panel": (t.disabled, t.panel), "disabled on window": (t.disabled, t.background)}


def stylesheet(t: Theme, scale: float = 1.0) -> str:
    base = px(scale)
    return f"""
    QMainWindow, QDialog, QMessageBox, QFileDialog, QInputDialog, QSplitter, QScrollArea, QStackedWidget,
    QWidget#central, QWidget#scrollcontent {{ background: {t.background}; color: {t.text}; }}
    QWidget {{ color: {t.text}; font-size: {base}px; }}
    QWidget:disabled {{ color: {t.disabled}; }}
    QLabel, QCheckBox, QRadioButton {{ background: transparent; }}
    QCheckBox::indicator {{ width: {base}px; height: {base}px; border: 1px solid {t.muted}; border-radius: 3px;
                            background: {t.panel}; }}
    QCheckBox::indicator:checked {{ background: {t.pacer_edge}; }}
    QComboBox, QAbstractSpinBox, QLineEdit, QTextEdit, QPlainTextEdit, QListView, QListWidget, QTreeView,
    QTableView, QTableWidget {{ background: {t.panel}; color: {t.text}; border: 1px solid {t.muted};
                               border-radius: 4px; selection-background-color: {t.selection};
                               selection-color: {t.selection_text}; }}
    QComboBox, QAbstractSpinBox, QLineEdit {{ padding: 2px 6px; }}
    QComboBox QAbstractItemView {{ background: {t.panel}; color: {t.text}; border: 1px solid {t.muted};
                                   selection-background-color: {t.selection}; selection-color: {t.selection_text}; }}
    QGroupBox, QFrame#panel {{ background: {t.panel}; border-radius: 8px; }}
    QGroupBox {{ margin-top: {base + 2}px; padding: 6px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 8px; color: {t.muted}; }}
    QLabel#big {{ font-size: {px(scale, 2.1)}px; font-weight: 600; }}
    QLabel#bigunit, QLabel#caption {{ color: {t.muted}; }}
    QLabel#provisional {{ color: {t.muted}; font-size: {px(scale, 0.9)}px; }}
    QLabel#prompt {{ font-size: {px(scale, 1.4)}px; color: {t.text}; padding: 2px 8px; }}
    QLabel#simulated, QLabel#warning {{ color: {t.warning}; font-weight: 700; }}
    QLabel#headline {{ font-size: {px(scale, 1.5)}px; font-weight: 600; }}
    QHeaderView, QTableCornerButton::section {{ background: {t.background}; border: none; }}
    QHeaderView::section {{ background: {t.background}; color: {t.muted}; border: none; padding: 4px; }}
    QTabWidget::pane {{ border: none; }}
    QTabBar::tab {{ background: {t.background}; color: {t.muted}; padding: 5px 12px; }}
    QTabBar::tab:selected {{ background: {t.panel}; color: {t.text}; }}
    QPushButton, QToolButton {{ padding: 5px 12px; border-radius: 6px; background: {t.panel}; color: {t.text};
                                border: 1px solid {t.muted}; }}
    QPushButton:checked {{ background: {t.selection}; color: {t.selection_text}; }}
    QPushButton:disabled, QToolButton:disabled {{ color: {t.disabled}; border-color: {t.disabled}; }}
    QPushButton#primary {{ background: {t.accent}; color: {t.accent_text}; border: 1px solid {t.accent};
                          font-weight: 700; }}
    QPushButton#primary:disabled {{ background: {t.panel}; color: {t.disabled}; border-color: {t.disabled};
                                   font-weight: 400; }}
    QMenuBar {{ background: {t.background}; color: {t.text}; }}
    QMenuBar::item:selected, QMenu::item:selected {{ background: {t.selection}; color: {t.selection_text}; }}
    QMenu {{ background: {t.panel}; color: {t.text}; border: 1px solid {t.muted}; }}
    QMenu::item {{ padding: 4px 20px; }}
    QMenu::item:disabled {{ color: {t.disabled}; }}
    QToolTip {{ background: {t.panel}; color: {t.text}; border: 1px solid {t.muted}; padding: 4px; }}
    QScrollBar {{ background: {t.background}; border: none; }}
    QScrollBar:vertical {{ width: 12px; }}
    QScrollBar:horizontal {{ height: 12px; }}
    QScrollBar::handle {{ background: {t.muted}; border-radius: 5px; min-height: 24px; min-width: 24px; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; border: none; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
    QSlider::groove:horizontal {{ height: 6px; background: {t.panel}; border: 1px solid {t.muted};
                                  border-radius: 3px; }}
    QSlider::handle:horizontal {{ width: 16px; margin: -6px 0; background: {t.pacer_edge}; border-radius: 8px; }}
    QSlider::sub-page:horizontal {{ background: {t.pacer_fill}; border-radius: 3px; }}
    QProgressBar {{ background: {t.panel}; color: {t.text}; border: 1px solid {t.muted}; text-align: center; }}
    QProgressBar::chunk {{ background: {t.pacer_fill}; }}
    """


def palette(t: Theme):  # -> QPalette
    """The theme as a palette: what widgets not reached by the stylesheet (native parts) draw with."""
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    R = QPalette.ColorRole
    roles = {R.Window: t.background, R.WindowText: t.text, R.Base: t.panel,
             R.AlternateBase: t.background, R.Text: t.text, R.Button: t.panel,
             R.ButtonText: t.text, R.ToolTipBase: t.panel, R.ToolTipText: t.text,
             R.Highlight: t.selection, R.HighlightedText: t.selection_text,
             R.PlaceholderText: t.muted, R.BrightText: t.warning, R.Link: t.pacer_edge}
    for role, c in roles.items():
        p.setColor(role, QColor(c))
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(t.disabled))
    return p


def apply_to_app(t: Theme, scale: float) -> None:
    """Theme and text size for the whole application: every window, dialog, popup and tooltip."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    app.setPalette(palette(t))
    app.setStyleSheet(stylesheet(t, scale))
