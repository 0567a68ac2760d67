"""Routing tests (a package, so test_cli.py does not clash with other folders' test_cli.py)."""
