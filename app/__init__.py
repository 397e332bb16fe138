"""Usulkan: offline-first bansos proposals for kelurahan offices."""

__version__ = "0.1.0"
