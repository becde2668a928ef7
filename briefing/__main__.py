"""``python -m briefing`` is the same as the ``briefing`` command."""

import sys

from .commands.cli import main

sys.exit(main())
