"""The `focus` driver: one sub-command per module in `focus_tools.commands`.

Each command module defines `NAME`, `HELP`, `add_arguments(parser)` and `run(args) -> int`.
Modules are imported only when their command runs (and once for `--help`), so start-up stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from focus_tools.errors import FocusError

# command name -> module under focus_tools.commands
COMMANDS: dict[str, str] = {
    "import": "import_cmd",
    "timeloop-model": "timeloop_model",
    "timeloop-mapper": "timeloop_mapper",
    "place": "place",
    "route": "route",
    "compile": "compile_cmd",
    "sim": "sim",
    "noc": "noc",
    "run": "run",
    "compare": "compare",
    "sweep": "sweep",
    "draw": "draw",
}


def _load(module: str):
    try:
        return importlib.import_module(f"focus_tools.commands.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"focus_tools.commands.{module}":
            return None
        raise


class OneLineParser(argparse.ArgumentParser):
    """Argument errors are one line (`focus run: error: ...`) with exit code 2, without the usage dump."""

    def error(self, message: str):  # type: ignore[override]
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="focus",
        description="focus: compile DNN workloads onto a mesh of PEs and simulate them cycle by cycle.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name, module in COMMANDS.items():
        if only is not None and name != only:
            continue
        mod = _load(module)
        if mod is None:
            continue
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_module=mod)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    only = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 0 if not argv else 2
    try:
        code = args._module.run(args)
    except FocusError as exc:
        print(f"focus {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"focus {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
