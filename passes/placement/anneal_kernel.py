"""Numba kernel of the annealer (`passes.placement.anneal`): moves, incremental cost, acceptance.

Struct-of-arrays: groups, messages and PEs are integer ids; ragged lists are CSR pairs (`*_ptr`, `*_idx`).
The cost is the estimate of `passes.placement.cost` (XY multicast trees, flit-hops + link_weight x the
hottest link), kept incrementally: a move subtracts the affected messages' trees at the old positions
and adds them at the new ones. Randomness is a splitmix64 stream held in a one-element uint64 array,
so a seed fixes every decision and nothing global is touched.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

EAST, WEST, SOUTH, NORTH = 0, 1, 2, 3  # link index = pe_id * 4 + direction (as in cost.py)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


@njit(cache=True)
def _next(rng):
    rng[0] += _GOLDEN
    z = rng[0]
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(cache=True)
def _below(rng, n):
    """Uniform integer in [0, n)."""
    return np.int64(_next(rng) % np.uint64(n))


@njit(cache=True)
def _uniform(rng):
    """Uniform float in [0, 1)."""
    return np.float64(_next(rng) >> _S11) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _route(i, sign, pos, msg_src, msg_ptr, msg_dst, msg_vol, width, load, colmin, colmax, cols):
    """Add sign x volume of message i to every link of its XY tree; returns the tree's link count."""
    s = pos[msg_src[i]]
    sx = s % width
    sy = s // width
    xmin = sx
    xmax = sx
    ncols = 0
    for k in range(msg_ptr[i], msg_ptr[i + 1]):
        d = pos[msg_dst[k]]
        if d == s:
            continue
        dx = d % width
        dy = d // width
        if dx < xmin:
            xmin = dx
        elif dx > xmax:
            xmax = dx
        if colmin[dx] < 0:
            colmin[dx] = dy
            colmax[dx] = dy
            cols[ncols] = dx
            ncols += 1
        elif dy < colmin[dx]:
            colmin[dx] = dy
        elif dy > colmax[dx]:
            colmax[dx] = dy
    v = sign * msg_vol[i]
    n = 0
    row = sy * width
    for x in range(sx, xmax):
        load[(row + x) * 4 + EAST] += v
        n += 1
    for x in range(sx, xmin, -1):
        load[(row + x) * 4 + WEST] += v
        n += 1
    for c in range(ncols):
        x = cols[c]
        for y in range(sy, colmax[x]):
            load[(y * width + x) * 4 + SOUTH] += v
            n += 1
        for y in range(sy, colmin[x], -1):
            load[(y * width + x) * 4 + NORTH] += v
            n += 1
        colmin[x] = -1
    return n


@njit(cache=True)
def initial_loads(pos, msg_src, msg_ptr, msg_dst, msg_vol, width, pe_count):
    """(link loads, flit-hops) of a placement."""
    load = np.zeros(pe_count * 4, np.int64)
    colmin = np.full(width, -1, np.int64)
    colmax = np.zeros(width, np.int64)
    cols = np.zeros(width, np.int64)
    hops = 0
    for i in range(msg_src.shape[0]):
        hops += msg_vol[i] * _route(i, 1, pos, msg_src, msg_ptr, msg_dst, msg_vol, width, load, colmin, colmax, cols)
    return load, hops


@njit(cache=True)
def _shares_layer(layer_of, members, member_count, pe, g, skip):
    """Whether PE `pe` hosts a compute group other than `skip` of the same layer as group g."""
    for k in range(member_count[pe]):
        m = members[pe, k]
        if m != skip and m != g and layer_of[m] == layer_of[g]:
            return True
    return False


@njit(cache=True)
def _propose(rng, radius, move, pos, is_compute, needs_mem, compute_ok, is_mem_pe, mem_ids, mem_near,
             part_ptr, part_idx, members, member_count, lo, hi, width, height, layer_of):
    """Fill move = (group, target PE, swap partner or -1); False when there is no move this time.

    With time sharing (hi > 1) two compute groups of one layer never share a PE: they would serialise on
    its compute unit, which the traffic cost does not see."""
    n_groups = pos.shape[0]
    g = _below(rng, n_groups)
    here = pos[g]
    anchor = here
    n_part = part_ptr[g + 1] - part_ptr[g]
    if n_part > 0 and _uniform(rng) < 0.6:
        anchor = pos[part_idx[part_ptr[g] + _below(rng, n_part)]]
    target = -1
    if needs_mem[g]:  # sources and writeback sinks stay on memory PEs
        if _uniform(rng) < 0.7:
            target = mem_near[anchor, _below(rng, min(3, mem_ids.shape[0]))]
        else:
            target = mem_ids[_below(rng, mem_ids.shape[0])]
        if target == here:
            return False
        if not is_compute[g]:
            move[0] = g
            move[1] = target
            move[2] = -1
            return True
    else:
        ax = anchor % width
        ay = anchor // width
        found = False
        for _ in range(4):
            tx = min(width - 1, max(0, ax - radius + _below(rng, 2 * radius + 1)))
            ty = min(height - 1, max(0, ay - radius + _below(rng, 2 * radius + 1)))
            target = ty * width + tx
            if target != here and compute_ok[target]:
                found = True
                break
        if not found:
            return False
    can_move = member_count[here] - 1 >= lo and member_count[target] + 1 <= hi
    if can_move and hi > 1 and _shares_layer(layer_of, members, member_count, target, g, -1):
        can_move = False
    move[0] = g
    move[1] = target
    move[2] = -1
    if member_count[target] > 0 and (not can_move or _uniform(rng) < 0.5):
        other = members[target, _below(rng, member_count[target])]
        if needs_mem[other] and not is_mem_pe[here]:  # a writeback sink may not leave memory
            return can_move
        if hi > 1 and (_shares_layer(layer_of, members, member_count, target, g, other)
                       or _shares_layer(layer_of, members, member_count, here, other, g)):
            return can_move
        move[2] = other
        return True
    return can_move


