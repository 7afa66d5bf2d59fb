"""Local stand-in for ``awsglue.utils.getResolvedOptions`` with Glue's semantics.

Glue passes job arguments as ``--name value``; the script asks for the names it needs (without ``--``). Every
requested name is required (an absent one is an error naming it); ``--name=value`` works too; arguments that were
not requested (Glue adds its own, such as ``--job-bookmark-option``) are ignored; a repeated name keeps the last value.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence


class GlueArgumentError(Exception):
    """A requested job argument is missing; the message names it."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise GlueArgumentError(f"{message}: pass each as --name value (Glue job arguments)")


def getResolvedOptions(args: Sequence[str], options: Sequence[str]) -> dict[str, str]:  # noqa: N802 - Glue's name
    """``{name: value}`` for each name in ``options``, read from ``args`` (normally ``sys.argv``)."""
    parser = _Parser(prog=(args[0] if args else sys.argv[0]), add_help=False, allow_abbrev=False)
    for name in dict.fromkeys(options):
        parser.add_argument(f"--{name}", dest=name, required=True)
    resolved, _ = parser.parse_known_args(list(args[1:]))
    return vars(resolved)
