#!/usr/bin/env python3
"""check.py - assertions of the hostile suite (tests/hostile/run.sh).

  check.py verdict REPORT.json CASE.c SECONDS
      The report holds the verdict the case's header declares:
        outcome: pass|fail            the report's outcome
        kinds: K...                   every kind is among the report's findings
        kinds-any: K...               at least one of them is
        checks: NAME=OUTCOME...       outcomes of single checks
        seconds: N                    the grading took at most N seconds
      Prints one line saying what was seen; exits 1 on a mismatch.
  check.py workflow STDOUT STDERR
      Reads both streams as the GitHub Actions runner does and fails if any
      line outside ::stop-commands::TOKEN ... ::TOKEN:: is a workflow command.
  check.py score REPORT.json
      Prints "SCORE/MAX".
  check.py leak SECRET FILE...
      Fails if any file holds the secret or any 8 characters of it in a row
      (as they are, or written with JSON or HTML escapes); prints how
      many files were searched.
  check.py leftovers DIR MARK
      Lists live processes (but us) whose program, working directory or
      command line names DIR or MARK; exits 1 if there is one.
"""
import html
import os
import json
import re
import sys


def header(path):
    """The case's declarations: {key: value} from its first comment."""
    text = open(path, encoding="utf-8", errors="replace").read()
    end = text.find("*/")
    decl = {}
    for line in text[: end if end >= 0 else len(text)].splitlines():
        m = re.match(r"^\s*(?:/\*|\*)?\s*([a-z-]+):\s*(.*?)\s*$", line)
        if m:
            decl[m.group(1)] = m.group(2)
    return decl


def findings(report):
    return [f.get("kind") for c in report.get("checks", []) for f in c.get("findings", [])]


def verdict(report_path, case_path, seconds):
    decl = header(case_path)
    problems = []
    try:
        report = json.load(open(report_path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"the JSON report is not valid: {e}")
        return 1
    outcome = report.get("outcome")
    want = decl.get("outcome")
    if want and outcome != want:
        problems.append(f"outcome {outcome}, expected {want}")
    kinds = findings(report)
    for k in decl.get("kinds", "").split():
        if k not in kinds:
            problems.append(f"no {k} finding")
    any_of = decl.get("kinds-any", "").split()
    if any_of and not set(any_of) & set(kinds):
        problems.append(f"none of {' '.join(any_of)} among the findings")
    checks = {c.get("name"): c.get("outcome") for c in report.get("checks", [])}
    for pair in decl.get("checks", "").split():
        name, _, out = pair.partition("=")
        if checks.get(name) != out:
            problems.append(f"check {name} is {checks.get(name)}, expected {out}")
    limit = float(decl.get("seconds", "60"))
    if float(seconds) > limit:
        problems.append(f"took {float(seconds):.0f} s, more than {limit:.0f} s")
    seen = sorted(set(k for k in kinds if k))
    summary = f"{outcome} ({', '.join(seen) or 'no finding'}) in {float(seconds):.0f} s"
    print(summary if not problems else summary + ": " + "; ".join(problems))
    return 1 if problems else 0


def workflow(stdout_path, stderr_path):
    """Lines in the order the runner may see them: each stream on its own
    (the runner interleaves them; a command is effective wherever it lands
    unless stopped, so each stream must be safe by itself and, stdout being
    the one that stops, stderr must hold no command at all)."""
    bad = []
    for path, name in ((stdout_path, "stdout"), (stderr_path, "stderr")):
        stopped = None
        lines = open(path, "rb").read().decode("utf-8", "replace").splitlines()
        for n, line in enumerate(lines, 1):
            s = line.lstrip()
            if stopped:
                if s == f"::{stopped}::":
                    stopped = None
                continue
            m = re.match(r"^::([a-zA-Z-]+)(?: [^:]*)?::(.*)$", s)
            if not m:
                continue
            if m.group(1) == "stop-commands" and name == "stdout" and len(m.group(2)) >= 16:
                stopped = m.group(2)
                continue
            bad.append(f"{name}:{n}: {s[:80]}")
    if bad:
        print("effective workflow commands: " + " | ".join(bad[:3]))
        return 1
    print("no effective workflow command")
    return 0


def score(report_path):
    r = json.load(open(report_path, encoding="utf-8"))
    print(f"{r.get('score')}/{r.get('max_score')}")
    return 0


def leak(secret, *paths):
    windows = {secret[i:i + 8] for i in range(len(secret) - 7)}
    found = []
    for path in paths:
        try:
            text = open(path, "rb").read().decode("utf-8", "replace")
        except OSError:
            continue
        # what a JSON or HTML escape could hide
        plain = html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text))
        for w in windows:
            if w in text or w in plain:
                found.append(f"{os.path.basename(path)} holds '{w}'")
                break
    if found:
        print("the secret leaked: " + "; ".join(found[:3]))
        return 1
    print(f"no trace of the secret in {len(paths)} files (every format)")
    return 0


def leftovers(directory, mark):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in (os.getpid(), os.getppid()):
            continue
        names = []
        for link in ("exe", "cwd"):
            try:
                names.append(os.readlink(f"/proc/{pid}/{link}"))
            except OSError:
                pass
        try:
            names.append(open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            pass
        if any(directory + "/" in n or mark in n for n in names):
            found.append(f"{pid}: {names[-1][:60] if names else '?'}")
    if found:
        print(f"{len(found)} processes left: " + " | ".join(found[:3]))
        return 1
    print("no process left")
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    commands = {"verdict": verdict, "workflow": workflow, "score": score, "leftovers": leftovers, "leak": leak}
    sys.exit(commands[cmd](*args))
