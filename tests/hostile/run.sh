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
#   Cases that declare `also: intake` (every new class: submissions that are
#   not regular files, reports a run tampered with) also assert a score no
#   higher than the skeleton's, that no trace of a secret planted outside the
#   grading (a root-only file when run as root) reaches any report format
#   (text, json, markdown, junit, classroom, gradescope, html), and that the
#   grading left no file in its temporary directory. Then one `grader batch`
#   of a class with hostile folders (a link to a classmate's file, a link to
#   the secret, a folder that is a link, a FIFO, a program that never ends,
#   under an exercise with a 30 s deadline) must finish, write every report
#   and scores.csv, and score the honest student exactly as when graded alone.
#   HOSTILE_CASES="fork_bomb kill_all" runs only those (`batch`: the batch).
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
    -e "s|@MARK@|$mark|g" -e "s|@CANARY_SECRET@|$tmp/canary/secret|g" -e "s|@PID@|$$|g" \
    -e "s|@SUBMISSIONS@|$tmp/sub|g" "$here/exercise/hostile.h.in" >"$root/exercises/hostile/hostile.h"
chmod -R a+rX "$tmp"
echo '#define SECRET_ANSWER 42' >"$secret"
# a secret outside the grading, readable by us only (root-only as root)
mkdir -p "$tmp/canary"
canary_secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
(umask 077 && printf '#define LEAKED "%s"\n' "$canary_secret" >"$tmp/canary/secret")

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
# submissions that are not regular files (made after the chmod, which must
# not touch what the links point to)
intake_case() { # NAME DESCRIPTION KINDS
    printf '/* %s\n * outcome: fail\n * kinds: %s\n * seconds: 10\n * also: intake\n */\n' "$2" "$3" \
        >"$tmp/out/$1.case"
    mkdir -p "$tmp/sub/$1"
}
chmod -R a+rX "$tmp/sub"
intake_case link_reference "The submission is a symbolic link to the reference." tampering
ln -s "$here/cases/reference.c" "$tmp/sub/link_reference/hostile.c"
intake_case link_canary "The submission is a symbolic link to a root-only secret." tampering
ln -s "$tmp/canary/secret" "$tmp/sub/link_canary/hostile.c"
intake_case fifo_submission "The submission is a FIFO nobody writes." tampering
mkfifo "$tmp/sub/fifo_submission/hostile.c"
intake_case dir_submission "The submission is a directory." build-error
mkdir "$tmp/sub/dir_submission/hostile.c"
intake_case oversized "The reference padded past the size cap (2 MiB)." build-error
{ cat "$here/cases/reference.c"; head -c $((2 << 20)) /dev/zero | tr '\0' ' '; echo; } \
    >"$tmp/sub/oversized/hostile.c"
chmod a+r "$tmp/sub/oversized/hostile.c"

# the skeleton's score: what a submission doing nothing gets
mkdir -p "$tmp/skeleton"
printf '#include "hostile.h"\nint hostile_run(int argc, char **argv) { (void)argc, (void)argv; return 0; }\n' \
    >"$tmp/skeleton/hostile.c"
chmod -R a+rX "$tmp/skeleton"
skeleton_score() { # EXERCISE: prints the skeleton's score
    GRADER_ROOT="$root" TMPDIR="$tmp/work" "$grader" grade "$1" "$tmp/skeleton" --format json 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin).get("score"))'
}
skeleton=$(skeleton_score hostile)

