"""A calm look on top of Fusion: light neutral palette, one accent colour, roomy controls.

Fusion looks the same on every Windows version the offices run, unlike the native style;
the stylesheet only adds spacing and the few named widgets (cards, navigation, headings).
"""

from __future__ import annotations

from app.ui.qt import QApplication, QColor, QPalette

ACCENT = "#1f6f8b"  # a calm teal-blue: readable on white, not an alarm colour
WARNING = "#b26a00"
DANGER = "#b3261e"
MUTED = "#5f6b73"

STYLESHEET = f"""
QWidget {{ font-size: 10pt; }}
QListWidget#navigation {{
    background: #eef2f4; border: none; padding: 8px 0; font-size: 11pt;
}}
QListWidget#navigation::item {{ padding: 10px 18px; border-left: 3px solid transparent; color: #22313a; }}
QListWidget#navigation::item:selected {{
    background: #ffffff; color: {ACCENT}; border-left: 3px solid {ACCENT}; font-weight: bold;
}}
QListWidget#navigation::item:hover:!selected {{ background: #e2e9ed; }}
QLabel#pageHeading {{ font-size: 16pt; font-weight: bold; color: #1d2a31; }}
QLabel#sectionHeading {{ font-size: 12pt; font-weight: bold; color: #1d2a31; margin-top: 8px; }}
QLabel#hint {{ color: {MUTED}; }}
QLabel#errorText {{ color: {DANGER}; }}
QLabel#okText {{ color: #2e7d32; }}
QFrame#card {{ background: #ffffff; border: 1px solid #d6dee3; border-radius: 8px; }}
QFrame#card[emphasis="warning"] {{ border: 1px solid {WARNING}; background: #fff8ef; }}
QLabel#cardCount {{ font-size: 22pt; font-weight: bold; color: #1d2a31; }}
QLabel#cardTitle {{ color: {MUTED}; }}
QLabel#recoveryCode {{
    font-family: "Consolas", "DejaVu Sans Mono", monospace; font-size: 20pt; font-weight: bold;
    letter-spacing: 2px; padding: 16px; background: #ffffff; border: 2px dashed {ACCENT};
    border-radius: 8px;
}}
QPushButton {{ padding: 6px 14px; }}
QPushButton#primary {{
    background: {ACCENT}; color: white; border: none; border-radius: 4px; padding: 7px 18px; font-weight: bold;
}}
QPushButton#primary:disabled {{ background: #9fb8c2; }}
QLineEdit, QComboBox {{ padding: 4px 6px; }}
QListWidget#attention {{ border: 1px solid #d6dee3; border-radius: 8px; background: #ffffff; }}
QListWidget#attention::item {{ padding: 6px 8px; }}
QWizard QListWidget::item {{ padding: 4px 6px; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 8px; }}
"""


def palette() -> QPalette:
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#f6f8f9",
        QPalette.ColorRole.WindowText: "#1d2a31",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f1f4f6",
        QPalette.ColorRole.Text: "#1d2a31",
        QPalette.ColorRole.Button: "#eef2f4",
        QPalette.ColorRole.ButtonText: "#1d2a31",
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: "#1d2a31",
        QPalette.ColorRole.PlaceholderText: "#8a969d",
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#9aa5ab"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#9aa5ab"))
    return pal


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(palette())
    app.setStyleSheet(STYLESHEET)
