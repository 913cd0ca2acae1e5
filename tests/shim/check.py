#!/usr/bin/env python3
"""Checks the JSON lines libstress wrote (see harness/shim/PROTOCOL.md).

Usage: check.py COMMAND FILE [ARGS...]; exit status 0 when the check holds,
1 otherwise (with the reason on stderr).

  valid FILE                      every line is a JSON object with type and pid
  kinds FILE                      prints the kind of every finding, one a line
  cycle FILE N                    a deadlock finding whose N threads form a cycle:
                                  each waits for a lock the next one holds, with stacks
  self FILE EXE FIRST RELOCK      a self-deadlock whose hold and wait stacks resolve
                                  (addr2line) to the source lines marked FIRST and RELOCK
  lost FILE CAUSE                 a lost-wakeup finding with the given cause
  trace FILE                      prints the events without pid/addr (for comparison);
                                  exit 2 if a nondeterministic event is among them
  count FILE TYPE [OP]            prints how many lines of TYPE (and event op OP) exist
  inject FILE CALL INDEX          an inject line for CALL with INDEX
  forks FILE N                    N start lines from N processes, fork_index 0..N-1,
                                  children naming the first process as parent
"""
import json
import os
import subprocess
import sys


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def lines(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            try:
                out.append(json.loads(raw))
            except ValueError:
                fail(f"{path}:{n}: not JSON: {raw[:80]!r}")
    return out


def findings(path, kind=None):
    return [d for d in lines(path)
            if d.get("type") == "finding" and (kind is None or d.get("kind") == kind)]


def cmd_valid(path):
    rows = lines(path)
    if not rows:
        fail("no lines")
    for d in rows:
        if not isinstance(d, dict) or "type" not in d or "pid" not in d:
            fail(f"line without type/pid: {d}")


def cmd_kinds(path):
    for d in findings(path):
        print(d["kind"])


def thread_ok(t):
    return t.get("holds") and t.get("waits", {}).get("stack") and \
        all(h.get("stack") for h in t["holds"])


def cmd_cycle(path, n):
    for d in findings(path, "deadlock"):
        ts = d["threads"]
        if len(ts) != int(n) or not all(thread_ok(t) for t in ts):
            continue
        held = [{h["obj"] for h in t["holds"]} for t in ts]
        if all(ts[i]["waits"]["obj"] in held[(i + 1) % len(ts)] for i in range(len(ts))):
            if all(t["tid"] in d["message"] for t in ts):
                return
    fail(f"no {n}-thread deadlock cycle")


def marker_line(src, marker):
    with open(src) as f:
        for n, text in enumerate(f, 1):
            if marker in text:
                return n
    fail(f"marker {marker} not in {src}")


def frame_line(exe, frame):
    out = subprocess.run(["addr2line", "-e", exe, hex(frame["offset"])],
                         capture_output=True, text=True).stdout.strip()
    return out.split(":")[-1].split(" ")[0]


def cmd_self(path, exe, first, relock):
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prog", "relock.c")
    want_first, want_relock = marker_line(src, first), marker_line(src, relock)
    for d in findings(path, "self-deadlock"):
        t = d["threads"][0]
        hold, wait = t["holds"][0]["stack"][0], t["waits"]["stack"][0]
        got = (frame_line(exe, hold), frame_line(exe, wait))
        if got == (str(want_first), str(want_relock)) and t["holds"][0]["obj"] == t["waits"]["obj"]:
            return
        fail(f"lines {got}, want {(want_first, want_relock)}")
    fail("no self-deadlock finding")


def cmd_lost(path, cause):
    if not any(d.get("cause") == cause for d in findings(path, "lost-wakeup")):
        fail(f"no lost-wakeup finding with cause {cause}")


def cmd_trace(path):
    nondet = False
    for d in lines(path):
        if d.get("type") != "event":
            continue
        nondet |= bool(d.get("nondeterministic"))
        for key in ("pid", "addr"):
            d.pop(key, None)
        print(json.dumps(d, sort_keys=True))
    if nondet:
        sys.exit(2)


def cmd_count(path, typ, op=None):
    print(sum(1 for d in lines(path)
              if d.get("type") == typ and (op is None or d.get("op") == op)))


def cmd_inject(path, call, index):
    if not any(d.get("type") == "inject" and d.get("call") == call and
               d.get("index") == int(index) and d.get("errno") == "EAGAIN"
               for d in lines(path)):
        fail(f"no inject line for {call} #{index}")


def cmd_forks(path, n):
    starts = [d for d in lines(path) if d.get("type") == "start"]
    pids = {d["pid"] for d in starts}
    if len(starts) != int(n) or len(pids) != int(n):
        fail(f"{len(starts)} start lines from {len(pids)} processes")
    if sorted(d["fork_index"] for d in starts) != list(range(int(n))):
        fail("fork indices")
    root = [d for d in starts if d["fork_index"] == 0][0]["pid"]
    if any(d["ppid"] != root for d in starts if d["fork_index"]):
        fail("children do not name the parent")


COMMANDS = {"valid": cmd_valid, "kinds": cmd_kinds, "cycle": cmd_cycle, "self": cmd_self,
            "lost": cmd_lost, "trace": cmd_trace, "count": cmd_count,
            "inject": cmd_inject, "forks": cmd_forks}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        fail(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
