"""Timeloop-compatible analytical model and mapper (plain Python + numpy/numba).

See `api.py` for the public entry points used by later stages.
"""
