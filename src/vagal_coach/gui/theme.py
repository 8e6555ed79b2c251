"""Colours and sizes: dark and light themes, a colour-blind-safe palette (Okabe-Ito), large text."""

from __future__ import annotations

from dataclasses import dataclass

OKABE_ITO = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
             "sky": "#56B4E9", "yellow": "#F0E442", "purple": "#CC79A7", "grey": "#999999"}


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


DARK = Theme("dark", "#14181f", "#1c222b", "#e8ecf1", "#8a94a3", "#2a6f97", "#56B4E9", OKABE_ITO["orange"],
             "#56B4E966", OKABE_ITO["green"], OKABE_ITO["sky"], "#E69F0033", OKABE_ITO["vermillion"])
LIGHT = Theme("light", "#f6f7f9", "#ffffff", "#1d232b", "#5d6673", "#9cc9e6", "#0072B2", OKABE_ITO["vermillion"],
              "#0072B255", OKABE_ITO["green"], OKABE_ITO["blue"], "#E69F0033", OKABE_ITO["vermillion"])
THEMES = {"dark": DARK, "light": LIGHT}


def stylesheet(t: Theme, scale: float = 1.0) -> str:
    base = int(round(13 * scale))
    return f"""
    QMainWindow, QDialog, QSplitter, QMessageBox {{ background: {t.background}; }}
    QWidget {{ color: {t.text}; font-size: {base}px; }}
    QLabel, QCheckBox {{ background: transparent; }}
    QCheckBox::indicator {{ width: 14px; height: 14px; border: 1px solid {t.muted}; border-radius: 3px; }}
    QCheckBox::indicator:checked {{ background: {t.pacer_edge}; }}
    QComboBox, QDoubleSpinBox, QListWidget, QSlider {{ background: {t.panel}; color: {t.text}; }}
    QGroupBox, QFrame#panel {{ background: {t.panel}; border-radius: 8px; }}
    QGroupBox {{ margin-top: 14px; padding: 8px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 8px; color: {t.muted}; }}
    QLabel#big {{ font-size: {int(base * 2.2)}px; font-weight: 600; }}
    QLabel#bigunit {{ color: {t.muted}; }}
    QLabel#prompt {{ font-size: {int(base * 1.45)}px; color: {t.text}; padding: 4px 10px; }}
    QLabel#simulated {{ color: {t.warning}; font-weight: 700; }}
    QTableWidget {{ background: {t.panel}; color: {t.text}; gridline-color: {t.muted}55;
                    selection-background-color: {t.pacer_fill}; }}
    QHeaderView, QTableCornerButton::section {{ background: {t.background}; border: none; }}
    QHeaderView::section {{ background: {t.background}; color: {t.muted}; border: none; padding: 4px; }}
    QTabWidget::pane {{ border: none; }}
    QTabBar::tab {{ background: {t.background}; color: {t.muted}; padding: 6px 14px; }}
    QTabBar::tab:selected {{ background: {t.panel}; color: {t.text}; }}
    QLabel#headline {{ font-size: {int(base * 1.5)}px; font-weight: 600; }}
    QPushButton {{ padding: 6px 12px; border-radius: 6px; background: {t.panel}; border: 1px solid {t.muted}; }}
    QPushButton:checked {{ background: {t.pacer_fill}; }}
    """
