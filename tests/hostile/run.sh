#!/usr/bin/env bash
# tests/hostile/run.sh - hostile submissions, as TAP.
#
# Every file of tests/hostile/cases, and two submissions made here (binary
# garbage for a source, a missing file), is a submission of a tiny exercise of
# our own (tests/hostile/exercise: hostile_run must return 42), graded for
# real in a grader root made in a temporary directory. For each:
#   - the verdict its header declares, within its time (check.py verdict);
#   - the host untouched: world-writable canaries in /tmp, the repository and
#     $HOME intact and nothing written beside them, no process of the grading
#     left (by its directory or the daemon's mark), the grader still answers;
#   - what its `also:` line asks: a process of ours outside the grading still
#     alive (bystander), a grading of the real `threads` reference running at
#     the same time still gets full marks (concurrent), the daemon gone
#     (daemon), no effective GitHub workflow command under GITHUB_ACTIONS
#     (workflow). What the platform cannot give is skipped, saying why:
#     `needs-mount` cases without a mount namespace (hidden and read-only
#     files), `needs-isolation` ones without a PID namespace or a uid of the
#     runs' own (signals to our processes).
#   HOSTILE_CASES="fork_bomb kill_all" runs only those.
set -u
cd "$(dirname "$0")/../.."
repo=$PWD
here=$repo/tests/hostile
check() { python3 "$here/check.py" "$@"; }
tmp=$(mktemp -d /tmp/grader-hostile-XXXXXX)
chmod 755 "$tmp"
# our own copy: a rebuild of bin/grader while we run cannot touch it
grader=$tmp/grader
cp "$repo/bin/grader" "$grader"
mark="987.$$"
mkdir -p "$repo/tests/out" 2>/dev/null
home=${HOME:-}
[ -n "$home" ] && [ "$home" != / ] && [ -w "$home" ] || home=
# world-writable canaries where a submission should not reach: /tmp, the
# repository (when we may write there), our home
canaries=("/tmp/hostile-canary-$$")
secret_dir=$home
if [ -w "$repo/tests/out" ]; then
    canaries+=("$repo/tests/out/hostile-canary-$$")
    secret_dir=$repo/tests/out
fi
[ -n "$home" ] && canaries+=("$home/hostile-canary-$$")
secret="${secret_dir:-$tmp}/hostile-secret-$$.h"
bystander=

