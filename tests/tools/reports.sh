#!/usr/bin/env bash
# tests/tools/reports.sh - every report format read by the consumer it is
# for, as TAP:
#   junit       xmllint against the Jenkins JUnit schema
#               (tests/tools/junit-jenkins.xsd), and junitparser
#   classroom   the contract of autograding-grading-reporter@v1: its Points
#               notice and console table agree, the job's colour follows the
#               top-level status, error tests carry their message, the full
#               maximum, the size limit of a step output
#   gradescope  the documented results.json spec, its Markdown output parsed
#               by cmark-gfm, and setup.sh + run_autograder run in a folder
#               laid out as /autograder
#   markdown    cmark-gfm: the student's lines and hint code as code blocks,
#               every site of a deadlock and of a race
#
# Submissions graded for real: the threads reference; a buggy variant
# (serial.c) with Latin-1 comments, in a directory whose name is Latin-1;
# the same with a compile error; the reference under a grader root whose
# spec raises an error in one check (a grader-side error) and, in the same
# kind of root, a `concurrent` hint of several lines holding code; a bank
# deadlock (lock_order.c) and a bank race (total_unlocked.c).
set -u
cd "$(dirname "$0")/../.."
repo=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; status=1; }
skip() { echo "ok - $1 # SKIP $2"; }

# --- the submissions ---------------------------------------------------------------
latin=$tmp/$(printf 'exerc\xedcio')
mkdir -p "$latin" "$tmp/broken"
{
    printf '/* Solu\xe7\xe3o do exerc\xedcio: a vers\xe3o serial */\n'
    sed 's|pthread_join(t, NULL);|pthread_join(t, NULL); /* espera a thread \xe9 aqui */|' \
        solutions/threads/buggy/serial.c
} >"$latin/threads.c"
sed 's|pthread_join(t, NULL); /\*|pthread_join(t, NULL) x; /*|' "$latin/threads.c" >"$tmp/broken/threads.c"
# a grader root whose `concurrent` check raises an error
groot=$tmp/root
mkdir -p "$groot/exercises"
ln -s "$repo/build" "$groot/build"
ln -s "$repo/harness" "$groot/harness"
cp -R exercises/threads "$groot/exercises/"
sed -i '/^check "concurrent"/,/^}/s|^    local r = t:run("concurrent".*|    error("the exercise is broken here")|' \
    "$groot/exercises/threads/spec.lua"
grep -q 'the exercise is broken here' "$groot/exercises/threads/spec.lua" || bad "could not break the spec"

# grade CASE FORMAT: the report of CASE in FORMAT into $tmp/CASE.FORMAT
grade() {
    local src root=$repo
    case $1 in
        reference) src=solutions/threads/threads.c ;;
        latin1) src=$latin/threads.c ;;
        build) src=$tmp/broken/threads.c ;;
        error) src=solutions/threads/threads.c root=$groot ;;
    esac
    GRADER_ROOT=$root bin/grader grade threads --source "$src" --format "$2" >"$tmp/$1.$2" 2>"$tmp/$1.$2.err"
}
# a grader root whose `concurrent` hint has several lines, two of them code
hroot=$tmp/hroot
mkdir -p "$hroot/exercises"
ln -s "$repo/build" "$hroot/build"
ln -s "$repo/harness" "$hroot/harness"
cp -R exercises/threads "$hroot/exercises/"
sed -i '/^check "concurrent"/,/^}/{/^  hint = /,/"),\{0,1\}$/d}' "$hroot/exercises/threads/spec.lua"
sed -i '/^check "concurrent"/a\  hint = "Start them all, then join them all:\\n    for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, run_call, &c[i]);\\n    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);\\nJoining inside the first loop runs the calls one after another.",' \
    "$hroot/exercises/threads/spec.lua"
GRADER_ROOT=$hroot bin/grader list -v >/dev/null 2>&1 || bad "the spec with a multi-line hint does not load"
cases="reference latin1 build error"
for c in $cases; do for f in junit classroom gradescope markdown; do grade $c $f; done; done
GRADER_ROOT=$hroot bin/grader grade threads --source solutions/threads/buggy/serial.c --only concurrent \
    --format markdown >"$tmp/hint.markdown" 2>/dev/null