# intake_checks NAME DIR: the assertions of an `also: intake` case.
intake_checks() {
    local n=$1 dir=$2 got fmt only=
    got=$(check score "$tmp/out/$n.json" 2>/dev/null)
    if python3 -c "import sys; sys.exit(0 if float('${got%/*}' or 1e9) <= float('$skeleton') else 1)" 2>/dev/null; then
        ok "$n: score ${got%/*} <= the skeleton's $skeleton"
    else
        bad "$n: score ${got:-none}, more than the skeleton's $skeleton"
    fi
    # every format (the report's own check is enough for those that run)
    grep -q 'checks: .*tsan=fail' "$case_file" && only="--only tsan"
    for fmt in text markdown junit classroom gradescope html; do
        GRADER_ROOT="$root" TMPDIR="$tmp/work" timeout 120 "$grader" grade hostile "$dir" $only --format $fmt \
            >"$tmp/out/$n.$fmt" 2>>"$tmp/out/$n.err"
    done
    if line=$(check leak "$canary_secret" "$tmp/out/$n".{json,err,text,markdown,junit,classroom,gradescope,html}); then
        ok "$n: $line"
    else
        bad "$n: $line"
    fi
    if [ -z "$(ls -A "$tmp/work")" ]; then ok "$n: the grading left no file behind"
    else bad "$n: left in the grading's temporary directory: $(ls -A "$tmp/work" | head -3 | tr '\n' ' ')"; fi
}

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
    [[ " $also " == *" intake "* ]] && intake_checks "$n" "$dir"
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
[ -n "$bystander" ] && kill "$bystander" 2>/dev/null
bystander=

