"""Loss landscape benchmark: one vectorised evaluate_batch against a per-point trace loop.

The grid is the homework's (W2_11, W1_11) plane at y = 1, 201 × 201 = 40,401 points: loss
and both gradients at every point, what a contour page draws. The loop runs ``trace`` per
point on a random subsample and is scaled per point (the whole grid would take seconds).
Each timing is the best of several repeats (time.perf_counter).

Targets (docs/design.md, "Performance approach"): whole grid <= 10 ms, >= 200x the loop.

Run: .venv/bin/python bench/core.py [--n 201] [--loop-points 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from expnet import evaluate_batch, get_preset, grid_values, set_values, trace  # noqa: E402

NAMES = ["W2_11", "W1_11"]
TARGET_GRID_MS = 10.0
TARGET_RATIO = 200.0


def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=201, help="grid points per axis")
    parser.add_argument("--loop-points", type=int, default=2000, help="subsample for the loop")
    parser.add_argument("--repeats", type=int, default=30, help="repeats of the batch timing")
    args = parser.parse_args()

    problem = get_preset("homework").problem.with_target(1.0)
    u = np.linspace(-6.0, 6.0, args.n)  # W2_11
    v = np.linspace(-6.0, 6.0, args.n)  # W1_11
    values = grid_values((u, v))
    B = values.shape[0]

    def batch():
        return evaluate_batch(problem, NAMES, values)

    batch()  # warm up
    t_batch = best_of(batch, args.repeats)

    rng = np.random.default_rng(0)
    sample = values[rng.choice(B, size=min(args.loop_points, B), replace=False)]

    def loop():
        out = np.empty((len(sample), 3))
        for k, (w2, w1) in enumerate(sample):
            tr = trace(set_values(problem, {"W2_11": w2, "W1_11": w1}))
            out[k] = (tr.loss, tr.grad("W2_11"), tr.grad("W1_11"))
        return out

    t_loop_sample = best_of(loop, 3)
    per_loop = t_loop_sample / len(sample)
    t_loop = per_loop * B

    # The two must agree, or the timing means nothing.
    res = batch()
    idx = rng.choice(B, size=200, replace=False)
    ref = np.empty((len(idx), 3))
    for k, i in enumerate(idx):
        tr = trace(set_values(problem, {"W2_11": values[i, 0], "W1_11": values[i, 1]}))
        ref[k] = (tr.loss, tr.grad("W2_11"), tr.grad("W1_11"))
    got = np.column_stack([res.loss[idx], res.grad[idx]])
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)

    ratio = t_loop / t_batch
    rows = [
        ("evaluate_batch (one pass)", B, t_batch, t_batch / B),
        (f"trace loop ({len(sample):,} pts, scaled)", B, t_loop, per_loop),
    ]
    print(f"homework, y = 1, grid {args.n} x {args.n} over {NAMES[0]} x {NAMES[1]}: loss + 2 grads")
    print()
    print(f"| {'method':<34} | {'points':>7} | {'total':>11} | {'per point':>10} |")
    print(f"|{'-' * 36}|{'-' * 9}|{'-' * 13}|{'-' * 12}|")
    for name, n, total, per in rows:
        print(f"| {name:<34} | {n:>7,} | {total * 1e3:>8.2f} ms | {per * 1e6:>7.3f} us |")
    print()
    ok_time = t_batch * 1e3 <= TARGET_GRID_MS
    ok_ratio = ratio >= TARGET_RATIO
    print(
        f"batch / loop speed-up: {ratio:,.0f}x  (target >= {TARGET_RATIO:.0f}x: "
        f"{'ok' if ok_ratio else 'MISSED'})"
    )
    print(
        f"whole grid: {t_batch * 1e3:.2f} ms  (target <= {TARGET_GRID_MS:.0f} ms: "
        f"{'ok' if ok_time else 'MISSED'})"
    )
    return 0 if ok_time and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
