"""`python -m app.server` runs the `usulkan-server` command."""

import sys

from app.server.cli import main

sys.exit(main())