cleanup() {
    [ -n "$bystander" ] && kill "$bystander" 2>/dev/null
    for c in "${canaries[@]}"; do rm -f "$c" "$c.moved" "$c-pwned"; done
    rm -f "$secret" /tmp/hostile-pwned /var/tmp/hostile-pwned /dev/shm/hostile-pwned "$repo/hostile-pwned"
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- the grader root: the repository's build and harness, our exercise ---------
root=$tmp/root
mkdir -p "$root/exercises/hostile" "$tmp/work" "$tmp/sub" "$tmp/out"
ln -s "$repo/build" "$root/build"
ln -s "$repo/harness" "$root/harness"
cp "$here/exercise/spec.lua" "$here/exercise/driver.c" "$root/exercises/hostile/"
sed -e "s|@REPO@|$repo|g" -e "s|@SECRET@|$secret|g" -e "s|@CANARY_TMP@|${canaries[0]}|g" \
    -e "s|@CANARY_REPO@|$repo/tests/out/hostile-canary-$$|g" -e "s|@CANARY_HOME@|$home/hostile-canary-$$|g" \
    -e "s|@MARK@|$mark|g" "$here/exercise/hostile.h.in" >"$root/exercises/hostile/hostile.h"
chmod -R a+rX "$tmp"
echo '#define SECRET_ANSWER 42' >"$secret"

canaries_set() {
    for c in "${canaries[@]}"; do
        rm -f "$c.moved" "$c-pwned"
        echo "canary $$" >"$c" && chmod 666 "$c"
    done
    rm -f /tmp/hostile-pwned /var/tmp/hostile-pwned /dev/shm/hostile-pwned "$repo/hostile-pwned"
}

# What a submission changed outside its grading (empty: nothing).
canaries_damage() {
    local c f
    for c in "${canaries[@]}"; do
        [ "$(cat "$c" 2>/dev/null)" = "canary $$" ] || echo "$c changed"
        for f in "$c.moved" "$c-pwned"; do [ -e "$f" ] && echo "$f written"; done
    done
    for f in /tmp/hostile-pwned /var/tmp/hostile-pwned /dev/shm/hostile-pwned "$repo/hostile-pwned"; do
        [ -e "$f" ] && echo "$f written"
    done
}

# grade NAME DIR [ENV...]: grades DIR as JSON into $tmp/out/NAME.{json,err};
# sets `seconds`.
grade() {
    local name=$1 dir=$2
    shift 2
    local start end
    start=$(date +%s%N)
    env "$@" GRADER_ROOT="$root" TMPDIR="$tmp/work" timeout 300 "$grader" grade hostile "$dir" \
        --format json -v >"$tmp/out/$name.json" 2>"$tmp/out/$name.err"
    end=$(date +%s%N)
    seconds=$(((end - start) / 1000000000))
}

ok() { echo "ok - hostile $*"; }
bad() { echo "not ok - hostile $*"; status=1; }
status=0

# --- the submissions --------------------------------------------------------------
for f in "$here"/cases/*.c; do
    n=$(basename "$f" .c)
    mkdir -p "$tmp/sub/$n"
    cp "$f" "$tmp/sub/$n/hostile.c"
done
# not C at all: the bytes of a program
mkdir -p "$tmp/sub/not_c" "$tmp/sub/missing_file"
head -c 6000 /bin/true >"$tmp/sub/not_c/hostile.c"
printf '/* Binary garbage for a source.\n * outcome: fail\n * kinds: build-error\n * seconds: 20\n */\n' >"$tmp/out/not_c.case"
printf '/* No hostile.c in the folder.\n * outcome: fail\n * kinds: build-error\n * seconds: 10\n */\n' >"$tmp/out/missing_file.case"
chmod -R a+rX "$tmp/sub"

sleep 600 &
bystander=$!
have_mount= have_isolation=

for dir in "$tmp"/sub/reference "$tmp"/sub/*; do
    n=$(basename "$dir")
    [ "$n" = reference ] && [ -n "$have_mount" ] && continue
    if [ -n "${HOSTILE_CASES:-}" ] && [[ " $HOSTILE_CASES reference " != *" $n "* ]]; then continue; fi
    case_file=$here/cases/$n.c
    [ -f "$case_file" ] || case_file=$tmp/out/$n.case
    also=$(sed -n 's/^ \* also: //p' "$case_file")
    if [[ " $also " == *" needs-mount "* ]] && [ "$have_mount" != yes ]; then
        ok "$n # SKIP no mount namespace here: programs and the compiler see what the grader's uid sees"
        continue
    fi
    if [[ " $also " == *" needs-isolation "* ]] && [ "$have_isolation" != yes ]; then
        ok "$n # SKIP neither a PID namespace nor a uid of its own here: programs may signal our processes"
        continue
    fi
    canaries_set
    conc=
    if [[ " $also " == *" concurrent "* ]]; then
        GRADER_ROOT="$repo" "$grader" grade threads --source "$repo/solutions/threads/threads.c" \
            --format json >"$tmp/out/$n.concurrent.json" 2>/dev/null &
        conc=$!
    fi
    grade "$n" "$dir"
    if line=$(check verdict "$tmp/out/$n.json" "$case_file" "$seconds"); then
        ok "$n: $line"
    else
        bad "$n: $line"
        tail -5 "$tmp/out/$n.err" | sed 's/^/    /'
    fi
    if [ "$n" = reference ]; then
        grep '^grader: sandbox:' "$tmp/out/$n.err" | head -1 | sed 's/^/# /'
        grep -q 'namespaces: mount' "$tmp/out/$n.err" && have_mount=yes || have_mount=no
        grep -q -e 'dedicated uid' -e 'namespaces: mount.*pid' "$tmp/out/$n.err" && have_isolation=yes ||
            have_isolation=no
    fi
    [ -n "$conc" ] && wait "$conc"
    damage=$(canaries_damage)
    left=$(check leftovers "$tmp/work" "$mark")
    left_rc=$?
    if [ -z "$damage" ] && [ $left_rc = 0 ] && GRADER_ROOT="$root" "$grader" list >/dev/null 2>&1; then
        ok "$n: host untouched (canaries intact, $left, the grader answers)"
    else
        bad "$n: host touched: ${damage//$'\n'/, } $left"
    fi
    if [[ " $also " == *" bystander "* ]]; then
        if kill -0 "$bystander" 2>/dev/null; then ok "$n: a process of ours outside the grading survived"
        else bad "$n: killed a process outside the grading"; sleep 600 & bystander=$!; fi
    fi
    if [ -n "$conc" ]; then
        got=$(check score "$tmp/out/$n.concurrent.json" 2>/dev/null)
        if [ "$got" = 100/100 ]; then ok "$n: a grading of the threads reference at the same time got $got"
        else bad "$n: a grading of the threads reference at the same time got ${got:-no report}"; fi
    fi
    if [[ " $also " == *" daemon "* ]]; then
        if check leftovers /nonexistent "$mark" >/dev/null; then ok "$n: the daemon it left is gone"
        else bad "$n: the daemon it left is still running"; fi
    fi
    if [[ " $also " == *" workflow "* ]]; then
        for fmt in classroom text; do
            GITHUB_ACTIONS=true GITHUB_OUTPUT="$tmp/out/gh_output" GITHUB_STEP_SUMMARY="$tmp/out/gh_summary" \
                GRADER_ROOT="$root" TMPDIR="$tmp/work" "$grader" grade hostile "$dir" --format $fmt \
                >"$tmp/out/$n.$fmt.out" 2>"$tmp/out/$n.$fmt.err"
            if line=$(check workflow "$tmp/out/$n.$fmt.out" "$tmp/out/$n.$fmt.err") &&
                grep -q 'Autograding complete' "$tmp/out/$n.$fmt.out"; then
                ok "$n: $fmt report under GITHUB_ACTIONS quotes the commands, $line"
            else
                bad "$n: $fmt report under GITHUB_ACTIONS: ${line:-the commands are not quoted}"
            fi
        done
    fi
done
exit $status
