"""Bench: `focus import` speed. Target: the largest FOCUS task (multi-model-3.yaml) in under 5 s.

Measures `focus import TASK -o FILE` as a fresh process (wall clock, Python start-up included; best and
median of --repeat runs), then the in-process stages (load_workload, workload_to_module with its single
verify, printing) for the FOCUS task, every layer of the original layer bank as one task, and large zoo
models. Usage: `.venv/bin/python bench/import_speed.py [--repeat 5]`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "focus-data"
TARGET_S = 5.0


def _cli_wall(args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "focus_tools.cli", "import", *args], cwd=ROOT,
                           capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise SystemExit(f"focus import {' '.join(args)} failed: {r.stderr.strip()}")
    return times


def _stages(label: str, load) -> str:
    from frontend.to_ir import module_text, workload_to_module

    t0 = time.perf_counter()
    wl = load()
    t1 = time.perf_counter()
    module = workload_to_module(wl)
    t2 = time.perf_counter()
    text = module_text(module)
    t3 = time.perf_counter()
    return (f"| {label} | {len(wl.layers)} | {(t1 - t0) * 1e3:.0f} | {(t2 - t1) * 1e3:.0f} | "
            f"{(t3 - t2) * 1e3:.0f} | {(t3 - t0) * 1e3:.0f} | {len(text) / 1e6:.2f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)

    t = time.perf_counter()
    import frontend.load
    import frontend.to_ir  # noqa: F401
    print(f"in-process import of the frontend modules: {(time.perf_counter() - t) * 1e3:.0f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "out.mlir")
        task = SHARED / "benchmark" / "multi-model-3.yaml"
        if task.is_file():
            times = _cli_wall([str(task), "-o", out], args.repeat)
            ok = "PASS" if max(times) < TARGET_S else "FAIL"
            print(f"focus import multi-model-3.yaml (68 layers, fresh process): best {min(times):.2f} s, "
                  f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s over {args.repeat} runs "
                  f"-> {ok} (target < {TARGET_S:.0f} s)")
        else:
            print(f"FOCUS data absent ({SHARED}): skipping the multi-model-3 measurement")
        times = _cli_wall(["--model", "bert-large", "--seq-len", "512", "-o", out], args.repeat)
        print(f"focus import --model bert-large --seq-len 512 (241 layers, fresh process): best {min(times):.2f} s, "
              f"median {statistics.median(times):.2f} s")

        print()
        print("| input | layers | load ms | build+verify ms | print ms | total ms | MB of text |")
        print("|---|---|---|---|---|---|---|")
        from frontend.load import load_workload

        if task.is_file():
            print(_stages("multi-model-3.yaml", lambda: load_workload(task)))
            import yaml

            db = SHARED / "database"
            models = sorted(p.name for p in db.iterdir() if p.is_dir() and p.name not in
                            ("arch", "arch_bu", "constraints", "mapper", "prob"))
            spec = {m: [{f"{m}_layer{i}": 4} for i in range(1, len(list((db / m).glob("*.yaml"))) + 1)]
                    for m in models}
            big = Path(tmp) / "benchmark" / "whole_bank.yaml"
            big.parent.mkdir()
            big.write_text(yaml.safe_dump(spec))
            print(_stages("whole layer bank (14 models)", lambda: load_workload(big, layer_bank=db)))
        for name, seq in (("resnet152", None), ("bert-large", 512)):
            print(_stages(f"zoo {name}" + (f" seq {seq}" if seq else ""),
                          lambda n=name, s=seq: load_workload(n, seq_len=s)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