bin/grader grade bank --source solutions/bank/buggy/lock_order.c --only reentrant --format markdown \
    >"$tmp/deadlock.markdown" 2>/dev/null
bin/grader grade bank --source solutions/bank/buggy/total_unlocked.c --only tsan --format markdown \
    >"$tmp/race.markdown" 2>/dev/null

# --- JUnit ----------------------------------------------------------------------------
for c in $cases; do
    if xmllint --noout --schema tests/tools/junit-jenkins.xsd "$tmp/$c.junit" 2>"$tmp/$c.xmllint"; then
        ok "junit $c: valid against the Jenkins JUnit schema (xmllint)"
    else bad "junit $c: xmllint: $(head -3 "$tmp/$c.xmllint")"; fi
done
# Debian's python3-junitparser is for Debian's python3 (another python3 may come first on PATH)
jp=
for py in python3 /usr/bin/python3; do "$py" -c 'import junitparser' 2>/dev/null && jp=$py && break; done
if [ -n "$jp" ]; then
    for c in $cases; do
        if "$jp" - "$tmp/$c.junit" "$c" <<'PY' 2>"$tmp/$c.jp"
import sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
case = sys.argv[2]
suites = list(xml)
assert len(suites) == 1, suites
cases = list(suites[0])
kinds = {}
for c in cases:
    for r in c.result:
        kinds.setdefault(type(r).__name__, []).append(c.name)
        assert r.message is None or "\ufffd" not in c.name
if case == "reference":
    assert not kinds, kinds
elif case == "latin1":
    assert kinds.get("Failure") == ["concurrent"], kinds
    text = "".join(r.text or "" for c in cases for r in c.result)
    assert "\ufffd" in text, "the Latin-1 path should show as U+FFFD"
elif case == "build":
    assert kinds.get("Failure") == ["build"], kinds
elif case == "error":
    assert "concurrent" in kinds.get("Error", []), kinds
    text = "".join(r.text or "" for c in cases for r in c.result)
    assert "the exercise is broken here" in text
PY
        then ok "junit $c: junitparser reads every testcase and its verdict"
        else bad "junit $c: junitparser: $(tail -2 "$tmp/$c.jp")"; fi
    done
else
    skip "junit: junitparser" "python3-junitparser is not installed (scripts/setup installs it)"
fi

# --- GitHub Classroom: the reporter's contract -------------------------------------------
# What autograding-grading-reporter@v1 does with a result (see the header):
# the Points notice sums scores of runners with a max_score, the console
# table computes passed/tests * max_score, the job is red for a top-level
# status fail or error, an error test is printed as its message alone.
for c in $cases; do
    if python3 - "$tmp/$c.classroom" "$c" <<'PY' 2>"$tmp/$c.cr"
import base64, json, sys
raw = open(sys.argv[1], "rb").read()
case = sys.argv[2]
r = json.loads(raw.decode("utf-8"))            # strict UTF-8
assert len(base64.b64encode(raw)) < 128 * 1024, "the step could not start"
assert r["version"] == 1 and r["status"] in ("pass", "fail", "error")
tests = r["tests"]
assert tests, "an empty list breaks the reporter"
for t in tests:
    assert t["status"] in ("pass", "fail", "error"), t
    assert isinstance(t["score"], (int, float)) and t["line_no"] == 0 and t["filename"] == ""
    assert t["test_code"], t
    if t["status"] == "error":
        assert t["message"], "an error test is shown as its message alone"
notice = sum(t["score"] for t in tests)
table = sum(t["status"] == "pass" for t in tests) / len(tests) * r["max_score"]
assert abs(notice - table) < 1e-9, (notice, table)
red = r["status"] in ("fail", "error")
want = {"reference": ("pass", 100), "latin1": ("fail", 65), "build": ("fail", 0), "error": ("error", 65)}[case]
assert (r["status"], notice) == want, (r["status"], notice)
assert r["max_score"] == 100, "the maximum never shrinks: %s" % r["max_score"]
assert red == (case != "reference")
if case == "error":
    errs = [t for t in tests if t["status"] == "error"]
    assert errs and "broken here" in errs[0]["message"], errs[:1]
if case == "build":
    assert "does not compile" in tests[0]["message"], tests[0]["message"]
