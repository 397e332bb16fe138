"""Building the bundles and installers of Usulkan (PyInstaller specs, NSIS script, Linux desktop entry)."""
