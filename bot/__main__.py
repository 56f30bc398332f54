"""``python -m bot``: see :mod:`bot.commands`."""

from bot.commands import main

raise SystemExit(main())
