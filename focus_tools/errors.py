"""User-facing errors: one line, a fixed exit code, never a traceback."""


class FocusError(Exception):
    """Bad input or an impossible request. Printed as one line; exit code 2."""

    exit_code = 2


class SimulationDeadlock(FocusError):
    """The simulated program cannot make progress. Exit code 3."""

    exit_code = 3
