"""``python -m bot`` is the ``pledgebot`` command."""

import sys

from bot.cli import main

sys.exit(main())
