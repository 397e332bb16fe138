"""`python -m app` runs the `usulkan` command."""

import sys

from app.cli import main

sys.exit(main())