# --- a batch of a class with hostile folders -------------------------------------
batch_case() {
    local ex=$root/exercises/hostile_deadline class=$tmp/class out=$tmp/out/batch start end s
    mkdir -p "$ex" "$class"/{alice,bob,dave,erin,mallory}
    cp "$root/exercises/hostile/driver.c" "$root/exercises/hostile/hostile.h" "$ex/"
    # the hostile exercise, a 30 s deadline for the whole grading and a check
    # of 20 runs: a program that never ends needs more than the deadline
    sed -e 's/^exercise { name = "hostile", title = "\([^"]*\)", timeout = 2, \(.*\) }/exercise { name = "hostile_deadline", title = "\1", timeout = 2, deadline = 30, source = "hostile.c", header = "hostile.h", \2 }/' \
        "$root/exercises/hostile/spec.lua" >"$ex/spec.lua"
    cat >>"$ex/spec.lua" <<'LUA'

check "repeat" {
  title = "hostile_run returns 42, twenty times",
  points = 10,
  run = function(t)
    local last
    for _ = 1, 20 do last = t:run("run") end
    last:assert_ok()
  end,
}
LUA
    grep -q 'name = "hostile_deadline"' "$ex/spec.lua" || { bad "batch: cannot make the deadline exercise"; return; }
    cp "$here/cases/reference.c" "$class/alice/hostile.c"
    cp "$here/cases/sleep_past_deadline.c" "$class/dave/hostile.c"
    chmod -R a+rX "$ex" "$class"
    ln -s "$class/alice/hostile.c" "$class/bob/hostile.c"   # a classmate's file
    ln -s "$class/alice" "$class/carol"                     # a classmate's folder
    mkfifo "$class/erin/hostile.c"
    ln -s "$tmp/canary/secret" "$class/mallory/hostile.c"
    local skel
    skel=$(skeleton_score hostile_deadline)
    canaries_set
    start=$(date +%s)
    GRADER_ROOT="$root" TMPDIR="$tmp/work" timeout 300 "$grader" batch hostile_deadline "$class" -j 2 \
        --output "$out" >"$tmp/out/batch.out" 2>"$tmp/out/batch.err"
    end=$(date +%s)
    s=$((end - start))
    if [ -f "$out/scores.csv" ] && [ "$(tail -n +2 "$out/scores.csv" | wc -l)" = 6 ] && [ "$s" -le 150 ]; then
        ok "batch: every student graded and scores.csv written in $s s"
    else
        bad "batch: after $s s, scores.csv: $(tr '\n' ' ' <"$out/scores.csv" 2>/dev/null)"
    fi
    GRADER_ROOT="$root" TMPDIR="$tmp/work" "$grader" grade hostile_deadline "$class/alice" --format json \
        >"$tmp/out/alice-alone.json" 2>/dev/null
    local alone together
    alone=$(check score "$tmp/out/alice-alone.json" 2>/dev/null)
    together=$(check score "$out/alice.json" 2>/dev/null)
    if [ -n "$alone" ] && [ "$alone" = "$together" ] && [ "$alone" = 40/40 ]; then
        ok "batch: the honest student got $together, as when graded alone"
    else
        bad "batch: the honest student got ${together:-nothing} in the batch, ${alone:-nothing} alone"
    fi
    local who got
    for who in bob carol dave erin mallory; do
        got=$(check score "$out/$who.json" 2>/dev/null)
        if [ -n "$got" ] && [ "${got%/*}" -le "$skel" ] 2>/dev/null; then ok "batch: $who got $got (the skeleton: $skel)"
        else bad "batch: $who got ${got:-no report}, the skeleton $skel"; fi
    done
    if line=$(check verdict "$out/dave.json" /dev/stdin "$s" <<<'/* seconds: 150
 * kinds: timeout
 * checks: repeat=fail
 */'); then ok "batch: the program that never ends: $line"; else bad "batch: the program that never ends: $line"; fi
    if line=$(check leak "$canary_secret" "$out"/*.json "$out/scores.csv" "$tmp/out/batch.out" "$tmp/out/batch.err"); then
        ok "batch: $line"
    else
        bad "batch: $line"
    fi
    local damage left
    damage=$(canaries_damage)
    left=$(check leftovers "$tmp/work" "$mark")
    if [ $? = 0 ] && [ -z "$damage" ] && [ -z "$(ls -A "$tmp/work")" ]; then ok "batch: host untouched ($left, no file left)"
    else bad "batch: host touched: ${damage//$'\n'/, } $left $(ls -A "$tmp/work" | head -3 | tr '\n' ' ')"; fi
}
# worker_fault SIGNAL: a batch (-j 1) of two reference submissions whose
# first grading worker gets SIGNAL from outside (STOP: a grading that hangs
# in a way its own deadline cannot end; SEGV: one that dies); the batch must
# still end, write both reports (the faulty one saying why) and scores.csv,
# and score the other student as usual.
worker_fault() {
    local sig=$1 class=$tmp/fault-$1 out=$tmp/out/fault-$1 pid child= start end s i want
    mkdir -p "$class/a_faulty" "$class/b_honest"
    cp "$here/cases/reference.c" "$class/a_faulty/hostile.c"
    cp "$here/cases/reference.c" "$class/b_honest/hostile.c"
    chmod -R a+rX "$class"
    start=$(date +%s)
    GRADER_ROOT="$root" TMPDIR="$tmp/work" timeout 300 "$grader" batch hostile_deadline "$class" -j 1 \
        --output "$out" >"$tmp/out/fault-$sig.out" 2>"$tmp/out/fault-$sig.err" &
    pid=$!
    local batch=
    for i in $(seq 200); do
        [ -z "$batch" ] && batch=$(pgrep -P "$pid" | head -1)
        [ -n "$batch" ] && child=$(pgrep -P "$batch" | head -1)
        [ -n "$child" ] && break
        sleep 0.05
    done
    [ -n "$child" ] && kill -"$sig" "$child"
    wait "$pid"
    end=$(date +%s)
    s=$((end - start))
    if [ "$sig" = STOP ]; then want='/* seconds: 90
 * outcome: fail
 */'; else want='/* seconds: 60
 * outcome: error
 */'; fi
    if [ -n "$child" ] && line=$(check verdict "$out/a_faulty.json" /dev/stdin "$s" <<<"$want") &&
        grep -q -e 'did not end within its deadline' -e 'stopped without a report' "$out/a_faulty.json" &&
        [ "$(check score "$out/b_honest.json" 2>/dev/null)" = 40/40 ] && [ "$(tail -n +2 "$out/scores.csv" | wc -l)" = 2 ]; then
        ok "batch: a grading worker sent SIG$sig: its report says so ($line), the other got 40/40"
    else
        bad "batch: a grading worker sent SIG$sig (pid ${child:-not found}): ${line:-} $(tr '\n' ' ' <"$out/scores.csv" 2>/dev/null)"
    fi
    left=$(check leftovers "$tmp/work" "$mark")
    if [ $? = 0 ] && [ -z "$(ls -A "$tmp/work")" ]; then ok "batch: after SIG$sig, $left, no file left"
    else bad "batch: after SIG$sig: $left $(ls -A "$tmp/work" | head -3 | tr '\n' ' ')"; fi
}
if [ -z "${HOSTILE_CASES:-}" ] || [[ " $HOSTILE_CASES " == *" batch "* ]]; then
    batch_case
    worker_fault STOP
    worker_fault SEGV
fi
exit $status
