"""`focus-opt`: xdsl-opt with focus's dialects, passes, targets and input frontends (works like mlir-opt)."""

from __future__ import annotations

import sys

from xdsl.xdsl_opt_main import xDSLOptMain

from focus_dialects import get_all_dialects
from focus_tools.registry import get_all_passes, get_all_targets


class FocusOptMain(xDSLOptMain):
    """xdsl-opt plus focus's registries; `-o PATH` goes to file-writing targets (pe-packed, spatial-sim)."""

    def _path_target(self):
        """The target object when `-t` names a target that writes files itself and `-o` was given."""
        from xdsl.utils.arg_spec import parse_spec

        if self.args.output_file is None:
            return None
        spec = parse_spec(self.args.target)
        entry = self.available_targets.get(spec.name)
        if entry is None or spec.name == "mlir":
            return None
        cls = entry()
        if not hasattr(cls, "emit_path"):
            return None
        return cls.from_spec(spec)

    def prepare_output(self):
        if self._path_target() is not None:
            return sys.stdout
        return super().prepare_output()

    def output_resulting_program(self, prog):
        target = self._path_target()
        if target is not None:
            return target.emit_path(self.ctx, prog, self.args.output_file)
        return super().output_resulting_program(prog)

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        for name, factory in get_all_dialects().items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, factory in get_all_passes().items():
            if name not in self.available_passes:
                self.register_pass(name, factory)

    def register_all_targets(self) -> None:
        super().register_all_targets()
        for name, factory in get_all_targets().items():
            self.available_targets.setdefault(name, factory)

    def register_all_frontends(self) -> None:
        super().register_all_frontends()
        try:
            from frontend.opt_frontends import get_all_frontends
        except ImportError:
            return
        for ext, fn in get_all_frontends().items():
            self.available_frontends[ext] = fn


def one_line(exc: BaseException) -> str:
    """A one-line description of a parse, verify or pass error (no traceback, no module dump)."""
    from xdsl.utils.exceptions import ParseError

    if isinstance(exc, ParseError):
        try:
            where = f"{exc.span.get_location()}: "
        except Exception:  # pragma: no cover - spans without positions
            where = ""
        return f"{where}{exc.msg}"
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    prefix = "Operation does not verify: "
    return first[len(prefix):] if first.startswith(prefix) else first


def main() -> None:
    from xdsl.utils.exceptions import DiagnosticException, ParseError

    from focus_tools.errors import FocusError

    try:
        FocusOptMain().run()
    except FocusError as exc:
        print(f"focus-opt: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (ParseError, DiagnosticException) as exc:
        print(f"focus-opt: error: {one_line(exc)}", file=sys.stderr)
        sys.exit(2)
    except FileNotFoundError as exc:
        print(f"focus-opt: error: {exc.filename}: no such file", file=sys.stderr)
        sys.exit(2)
    except ValueError as exc:  # xdsl's errors for unknown passes, pass options and input extensions
        print(f"focus-opt: error: {one_line(exc)}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
