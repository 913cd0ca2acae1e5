#!/usr/bin/env python3
"""bench/stress.py - how many runs each way of running needs to find a bug.

For every known-buggy variant whose bug needs an unlucky schedule, runs its
scenario again and again and counts the runs until the bug shows (a finding,
a failed run, or a hang), three ways:

  plain   the native program, run after run (no scheduler);
  random  under the stress shim in random mode, a new seed per run;
  pct     under the stress shim in PCT mode (steps calibrated as the grader
          does), a new seed per run.

random and pct: the median over TRIALS sequences of seeds of the runs to first
detection. plain: its detection rate p over PLAIN_RUNS runs gives the median
of the (geometric) runs to first detection, ln 2 / p ("> N" when never seen).
Also the shim's cost against native on a correct solution (CPU time), per
mode. Everything is measured in this one run; the printed ratios are what
matters on a shared, noisy machine.

  bench/stress.py [--trials 20] [--cap 100] [--plain-runs 600]
"""
import argparse
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRADER = os.path.join(ROOT, "bin", "grader")
SHIM = os.path.join(ROOT, "build", "harness", "libstress.so")

# (exercise, variant, scenario and arguments, pct depth, what the bug is)
CASES = [
    ("bank", "check_then_act", ["overdraw", "0", "3", "8"], 5, "check-then-act withdraw (atomicity)"),
    ("bank", "transfer_check_first", ["overdraw", "1", "3", "8"], 5, "transfer checks before locking (atomicity)"),
    ("bank", "total_one_by_one", ["audit", "3", "8", "12"], 4, "total sums while transfers run (atomicity)"),
    ("bank", "lock_order", ["crossing", "10"], 3, "locks in argument order (deadlock)"),
    ("queue", "if_wait", ["mpmc", "8", "8", "3", "1", "0"], 3, "if instead of while (lost wake-up)"),
    ("queue", "one_cond", ["mpmc", "8", "8", "3", "1", "0"], 3, "one condition variable, signal (lost wake-up)"),
]
OVERHEAD = ("bank", None, ["mix", "4", "300"])
RUN_TIMEOUT = 3.0


def build(exercise, variant):
    """Builds the native program of a variant (or the reference); returns its path."""
    src = (os.path.join(ROOT, "solutions", exercise, "buggy", variant + ".c") if variant
           else os.path.join(ROOT, "solutions", exercise, exercise + ".c"))
    r = subprocess.run([GRADER, "grade", exercise, "--source", src, "--only", "build", "--keep"],
                       capture_output=True, text=True)
    m = re.search(r"kept (\S+)", r.stderr)
    if not m:
        sys.exit(f"bench: cannot build {src}:\n{r.stdout}{r.stderr}")
    for rel in ("prog-native", os.path.join("build-native", "prog")):
        if os.path.exists(os.path.join(m.group(1), rel)):
            return os.path.join(m.group(1), rel), m.group(1)
    sys.exit(f"bench: no native program in {m.group(1)}")


def run_once(prog, args, mode=None, seed=1, depth=3, steps=None, workdir="."):
    """Runs the scenario once; returns (found, steps counted by the shim)."""
    out = os.path.join(workdir, "result.jsonl")
    stress = os.path.join(workdir, "stress.jsonl")
    for f in (out, stress):
        if os.path.exists(f):
            os.unlink(f)
    env = {"PATH": "/usr/bin:/bin", "GRADER_RESULT_FD": "3", "GRADER_SEED": str(seed),
           "GRADER_PATIENCE": "1", "GRADER_TOOL": "native"}
    if mode:
        env.update({"LD_PRELOAD": SHIM, "STRESS_MODE": mode, "STRESS_SEED": str(seed),
                    "STRESS_OUT": stress, "STRESS_EXE": os.path.realpath(prog),
                    "STRESS_DEPTH": str(depth)})
        if steps:
            env["STRESS_STEPS"] = str(steps)
    with open(out, "w") as fd3:
        try:
            p = subprocess.run([prog] + args, env=env, pass_fds=(fd3.fileno(),),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=RUN_TIMEOUT, preexec_fn=lambda: os.dup2(fd3.fileno(), 3))
            status = p.returncode
        except subprocess.TimeoutExpired:
            return True, 0  # a hang is the bug showing (plain runs of a deadlock)
    text = open(out).read()
    shim = open(stress).read() if os.path.exists(stress) else ""
    found = status != 0 or '"type":"finding"' in text or '"type":"finding"' in shim
    m = re.findall(r'"type":"end".*?"steps":(\d+)', shim)
    return found, max(map(int, m)) if m else 0