PY
    then ok "classroom $c: the reporter's contract (status, Points = table, full maximum, messages)"
    else bad "classroom $c: $(tail -1 "$tmp/$c.cr")"; fi
done

# --- Markdown parser: cmark-gfm ---------------------------------------------------------
have_cmark=false
command -v cmark-gfm >/dev/null 2>&1 && have_cmark=true
# ast FILE: cmark-gfm's XML tree of a Markdown file (tables on)
ast() { cmark-gfm -e table -t xml "$1"; }

# --- Gradescope: results.json as documented ------------------------------------------------
for c in $cases; do
    if python3 - "$tmp/$c.gradescope" "$c" "$have_cmark" <<'PY' 2>"$tmp/$c.gs"
import json, subprocess, sys, xml.etree.ElementTree as ET
r = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
case, cmark = sys.argv[2], sys.argv[3] == "true"
TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
       "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
        "tags", "visibility", "extra_data"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
VIS = {"hidden", "after_due_date", "after_published", "visible"}
assert set(r) <= TOP, set(r) - TOP
assert isinstance(r["score"], (int, float))
t = r["execution_time"]
assert isinstance(t, (int, float)) and t > 0, "execution_time %r (truncated to whole seconds?)" % t
for k in ("output_format", "test_output_format", "test_name_format"):
    assert r.get(k, "text") in FORMATS, k
assert r.get("visibility", "visible") in VIS and r.get("stdout_visibility", "hidden") in VIS
tests = r["tests"]
for x in tests:
    assert set(x) <= TEST, set(x) - TEST
    assert x.get("status", "passed") in ("passed", "failed") and x.get("visibility", "visible") in VIS
    assert x.get("output_format", r.get("test_output_format", "text")) in FORMATS
    assert 0 <= x["score"] <= x["max_score"] or x["max_score"] == 0, x
    if cmark and x.get("output") and x.get("output_format") == "md":
        tree = ET.fromstring(subprocess.run(["cmark-gfm", "-t", "xml"], input=x["output"].encode(),
                                            capture_output=True, check=True).stdout)
        ns = "{http://commonmark.org/xml/1.0}"
        # hint and replay are blocks of their own, never run into the list above
        for p in tree.findall(ns + "paragraph"):
            pass
        for item in tree.iter(ns + "item"):
            text = "".join(item.itertext())
            assert "Replay" not in text and "Hint" not in text, "hint or replay inside a list item"
total_max = sum(x["max_score"] for x in tests)
by = {x["name"].split(":")[0]: x for x in tests}
assert "build" in by, "the build is a test, so its output is seen"
if case == "reference":
    assert r["score"] == 100 == total_max
if case == "latin1":
    assert r["score"] == 65 and total_max == 100 and by["concurrent"]["status"] == "failed"
if case == "build":
    assert t < 5, t
    assert by["build"]["status"] == "failed" and "does not compile" in by["build"]["output"], by["build"]
if case == "error":
    assert total_max == 100, "an error never drops points from the maximum: %s" % total_max
    e = by["concurrent"]
    assert "error" in e["name"] and e["tags"] == ["error"] and "broken here" in e["output"], e
    assert "could not be graded" in r["output"], r["output"]
PY
    then ok "gradescope $c: results.json as documented (formats, float time, every check a test, errors said)"
    else bad "gradescope $c: $(tail -1 "$tmp/$c.gs")"; fi
done

# Gradescope's layout: a folder standing for /autograder, with source/ (the
# unzipped autograder), submission/ and results/; setup.sh once, then
# run_autograder per submission, as Gradescope runs them
ag=$tmp/autograder
bin/grader gradescope-template "$ag/source" threads >/dev/null
mkdir -p "$ag/submission" "$ag/results"
if (cd "$ag" && AUTOGRADER_ROOT=$ag bash source/setup.sh >"$tmp/setup.log" 2>&1) && [ -x "$ag/source/grader/bin/grader" ]; then
    ok "gradescope-template: setup.sh installs what grading needs and builds the grader"
