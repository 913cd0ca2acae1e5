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
exit $status
