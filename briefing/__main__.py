"""``python -m briefing`` is the same as the ``briefing`` command."""

import sys

from .commands.entry import main

sys.exit(main())
