#!/usr/bin/env python3
"""The labelled programs of tests/scan and their scans.

Each program is a C file of tests/scan, or a folder of C files whose main.c
holds the label. The first comment says what a scan must find:

    scan-expect: clean                     nothing, from any detector
    scan-expect: error                     the scan says it could not be
                                           complete (a detector failed), in
                                           its JSON `error`, exit status 2
    scan-expect: deadlock timeout          at least one finding of these
                                           kinds, and no finding of another
    scan-args: --min 3                     the program's arguments
    scan-stdin: one\\ntwo\\n                 its standard input (\\n escapes)
    scan-opts: -n 4                        scan options of its own (after the
                                           common SCAN_OPTS)

`labels.py check OUT` scans every program (JSON in OUT/NAME.json) and prints
one TAP line each; bench/scan-detectors reads the same scans per detector.
"""
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DETECTORS = ["tsan", "helgrind", "asan", "pct", "random", "native"]
SCAN_OPTS = os.environ.get("SCAN_OPTS", "-n 12 --timeout 2").split()


class Program:
    def __init__(self, name, files):
        self.name = name
        self.files = files
        self.expect, self.args, self.stdin, self.opts = label_of(files[0])

    @property
    def clean(self):
        return self.expect == ["clean"]


def label_of(path):
    """(expected kinds or ["clean"], arguments, stdin bytes or None, options)."""
    with open(path, encoding="utf-8") as f:
        head = f.read().split("*/", 1)[0]
    fields = dict(re.findall(r"scan-(expect|args|stdin|opts):[ \t]*(.*)", head))
    if "expect" not in fields:
        raise SystemExit(f"{path}: no scan-expect line in its first comment")
    stdin = fields.get("stdin")
    return (fields["expect"].split(), fields.get("args", "").split(),
            stdin.encode().decode("unicode_escape").encode() if stdin is not None else None,
            fields.get("opts", "").split())


def programs():
    out = []
    for entry in sorted(os.listdir(HERE)):
        path = os.path.join(HERE, entry)
        if entry.endswith(".c"):
            out.append(Program(entry[:-2], [path]))
        elif os.path.isdir(path) and os.path.exists(os.path.join(path, "main.c")):
            rest = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".c") and f != "main.c")
            out.append(Program(entry, [os.path.join(path, "main.c")] + rest))
    return out


def scan(prog, out_dir, grader):
    """Scans one program; returns its JSON report (also kept in out_dir)."""
    cmd = [grader, "scan", *prog.files, *SCAN_OPTS, *prog.opts, "--format", "json"]
    if prog.stdin is not None:
        cmd += ["--stdin", "-"]
    if prog.args:
        cmd += ["--", *prog.args]
    env = dict(os.environ, GRADER_ROOT=ROOT)
    p = subprocess.run(cmd, input=prog.stdin or b"", capture_output=True, env=env)
    with open(os.path.join(out_dir, prog.name + ".json"), "wb") as f:
        f.write(p.stdout)
    try:
        report = json.loads(p.stdout)
    except ValueError:
        report = {"outcome": "error", "error": p.stderr.decode(errors="replace")[-400:], "findings": []}
    report["exit"] = p.returncode
    return report


def scan_all(out_dir, jobs=int(os.environ.get("SCAN_JOBS", "4"))):
    """Scans every program, `jobs` at once (a scan that waits for a hung
    run uses no processor), those that may hang first; in label order."""
    grader = os.environ.get("GRADER_BIN") or os.path.join(ROOT, "bin", "grader")
    progs = programs()
    order = sorted(progs, key=lambda p: "timeout" not in p.expect)
    with ThreadPoolExecutor(jobs) as pool:
        done = dict(zip((p.name for p in order), pool.map(lambda p: scan(p, out_dir, grader), order)))
    return [(p, done[p.name]) for p in progs]


def verdict(prog, report):
    """(ok, words) for one scanned program against its label."""
    kinds = [f["kind"] for f in report["findings"]]
    who = sorted({d for f in report["findings"] for d in f["seen_by"]}, key=DETECTORS.index)
    if prog.expect == ["error"]:
        ok = report["outcome"] == "error" and bool(report.get("error")) and report["exit"] == 2
        return ok, "error: " + str(report.get("error", "(no error field)"))[:120]
    if report["outcome"] == "error":
        return False, "error: " + str(report.get("error", "a run could not happen"))[:200]
    if prog.clean:
        if kinds:
            return False, "false alarm: " + ", ".join(sorted(set(kinds))) + " (" + ", ".join(who) + ")"
        return report["exit"] == 0, "clean"
    hit = [k for k in kinds if k in prog.expect]
    extra = sorted(set(k for k in kinds if k not in prog.expect))
    if not hit:
        return False, "missed: expected " + " or ".join(prog.expect) + (", got " + ", ".join(extra) if extra else "")
    if extra:
        return False, "unexpected " + ", ".join(extra) + " besides " + ", ".join(sorted(set(hit)))
    return report["exit"] == 1, ", ".join(sorted(set(hit))) + " (" + ", ".join(who) + ")"


def check(out_dir):
    bad = 0
    for prog, report in scan_all(out_dir):
        ok, words = verdict(prog, report)
        bad += not ok
        print(f"{'ok' if ok else 'not ok'} - {prog.name}: {words}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "check":
        raise SystemExit("usage: labels.py check OUT_DIR")
    os.makedirs(sys.argv[2], exist_ok=True)
    sys.exit(check(sys.argv[2]))
