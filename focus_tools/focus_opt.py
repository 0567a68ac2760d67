"""`focus-opt`: xdsl-opt with focus's dialects, passes, targets and input frontends (works like mlir-opt)."""

from __future__ import annotations

import sys

from xdsl.xdsl_opt_main import xDSLOptMain

from focus_dialects import get_all_dialects
from focus_tools.registry import get_all_passes, get_all_targets


class FocusOptMain(xDSLOptMain):
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


def main() -> None:
    from focus_tools.errors import FocusError

    try:
        FocusOptMain().run()
    except FocusError as exc:
        print(f"focus-opt: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
