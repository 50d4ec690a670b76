"""`python -m bot` is the CLI."""

import sys

from bot.cli import main

sys.exit(main())