@njit(cache=True)
def _member_move(members, member_count, g, frm, to):
    c = member_count[frm]
    for k in range(c):
        if members[frm, k] == g:
            members[frm, k] = members[frm, c - 1]
            break
    member_count[frm] = c - 1
    members[to, member_count[to]] = g
    member_count[to] += 1


@njit(cache=True)
def _apply(move, pos, is_compute, members, member_count, undo):
    """Move group move[0] to move[1] (swapping with move[2] when >= 0); `undo` = False to apply."""
    g = move[0]
    other = move[2]
    if not undo:
        here = pos[g]
        target = move[1]
        move[3] = here
    else:
        here = move[1]
        target = move[3]
    pos[g] = target
    if is_compute[g]:
        _member_move(members, member_count, g, here, target)
    if other >= 0:
        pos[other] = here
        _member_move(members, member_count, other, target, here)


@njit(cache=True)
def _affected(move, mo_ptr, mo_idx, stamp, tick, out):
    n = 0
    for which in (0, 2):
        g = move[which]
        if g < 0:
            continue
        for k in range(mo_ptr[g], mo_ptr[g + 1]):
            m = mo_idx[k]
            if stamp[m] != tick:
                stamp[m] = tick
                out[n] = m
                n += 1
    return n


@njit(cache=True)
def _reroute(aff, n_aff, sign_old, pos, msg_src, msg_ptr, msg_dst, msg_vol, width, load, colmin, colmax, cols):
    """Change of flit-hops when the affected messages' trees are removed (sign_old = -1) or added (+1)."""
    d = 0
    for j in range(n_aff):
        i = aff[j]
        d += sign_old * msg_vol[i] * _route(i, sign_old, pos, msg_src, msg_ptr, msg_dst, msg_vol, width, load,
                                            colmin, colmax, cols)
    return d


@njit(cache=True)
def _peak(load):
    p = 0
    for v in load:
        p = max(p, v)
    return p


@njit(cache=True)
def anneal_run(mode, it_begin, it_end, budget, t_start, t_end, radius_max, weight, rng, state, pos, best_pos,
               load, is_compute, needs_mem, compute_ok, is_mem_pe, mem_ids, mem_near, part_ptr, part_idx,
               msg_src, msg_ptr, msg_dst, msg_vol, mo_ptr, mo_idx, members, member_count, lo, hi, width, height,
               layer_of,
               probe_deltas):
    """mode 0: iterations [it_begin, it_end) of the schedule; mode 1: `it_end` probe moves at full radius,
    applied and undone, their uphill deltas written to `probe_deltas` (returns how many).

    `state` (int64): [cost, flit_hops, best cost, accepted, tick]."""
    n_msgs = msg_src.shape[0]
    colmin = np.full(width, -1, np.int64)
    colmax = np.zeros(width, np.int64)
    cols = np.zeros(width, np.int64)
    aff = np.zeros(n_msgs, np.int64)
    stamp = np.full(n_msgs, -1, np.int64)
    move = np.zeros(4, np.int64)
    cur = state[0]
    hops = state[1]
    best = state[2]
    accepted = state[3]
    tick = state[4]
    n_up = 0
    count = it_end - it_begin if mode == 0 else it_end
    for step in range(count):
        if mode == 0:
            frac = (it_begin + step) / budget
            temp = t_start * (t_end / t_start) ** frac
            radius = max(1, int(radius_max * (1.0 - frac) ** 2 + 0.5))
        else:
            temp = 1.0
            radius = radius_max
        if not _propose(rng, radius, move, pos, is_compute, needs_mem, compute_ok, is_mem_pe, mem_ids, mem_near,
                        part_ptr, part_idx, members, member_count, lo, hi, width, height, layer_of):
            continue
        tick += 1
        n_aff = _affected(move, mo_ptr, mo_idx, stamp, tick, aff)
        d_old = _reroute(aff, n_aff, -1, pos, msg_src, msg_ptr, msg_dst, msg_vol, width, load, colmin, colmax, cols)
        _apply(move, pos, is_compute, members, member_count, False)
        d_new = _reroute(aff, n_aff, 1, pos, msg_src, msg_ptr, msg_dst, msg_vol, width, load, colmin, colmax, cols)
        new_hops = hops + d_old + d_new
        new = new_hops + weight * _peak(load)
        delta = new - cur
        keep = False
        if mode == 0:
            keep = delta <= 0 or _uniform(rng) < math.exp(-delta / temp)
        elif delta > 0:
            probe_deltas[n_up] = delta
            n_up += 1
        if keep:
            cur = new
            hops = new_hops
            accepted += 1
            if cur < best:
                best = cur
                best_pos[:] = pos
        else:
            _reroute(aff, n_aff, -1, pos, msg_src, msg_ptr, msg_dst, msg_vol, width, load, colmin, colmax, cols)
            _apply(move, pos, is_compute, members, member_count, True)
            _reroute(aff, n_aff, 1, pos, msg_src, msg_ptr, msg_dst, msg_vol, width, load, colmin, colmax, cols)
    state[0] = cur
    state[1] = hops
    state[2] = best
    state[3] = accepted
    state[4] = tick
    return n_up