def runs_to_find(prog, args, mode, depth, steps, trial, cap, workdir):
    for i in range(1, cap + 1):
        seed = (trial * 1000003 + i * 7919) % 2147483647
        if run_once(prog, args, mode, seed, depth, steps, workdir)[0]:
            return i
    return None


def median_runs(values, cap):
    found = [v for v in values if v is not None]
    if len(found) * 2 <= len(values):
        return f">{cap}", None
    v = statistics.median([x if x is not None else cap * 10 for x in values])
    return f"{v:g}", v


def plain_median(prog, args, n, workdir):
    hits = runs = 0
    while runs < n and hits < 20:  # 20 hits estimate the rate well enough
        hits += run_once(prog, args, None, 1, 0, None, workdir)[0]
        runs += 1
    n = runs
    if hits == 0:
        return f">{math.ceil(n * math.log(2))}", None, hits
    m = math.log(2) / (hits / n)
    return f"{max(m, 1):.1f}", max(m, 1), hits


def cpu_of(fn):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    fn()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime), time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--cap", type=int, default=100)
    ap.add_argument("--plain-runs", type=int, default=600)
    o = ap.parse_args()
    if not os.path.exists(GRADER) or not os.path.exists(SHIM):
        sys.exit("bench: run make first")
    work = tempfile.mkdtemp(prefix="bench-stress-")
    print(f"runs to first detection (median; random/pct over {o.trials} seed sequences, "
          f"plain from {o.plain_runs} runs)\n")
    print(f"{'variant':<28} {'plain':>8} {'random':>8} {'pct':>6} {'plain/pct':>10}  bug")
    kept = []
    for ex, var, args, depth, what in CASES:
        if not os.path.exists(os.path.join(ROOT, "solutions", ex, "buggy", var + ".c")):
            continue
        prog, d = build(ex, var)
        kept.append(d)
        calib = run_once(prog, args, "pct", 0x5eed, 1, 2000, work)[1] or None
        plain_s, plain_v, _ = plain_median(prog, args, o.plain_runs, work)
        rnd = [runs_to_find(prog, args, "random", depth, None, t, o.cap, work) for t in range(o.trials)]
        pct = [runs_to_find(prog, args, "pct", depth, calib, t, o.cap, work) for t in range(o.trials)]
        rnd_s, _ = median_runs(rnd, o.cap)
        pct_s, pct_v = median_runs(pct, o.cap)
        if plain_v and pct_v:
            ratio = f"{plain_v / pct_v:.0f}x" if plain_v >= 10 * pct_v else f"{plain_v / pct_v:.1f}x"
        elif pct_v:
            ratio = f">{math.ceil(o.plain_runs * math.log(2) / pct_v)}x"
        else:
            ratio = "-"
        print(f"{ex + '/' + var:<28} {plain_s:>8} {rnd_s:>8} {pct_s:>6} {ratio:>10}  {what}")
        sys.stdout.flush()

    ex, var, args = OVERHEAD
    prog, d = build(ex, var)
    kept.append(d)
    print(f"\nshim cost on the correct {ex} solution, scenario {' '.join(args)} (10 runs each):")
    base_cpu, base_wall = cpu_of(lambda: [run_once(prog, args, None, 1, 0, None, work) for _ in range(10)])
    print(f"  {'native':<8} cpu {base_cpu:6.2f} s  wall {base_wall:6.2f} s  1.00x")
    for mode in ("observe", "random", "pct"):
        cpu, wall = cpu_of(lambda: [run_once(prog, args, mode, s, 3, None, work) for s in range(10)])
        print(f"  {mode:<8} cpu {cpu:6.2f} s  wall {wall:6.2f} s  {cpu / max(base_cpu, 1e-3):.2f}x cpu, "
              f"{wall / max(base_wall, 1e-3):.2f}x wall")
    for d in kept:
        subprocess.run(["rm", "-rf", d])
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