else bad "gradescope-template: setup.sh failed: $(tail -3 "$tmp/setup.log")"; fi
# autograde NAME: run_autograder on what submission/ holds now
autograde() {
    rm -f "$ag/results/results.json"
    (cd "$ag" && AUTOGRADER_ROOT=$ag ./source/run_autograder >"$tmp/ag-$1.log" 2>&1)
}
mkdir -p "$ag/submission/my folder"
cp solutions/threads/threads.c "$ag/submission/my folder/threads.c"
if autograde reference && python3 - "$ag/results/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["score"] == 100 and sum(t["max_score"] for t in r["tests"]) == 100, r["score"]
PY
then ok "gradescope-template: run_autograder grades the reference in a folder: 100/100"
else bad "gradescope-template: reference: $(tail -3 "$tmp/ag-reference.log")"; fi
rm -rf "$ag/submission"/*
echo 'int x;' >"$ag/submission/other.c"
if autograde missing && python3 - "$ag/results/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["score"] == 0 and "threads.c" in r["output"], r
PY
then ok "gradescope-template: a submission without threads.c is told which file to upload"
else bad "gradescope-template: missing file: $(tail -3 "$tmp/ag-missing.log")"; fi
cp solutions/threads/threads.c "$ag/submission/threads.c"
g=$ag/source/grader/bin/grader
mv "$g" "$g.real"
printf '#!/bin/sh\n[ "$1" = list ] && exec "$0.real" "$@"\nkill -SEGV $$\n' >"$g"
chmod +x "$g"
if autograde crash && python3 - "$ag/results/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["tests"]
assert len(t) == 1 and t[0]["max_score"] == 100 and t[0]["tags"] == ["error"], t
assert "not your code" in r["output"] and "139" in r["output"], r["output"]
PY
then ok "gradescope-template: a grader that crashes gives an error test of the full 100 points"
else bad "gradescope-template: crash: $(tail -3 "$tmp/ag-crash.log")"; fi
mv "$g.real" "$g"

# --- Markdown, through cmark-gfm --------------------------------------------------------
if $have_cmark; then
    for c in $cases hint deadlock race; do
        if ast "$tmp/$c.markdown" >"$tmp/$c.ast" 2>"$tmp/$c.cm" && python3 - "$tmp/$c.markdown" "$tmp/$c.ast" "$c" <<'PY' 2>>"$tmp/$c.cm"
import sys, xml.etree.ElementTree as ET
md = open(sys.argv[1], "rb").read().decode("utf-8")   # strict UTF-8
tree = ET.parse(sys.argv[2]).getroot()
case = sys.argv[3]
ns = "{http://commonmark.org/xml/1.0}"
blocks = [b.text or "" for b in tree.iter(ns + "code_block")]
cblocks = [b.text or "" for b in tree.iter(ns + "code_block") if b.get("info") == "c"]
items = ["".join(i.itertext()) for i in tree.iter(ns + "item")]
assert tree.find(ns + "table") is not None or case in ("hint", "deadlock", "race") or "table" in md
if case == "latin1":
    assert any("pthread_join(t, NULL); /* espera a thread \ufffd aqui */" in b for b in cblocks), cblocks
if case == "hint":
    code = [b for b in cblocks if "pthread_create(&t[i]" in b]
    assert code and "pthread_join(t[i], NULL);" in code[0] and code[0].count("\n") == 2, code
    paras = ["".join(p.itertext()).strip() for p in tree.iter(ns + "paragraph")]
    assert any(p.startswith("Start them all") for p in paras) and any(p.startswith("Joining inside") for p in paras), paras
if case == "deadlock":
    item = next(i for i in items if "deadlock" in i.lower())
    for line in ("bank.c:73", "bank.c:74", "bank.c:95"):
        assert line in item, (line, item)
    assert "T3 waits for M2" in item and "T2 waits for M1" in item, item
if case == "race":
    item = next(i for i in items if "data race" in i)
    assert "bank.c:94" in item and ("bank.c:60" in item or "bank.c:48" in item), item
    assert any("sum += b->acc[i].balance" in b for b in cblocks), "the unlocked reader's line is shown"
if case == "error":
    assert "Not graded" in md and "could not be graded" in md
PY
        then ok "markdown $c: cmark-gfm parses it as meant (code blocks, lines kept, every site)"
        else bad "markdown $c: $(tail -1 "$tmp/$c.cm")"; fi
    done
else
    skip "markdown: cmark-gfm" "cmark-gfm is not installed (scripts/setup installs it)"
fi
exit $status
