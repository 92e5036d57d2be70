"""The ``moot`` executable: ``moot emulate`` starts without loading the rest of the command line
(Typer, Rich and every other command cost a few hundred milliseconds); anything else goes to
``moot.cli``."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["emulate"]:
        from moot.emulator.command import main as emulate

        emulate(sys.argv[2:])
        return
    from moot.cli import main as cli

    cli()
