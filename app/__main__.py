"""`python -m app` runs the `usulkan` command (and is the entry script of the PyInstaller bundle)."""

import os
import sys

# A windowed Windows program (usulkan.exe from the Start menu) has no console: sys.stdout and
# sys.stderr are None there, and the first print or log line would stop it with an AttributeError.
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (lives as long as the process)

from app.cli import main  # noqa: E402

sys.exit(main())
