"""Mapper: search tile factors, loop orders, spatial splits and bypass under the constraints.

`search(problem, arch, constraints, ...)` runs a fixed schedule of simulated-annealing restarts (numba,
`kernels.anneal`) over the mapspace of `mapspace.py`, each candidate scored by the closed-form model in
microseconds, then a deterministic hill climb (`kernels.polish`) around the best; the winner is
evaluated exactly (`model.evaluate`). The schedule depends
only on the seed and the effort, so results are reproducible; `time_budget` is a safety cap (if it cuts
the schedule short, `stopped` says so and the result may depend on machine speed).

Objectives: `delay` (cycles, energy breaks ties), `energy` (energy, cycles break ties), `edp`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from focus_tools.errors import FocusError
from frontend.problem import Problem

from .mapspace import MapSpace, build_mapspace
from .model import EnergyTable, ModelResult, evaluate
from .spec import Architecture, Constraints, TileMapping

OBJECTIVES = {"delay": 0, "energy": 1, "edp": 2}


@dataclass
class SearchResult:
    mapping: TileMapping
    result: ModelResult
    objective: str
    evaluations: int
    seconds: float
    restarts: int
    stopped: str  # "schedule" (all restarts ran) or "time budget"
    notes: tuple[str, ...] = ()  # constraint readings worth knowing (e.g. a spatial D=0 read as free)

    @property
    def rate(self) -> float:
        return self.evaluations / self.seconds if self.seconds > 0 else 0.0


def _better(a: ModelResult, b: ModelResult | None, objective: str) -> bool:
    """Timeloop's lexicographic comparison with a 0.1 % tolerance on the leading metric."""
    if b is None:
        return True
    order = {"delay": (a.cycles, b.cycles, a.energy_pJ, b.energy_pJ),
             "energy": (a.energy_pJ, b.energy_pJ, a.cycles, b.cycles),
             "edp": (a.edp, b.edp, a.energy_pJ, b.energy_pJ)}[objective]
    x, y, x2, y2 = order
    if x < y * (1 - 1e-3):
        return True
    if x > y * (1 + 1e-3):
        return False
    return x2 < y2


def search(problem: Problem, arch: Architecture, constraints: Constraints, energy: EnergyTable | None = None,
           *, objective: str = "edp", seed: int = 0, time_budget: float | None = None, effort: float = 1.0,
           legacy_stride: bool = True, link_transfers: bool = True, initial: TileMapping | None = None,
           mapspace: MapSpace | None = None) -> SearchResult:
    """Best mapping found by the schedule (deterministic for a given seed and effort)."""
    from . import kernels as K

    if objective not in OBJECTIVES:
        raise FocusError(f"objective '{objective}', expected one of {', '.join(OBJECTIVES)}")
    ms = mapspace or build_mapspace(problem, arch, constraints, energy, legacy_stride=legacy_stride,
                                    link_transfers=link_transfers)
    NL, NT = ms.keepf.shape
    P = len(ms.primes)
    best_assign = np.zeros(P, np.int64)
    best_perm = ms.perm0.copy()
    best_keep = np.zeros((NL, NT), np.int64)
    best_metrics = np.array([np.inf, np.inf, np.inf])
    init_assign = np.zeros(P, np.int64)
    init_perm = ms.perm0.copy()
    init_keep = np.zeros((NL, NT), np.int64)
    have_init = False
    if initial is not None:
        F, perm, keep, _ = ms.encode(initial)
        a = ms.assignment_of(F)
        if a is not None:
            init_assign, init_perm, init_keep, have_init = a, perm, keep, True
    # schedule: more moves for bigger spaces
    size_hint = P + int((ms.pinfo[:, 1] - ms.pinfo[:, 0]).clip(min=0).sum()) + int((ms.keepf < 0).sum())
    iters = int(max(300, min(4000, 120 * size_hint)) * effort)
    restarts = max(2, int(round(6 * effort)))
    evals = 0
    done = 0
    stopped = "schedule"
    args = (ms.fixed, ms.maxf, ms.minf, ms.primes, ms.pdim, ms.allowed, ms.perm0, ms.keepf) + ms.kernel_args()
    if not K.anneal.signatures:
        # JIT-compile (or load from the numba cache) before the clock starts: the time budget is for searching
        K.anneal(0, 0, 0, 0.1, *args, init_assign, init_perm, init_keep, False, best_assign.copy(),
                 best_perm.copy(), best_keep.copy(), best_metrics.copy())
    t0 = time.perf_counter()
    for r in range(restarts):
        use_init = have_init and r == 0
        # the second half of the restarts refine the best so far (low temperature)
        refine = r >= (restarts + 1) // 2 and np.isfinite(best_metrics[0])
        start = (best_assign.copy(), best_perm.copy(), best_keep.copy()) if refine else (
            init_assign, init_perm, init_keep)
        evals += K.anneal(int(seed) * 7919 + r, iters, OBJECTIVES[objective], 0.05 if refine else 0.4,
                          *args, start[0], start[1], start[2], bool(use_init or refine),
                          best_assign, best_perm, best_keep, best_metrics)
        done += 1
        if time_budget is not None and time.perf_counter() - t0 > time_budget:
            if r < restarts - 1:
                stopped = "time budget"
            break
    if np.isfinite(best_metrics[0]) and stopped == "schedule":
        evals += K.polish(OBJECTIVES[objective], 20, ms.fixed, ms.maxf, ms.minf, ms.primes, ms.pdim, ms.allowed,
                          ms.keepf, *ms.kernel_args(), best_assign, best_perm, best_keep, best_metrics)
    if not np.isfinite(best_metrics[0]):
        raise FocusError(
            f"{constraints.source}: no valid mapping found for {problem.name} "
            f"({evals} candidates tried): every candidate overflows a buffer or breaks a constraint"
        )
    F = ms.factors(best_assign)
    mapping = ms.decode(F, best_perm, best_keep)
    result = evaluate(problem, arch, mapping, ms.energy, legacy_stride=legacy_stride,
                      link_transfers=link_transfers, source="mapper")
    secs = time.perf_counter() - t0
    return SearchResult(mapping, result, objective, evals, secs, done, stopped, tuple(dict.fromkeys(ms.notes)))


def evaluation_rate(ms: MapSpace, n: int = 20000, seed: int = 0) -> float:
    """Candidates scored per second by the kernel (random valid-or-not candidates; bench helper)."""
    from . import kernels as K

    rng = np.random.default_rng(seed)
    S, D = ms.fixed.shape
    NL, NT = ms.keepf.shape
    Fs = np.zeros((n, S, D), np.int64)
    perms = np.zeros((n, S, D), np.int64)
    keeps = np.zeros((n, NL, NT), np.int64)
    alist = [np.flatnonzero(ms.allowed[d]) for d in range(D)]
    for i in range(n):
        assign = np.array([rng.choice(alist[ms.pdim[p]]) for p in range(len(ms.primes))], np.int64)
        Fs[i] = ms.factors(assign)
        perms[i] = ms.perm0
        keeps[i] = np.where(ms.keepf >= 0, ms.keepf, 1)
    K.evaluate_many(Fs[:2], perms[:2], keeps[:2], *ms.kernel_args())  # compile / warm up
    t = time.perf_counter()
    K.evaluate_many(Fs, perms, keeps, *ms.kernel_args())
    dt = time.perf_counter() - t
    return n / dt if dt > 0 else math.inf
