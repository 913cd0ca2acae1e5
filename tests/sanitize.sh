#!/usr/bin/env bash
# tests/sanitize.sh SANBUILD - the grader under ASan + UBSan, as TAP.
#
# Runs the unit tests built with the sanitizers, then real gradings, a check,
# a scan, a broken spec and every report format with the sanitized grader
# (SANBUILD/bin/grader, built by `make sanitize`). Each must end with its
# usual exit status and without one line of a sanitizer report: any memory
# error, leak or undefined behaviour in the grader fails the tier.
set -u
cd "$(dirname "$0")/.."
repo=$PWD
san=${1:-build/san}
grader=$repo/$san/bin/grader
tmp=$(mktemp -d /tmp/grader-san-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export GRADER_ROOT=$repo NO_COLOR=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
status=0
n=0

# sanitized FILE...: whether the files hold a sanitizer report.
sanitized() {
    grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer' "$@"
}

# run NAME WANT CMD...: CMD's exit status must be in WANT (e.g. "0 1") and its
# output free of sanitizer reports.
run() {
    local name=$1 want=$2
    shift 2
    n=$((n + 1))
    "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"
    local rc=$?
    # An error status (2) with no sanitizer line is the machine's (a run or a
    # build cut short on a loaded machine): tried once more, and said so.
    if [[ " $want " != *" $rc "* ]] && [ "$rc" = 2 ] && ! sanitized "$tmp/$n.out" "$tmp/$n.err"; then
        echo "# sanitize $name: exit status 2 without a sanitizer report, tried again"
        sed 's/^/#   /' "$tmp/$n.out" | tail -5
        "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"
        rc=$?
    fi
    if sanitized "$tmp/$n.out" "$tmp/$n.err"; then
        echo "not ok - sanitize $name: a sanitizer report"
        grep -hE -A12 'ERROR: |runtime error:' "$tmp/$n.err" "$tmp/$n.out" | head -30 | sed 's/^/    /'
        status=1
    elif [[ " $want " != *" $rc "* ]]; then
        echo "not ok - sanitize $name: exit status $rc, expected $want"
        tail -15 "$tmp/$n.err" "$tmp/$n.out" | sed 's/^/    /'
        status=1
    else
        echo "ok - sanitize $name"
    fi
}

[ -x "$grader" ] && [ -x "$repo/$san/tests/unit" ] || {
    echo "not ok - sanitize: $grader or the unit tests were not built (make sanitize)"
    exit 1
}
run "unit tests" 0 "$repo/$san/tests/unit" --jobs 2
run "list" 0 "$grader" list
run "grade threads reference" 0 "$grader" grade threads --source solutions/threads/threads.c --format json
for f in text json markdown junit classroom gradescope html; do
    run "grade a buggy queue, $f" 1 "$grader" grade queue --source solutions/queue/buggy/one_cond.c --format "$f"
done
run "replay a failing schedule" "0 1" "$grader" replay bank --source solutions/bank/buggy/lock_order.c \
    --check crossing --seed 1
run "check value" 0 "$grader" check value
run "scan a racy program" 1 "$grader" scan tests/scan/race_counter.c -n 4
run "scan a program that does not compile" 2 "$grader" scan solutions/threads/threads.c
mkdir -p "$tmp/root/exercises/broken"
ln -s "$repo/build" "$tmp/root/build"
ln -s "$repo/harness" "$tmp/root/harness"
printf 'exercise { name = "broken", title = "x" }\ncheck "a" { points = 1, run = function(t) t:nope() end }\n' \
    >"$tmp/root/exercises/broken/spec.lua"
run "a broken spec" 2 env GRADER_ROOT="$tmp/root" "$grader" grade broken --source solutions/threads/threads.c
exit $status
