"""The main window's pages: one screen each, all driven by AppState."""
