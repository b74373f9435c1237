"""An argparse parser that speaks Dutch: help headings, usage errors, and lazily added arguments."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

EXIT_USAGE = 2

# argparse's own English messages (Python 3.11-3.13), as regular expressions, in Dutch.
MESSAGES = (
    (r"the following arguments are required: (.*)", r"deze argumenten ontbreken: \1"),
    (r"unrecognized arguments: (.*)", r"onbekende argumenten: \1"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"ongeldige keuze \1 (kies uit \2)"),
    (r"invalid (\w+) value: (.*)", r"ongeldige waarde \2"),
    (r"expected one argument", "verwacht één waarde"),
    (r"expected at least one argument", "verwacht ten minste één waarde"),
    (r"expected at most one argument", "verwacht hoogstens één waarde"),
    (r"ambiguous option: (.*) could match (.*)", r"optie \1 is niet eenduidig: \2"),
    (r"not allowed with argument (.*)", r"niet samen met \1 te gebruiken"),
    (r"one of the arguments (.*) is required", r"een van deze argumenten is nodig: \1"),
)


def dutch(message: str) -> str:
    """An argparse error message in Dutch (unchanged when it is not one argparse writes)."""
    for english, translated in MESSAGES:
        message, count = re.subn(english, translated, message, count=1)
        if count:
            break
    return message


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help with a Dutch usage line; descriptions and epilogs keep their line breaks."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse with Dutch headings and errors (exit code 2, like argparse).

    ``configure`` adds the arguments on first use, so a subcommand whose arguments are defined
    by a heavy package (``eval``) costs nothing until it is chosen or its help is shown.
    """

    def __init__(
        self,
        *args: Any,
        configure: Callable[[argparse.ArgumentParser], None] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenten"
        self._optionals.title = "opties"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="toon deze hulp en stop"
        )
        self._configure = configure

    def _ensure_configured(self) -> None:
        if self._configure is not None:
            configure, self._configure = self._configure, None
            configure(self)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._ensure_configured()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._ensure_configured()
        return super().format_help()

    def format_usage(self) -> str:
        self._ensure_configured()
        return super().format_usage()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: fout: {dutch(message)}\nZie '{self.prog} --help'.\n")
