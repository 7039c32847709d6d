"""`mentor-bot` command line: database, roster administration, matching, people's data, the
digest and the bot itself, one module per command group.

Exit codes: 0 success; 1 the command ran but something was rejected or not found;
2 the input or the environment is unusable (bad file, bad question, database not migrated).
"""

from __future__ import annotations

from bot.cli import events, matching, people, roster, run  # noqa: F401  (each registers its commands)
from bot.cli.common import CliContext, app

__all__ = ["CliContext", "app", "main"]


def main() -> None:
    app()
