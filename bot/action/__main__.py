"""`python -m bot.action`: the entry point action.yml runs."""

import sys

from bot.action.cli import main

sys.exit(main())
