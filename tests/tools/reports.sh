#!/usr/bin/env bash
# tests/tools/reports.sh - every report format read by the consumer it is
# for, as TAP: JUnit by xmllint against the Jenkins JUnit schema
# (tests/tools/junit-jenkins.xsd) and by junitparser.
#
# Submissions graded for real: the threads reference; a buggy variant
# (serial.c) with Latin-1 comments, in a directory whose name is Latin-1;
# the same with a compile error; and the reference under a grader root whose
# spec raises an error in one check (a grader-side error).
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
cases="reference latin1 build error"
for c in $cases; do for f in junit; do grade $c $f; done; done

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
    skip "junit: junitparser" "python3-junitparser is not installed (scripts/setup --tests installs it)"
fi
exit $status
