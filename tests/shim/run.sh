#!/usr/bin/env bash
# Tests of the schedule and stress library (harness/shim): builds the small
# programs in tests/shim/prog, runs them under the library with fixed seeds
# and checks the JSON lines it wrote. Prints one TAP line per test; the exit
# status is 0 only if every test passed.
#
#   tests/shim/run.sh [LIB]        LIB defaults to build/harness/libstress.so
set -u

LIB=${1:-build/harness/libstress.so}
if [ ! -f "$LIB" ]; then
    echo "Bail out! $LIB not found"
    exit 1
fi
LIB=$(cd "$(dirname "$LIB")" && pwd)/$(basename "$LIB")
HERE=$(cd "$(dirname "$0")" && pwd)
PROG=$HERE/prog
WORK=$(mktemp -d "${TMPDIR:-/tmp}/shim-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CHECK="python3 $HERE/check.py"
failures=0
count=0

ok() {
    count=$((count + 1))
    echo "ok - $1${2:+ # $2}"
}

notok() {
    count=$((count + 1))
    failures=$((failures + 1))
    echo "not ok - $1${2:+ # $2}"
}

# verdict NAME STATUS [DETAIL]: ok when STATUS is 0.
verdict() {
    if [ "$2" -eq 0 ]; then ok "$1" "${3:-}"; else notok "$1" "${3:-}"; fi
}

# run EXE MODE SEED [VAR=VALUE...] [-- ARG...]: runs $WORK/EXE ARG... under
# the library. Sets RC and OUTF (the JSON lines); stdout and stderr go to
# $WORK/stdout and $WORK/stderr.
run() {
    local exe=$1 mode=$2 seed=$3
    shift 3
    local vars=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        vars+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    OUTF=$WORK/$exe.$mode.$seed.jsonl
    rm -f "$OUTF"
    {
        env STRESS_MODE="$mode" STRESS_SEED="$seed" STRESS_OUT="$OUTF" STRESS_EXE="$WORK/$exe" \
            "${vars[@]}" LD_PRELOAD="$LIB" timeout 20 "$WORK/$exe" "$@" \
            >"$WORK/stdout" 2>"$WORK/stderr"
        RC=$?
    } 2>/dev/null
}

# seeds_until EXE MODE FIRST LAST TEST [VAR=VALUE...]: runs seeds FIRST..LAST
# until the shell command TEST succeeds; sets FOUND to that seed (or empty).
seeds_until() {
    local exe=$1 mode=$2 first=$3 last=$4 test=$5
    shift 5
    FOUND=
    for seed in $(seq "$first" "$last"); do
        run "$exe" "$mode" "$seed" "$@"
        if eval "$test"; then
            FOUND=$seed
            return
        fi
    done
}

# all_seeds EXE MODE FIRST LAST TEST [VAR=VALUE...]: TEST must hold for every
# seed; sets BAD to the first seed where it does not.
all_seeds() {
    local exe=$1 mode=$2 first=$3 last=$4 test=$5
    shift 5
    BAD=
    for seed in $(seq "$first" "$last"); do
        run "$exe" "$mode" "$seed" "$@"
        if ! eval "$test"; then
            BAD="$mode seed $seed (status $RC)"
            return
        fi
    done
}

# jcount FILE TYPE [OP]: how many lines of TYPE (events: of OP) FILE has
# (the library writes "type" first and "op" unquoted-free, so grep suffices).
jcount() {
    local pat="\"type\":\"$2\""
    [ $# -gt 2 ] && pat="$pat.*\"op\":\"$3\""
    grep -cs "$pat" "$1" || true
}

# clean_run: the run ended normally under an active library, without a
# finding.
clean_run() {
    [ $RC = 0 ] && [ "$(jcount "$OUTF" finding)" = 0 ] && [ "$(jcount "$OUTF" end)" = 1 ]
}

# ---- build ----------------------------------------------------------------
build() {
    local cc="gcc -g -O1 -pthread -Wall"
    local status=0
    for p in deadlock2 deadlock3 deadlock_barrier relock recursive check_act lostwake \
        spin create_fail fork_shared timed mixed lockheavy timeout_rescue rwcycle \
        trylock_backoff spin_lock new_thread_slice; do
        $cc "$PROG/$p.c" -o "$WORK/$p" || status=1
    done
    $cc -DWORK=512 "$PROG/lockheavy.c" -o "$WORK/lockwork" || status=1
    $cc "$PROG/buffer.c" -o "$WORK/buf_ok" || status=1
    $cc -DUSE_IF "$PROG/buffer.c" -o "$WORK/buf_if" || status=1
    $cc -DONE_COND "$PROG/buffer.c" -o "$WORK/buf_one" || status=1
    $cc -DONE_COND -DPSHARED "$PROG/buffer.c" -o "$WORK/buf_one_ps" || status=1
    $cc -DUSE_IF -DPSHARED "$PROG/buffer.c" -o "$WORK/buf_if_ps" || status=1
    $cc -DPSHARED "$PROG/buffer.c" -o "$WORK/buf_ok_ps" || status=1
    TSAN=0
    if command -v clang >/dev/null &&
        clang -g -O1 -fsanitize=thread "$PROG/race.c" -o "$WORK/race_tsan" 2>/dev/null &&
        clang -g -O1 -fsanitize=thread -DNO_RACE "$PROG/race.c" -o "$WORK/norace_tsan"; then
        TSAN=1
    fi
    verdict "build the test programs" $status
}

# ---- tests ----------------------------------------------------------------
test_inert() {
    local out=$WORK/inert.jsonl st=0
    rm -f "$out"
    env -u STRESS_MODE STRESS_OUT="$out" LD_PRELOAD="$LIB" "$WORK/buf_ok" >"$WORK/stdout" || st=1
    [ ! -e "$out" ] && [ "$(cat "$WORK/stdout")" = 72 ] || st=1
    env STRESS_MODE=pct STRESS_OUT="$out" STRESS_EXE=/bin/true LD_PRELOAD="$LIB" \
        "$WORK/buf_ok" >/dev/null || st=1
    [ ! -e "$out" ] || st=1
    verdict "inert without STRESS_MODE or in another executable" $st
}

test_deadlock2() {
    seeds_until deadlock2 pct 1 6 '[ $RC = 86 ] && $CHECK cycle "$OUTF" 2 && ! grep -q ok "$WORK/stdout"'
    verdict "two-thread lock cycle found under pct" "$([ -n "$FOUND" ]; echo $?)" "seed ${FOUND:-none}"
}

test_deadlock3() {
    seeds_until deadlock3 pct 1 10 '[ $RC = 86 ] && $CHECK cycle "$OUTF" 3'
    verdict "three-thread lock cycle found under pct" "$([ -n "$FOUND" ]; echo $?)" "seed ${FOUND:-none}"
}

test_deadlock_free_modes() {
    local st=0
    for mode in observe random; do
        run deadlock_barrier "$mode" 1
        [ $RC = 86 ] && $CHECK cycle "$OUTF" 2 || st=1
    done
    verdict "deadlock diagnosed when it closes in observe and random mode" $st
}

test_rwlock() {
    local st=0
    for mode in pct observe; do
        run rwcycle "$mode" 1
        [ $RC = 86 ] && $CHECK cycle "$OUTF" 2 || st=1
    done
    run rwcycle pct 1 -- upgrade
    [ $RC = 86 ] && $CHECK kinds "$OUTF" | grep -qx self-deadlock || st=1
    verdict "rwlock cycle and read-to-write upgrade diagnosed" $st
}

test_self_deadlock() {
    run relock pct 1
    local st=1
    [ $RC = 86 ] && $CHECK self "$OUTF" "$WORK/relock" FIRST-LINE RELOCK-LINE && st=0
    verdict "self-deadlock on a plain mutex, with both stacks" $st
}

test_recursive() {
    all_seeds recursive pct 1 6 clean_run
    [ -z "$BAD" ] && all_seeds recursive random 1 3 clean_run
    verdict "recursive mutex re-locked by its owner: no finding" "$([ -z "$BAD" ]; echo $?)" "$BAD"
}

test_if_wait() {
    seeds_until buf_if pct 1 10 '[ $RC != 0 ] && [ $RC != 124 ] && { grep -qs "\"type\":\"assert\"" "$OUTF" || [ -n "$($CHECK kinds "$OUTF")" ]; }'
    local what=
    [ -n "$FOUND" ] && what="seed $FOUND: $($CHECK kinds "$OUTF")$(grep -q '"type":"assert"' "$OUTF" && echo assert)"
    verdict "if instead of while around a condition wait caught under pct" \
        "$([ -n "$FOUND" ]; echo $?)" "${what:-not found}"
}

test_lost_wakeup() {
    seeds_until lostwake pct 1 10 '[ $RC = 86 ] && $CHECK lost "$OUTF" signal-to-nobody'
    verdict "lost wake-up (signal before wait) diagnosed under pct" \
        "$([ -n "$FOUND" ]; echo $?)" "seed ${FOUND:-none}"
}

test_timewarp() {
    seeds_until timeout_rescue pct 1 8 '[ $RC = 1 ] && grep -qs "\"type\":\"timewarp\".*\"suspect\":\"lost-wakeup\"" "$OUTF"'
    verdict "a lost wake-up ended by a timeout is explained (timewarp line)" \
        "$([ -n "$FOUND" ]; echo $?)" "seed ${FOUND:-none}"
}

test_one_cond() {
    seeds_until buf_one pct 1 12 '[ $RC = 86 ] && $CHECK kinds "$OUTF" | grep -qx "lost-wakeup\|stall"'
    verdict "one condition variable for two conditions: stall found under pct" \
        "$([ -n "$FOUND" ]; echo $?)" "seed ${FOUND:-none}: $([ -n "$FOUND" ] && $CHECK kinds "$OUTF")"
}

# STRESS_ONE_PROCESS=1: process-shared condition variables are scheduled in
# the model, so their lost wake-ups and `if` waits are found like private
# ones, and a correct buffer still runs clean.
test_one_process() {
    local st=0 what=
    seeds_until buf_one_ps pct 1 12 '[ $RC = 86 ] && $CHECK kinds "$OUTF" | grep -qx "lost-wakeup\|stall"' STRESS_ONE_PROCESS=1
    [ -n "$FOUND" ] || st=1
    what="one cond: seed ${FOUND:-none}"
    seeds_until buf_if_ps pct 1 10 '[ $RC != 0 ] && [ $RC != 124 ] && { grep -qs "\"type\":\"assert\"" "$OUTF" || [ -n "$($CHECK kinds "$OUTF")" ]; }' STRESS_ONE_PROCESS=1
    [ -n "$FOUND" ] || st=1
    what="$what; if: seed ${FOUND:-none}"
    all_seeds buf_ok_ps pct 1 6 clean_run STRESS_ONE_PROCESS=1
    [ -z "$BAD" ] || st=1
    verdict "process-shared conditions scheduled with STRESS_ONE_PROCESS: lost wake-up and if found, correct runs clean" $st "$what${BAD:+; unclean: $BAD}"
}

test_check_then_act() {
    local found=0 plain=0 first=
    for seed in $(seq 1 12); do
        run check_act pct "$seed" STRESS_STEPS=8 STRESS_DEPTH=2
        if [ $RC = 3 ]; then
            found=$((found + 1))
            [ -z "$first" ] && first=$seed
        fi
    done
    for i in $(seq 1 12); do
        timeout 10 "$WORK/check_act" >/dev/null 2>&1 && continue
        [ $? = 3 ] && plain=$((plain + 1))
    done
    local st=1
    if [ -n "$first" ]; then
        run check_act pct "$first" STRESS_STEPS=8 STRESS_DEPTH=2
        [ $RC = 3 ] && st=0
    fi
    verdict "check-then-act found under pct and reproduced from its seed" $st \
        "pct $found/12 seeds, plain $plain/12 runs"
}

test_correct_buffer() {
    all_seeds buf_ok pct 1 30 'clean_run && [ "$(cat $WORK/stdout)" = 72 ] && [ ! -s $WORK/stderr ]'
    [ -z "$BAD" ] && all_seeds buf_ok random 1 10 clean_run
    [ -z "$BAD" ] && all_seeds buf_ok observe 1 3 clean_run
    [ -z "$BAD" ] && all_seeds mixed pct 1 8 clean_run
    [ -z "$BAD" ] && all_seeds mixed random 1 3 clean_run
    verdict "correct programs give no finding over many seeds" "$([ -z "$BAD" ]; echo $?)" "$BAD"
}

# Correct programs that retry: a trylock back-off between two threads and a
# wait that spins through lock/unlock. Under pct the retrying thread could
# keep the token for ever; it must yield (after a busy trylock, or after many
# points in a row) without any time slice, so every seed ends, deterministically.
test_retry_ends() {
    BAD=
    for d in 1 3 5; do
        [ -z "$BAD" ] && all_seeds trylock_backoff pct 1 12 \
            'clean_run && [ "$(cat $WORK/stdout)" = 40 ] && [ "$(jcount "$OUTF" event slice)" = 0 ]' \
            STRESS_DEPTH=$d STRESS_STEPS=50 STRESS_TRACE=1
        [ -z "$BAD" ] && all_seeds spin_lock pct 1 12 \
            'clean_run && [ "$(jcount "$OUTF" event slice)" = 0 ]' STRESS_DEPTH=$d STRESS_TRACE=1
    done
    verdict "a trylock back-off and a wait spinning through a lock end under pct, every seed" \
        "$([ -z "$BAD" ]; echo $?)" "$BAD"
}

# On a loaded processor a thread waits for the processor, not for anything
# the schedule decides: under pct it must keep the token (no `slice` event),
# also a thread granted the token before it ever ran.
test_loaded_no_slice() {
    command -v taskset >/dev/null || { ok "no slices on a loaded processor" "SKIP taskset unavailable"; return; }
    local pids=() slices=0
    for i in 1 2 3 4 5 6; do taskset -c 0 sh -c 'while :; do :; done' & pids+=($!); done
    sleep 0.3
    for seed in 1 2 3; do
        OUTF=$WORK/loaded.$seed.jsonl
        rm -f "$OUTF"
        STRESS_MODE=pct STRESS_SEED=$seed STRESS_TRACE=1 STRESS_OUT="$OUTF" STRESS_EXE="$WORK/new_thread_slice" \
            LD_PRELOAD="$LIB" timeout 60 taskset -c 0 "$WORK/new_thread_slice" >/dev/null 2>&1
        slices=$((slices + $(jcount "$OUTF" event slice)))
    done
    kill "${pids[@]}" 2>/dev/null
    wait "${pids[@]}" 2>/dev/null
    verdict "no slices on a loaded processor (the schedule stays the seed's)" "$([ $slices = 0 ]; echo $?)" \
        "$slices slice events beside 6 spinners"
}

# trace_of SEED FILE: the normalized pct trace of buf_ok; retried while it
# contains an event caused by real time.
trace_of() {
    for attempt in 1 2 3; do
        run buf_ok pct "$1" STRESS_TRACE=1
        $CHECK trace "$OUTF" >"$2" && return 0
    done
    return 1
}

test_determinism() {
    local st=1
    if trace_of 7 "$WORK/t1" && trace_of 7 "$WORK/t2" && trace_of 8 "$WORK/t3"; then
        cmp -s "$WORK/t1" "$WORK/t2" && ! cmp -s "$WORK/t1" "$WORK/t3" && st=0
    fi
    verdict "same seed gives the same trace (and another seed another)" $st \
        "$(wc -l <"$WORK/t1") events"
}

test_tsan() {
    if [ "$TSAN" != 1 ]; then
        ok "ThreadSanitizer still reports a race under the library" "SKIP clang -fsanitize=thread unavailable"
        return
    fi
    local st=0
    for mode in pct random; do
        run race_tsan "$mode" 3 STRESS_TRACE=1
        [ $RC = 66 ] && grep -q "data race" "$WORK/stderr" || st=1
        [ "$(jcount "$OUTF" event wait)" -ge 1 ] || st=1
    done
    run norace_tsan pct 3
    [ $RC = 0 ] && ! grep -q "data race" "$WORK/stderr" || st=1
    verdict "ThreadSanitizer still reports a race under the library (and no false one)" $st
}

test_fork() {
    local st=0
    for mode in pct random; do
        run fork_shared "$mode" 1
        [ $RC = 0 ] && [ "$(cat "$WORK/stdout")" = 1000 ] && $CHECK forks "$OUTF" 3 || st=1
    done
    verdict "fork children with threads and a process-shared mutex" $st
}

test_spin() {
    local st=0 slices=0
    for seed in 1 2 3 4 5 6; do
        run spin pct "$seed" STRESS_TRACE=1
        [ $RC = 0 ] || st=1
        slices=$((slices + $(jcount "$OUTF" event slice)))
    done
    [ $slices -ge 1 ] || st=1
    verdict "a spinning thread loses the token after its time slice" $st "$slices slice events"
}

test_inject() {
    local st=0
    run create_fail pct 1 STRESS_FAIL_CREATE=3 STRESS_FAIL_FORK=1
    [ $RC = 0 ] || st=1
    grep -qx "create 3 failed: EAGAIN" "$WORK/stdout" || st=1
    grep -qx "fork failed: EAGAIN" "$WORK/stdout" || st=1
    [ "$(grep -c failed "$WORK/stdout")" = 2 ] || st=1
    $CHECK inject "$OUTF" pthread_create 3 && $CHECK inject "$OUTF" fork 1 || st=1
    verdict "the k-th pthread_create and fork fail with EAGAIN" $st
}

test_virtual_time() {
    local t0 t1
    t0=$(date +%s%N)
    run timed pct 1
    t1=$(date +%s%N)
    local ms=$(((t1 - t0) / 1000000))
    verdict "timed waits and sleeps time out in virtual time under pct" \
        "$([ $RC = 0 ] && [ $ms -lt 2500 ]; echo $?)" "${ms} ms for 8 s of deadlines"
}

test_output() {
    local st=0
    run lockheavy pct 1 STRESS_TRACE=1
    [ $RC = 0 ] || st=1
    $CHECK valid "$OUTF" || st=1
    local size
    size=$(stat -c %s "$OUTF" 2>/dev/null || echo 0)
    [ "$size" -le $((4200 * 1024)) ] && [ "$(jcount "$OUTF" truncated)" = 1 ] || st=1
    [ "$(jcount "$OUTF" end)" = 1 ] || st=1
    verdict "output is valid JSON lines, capped with one truncated line" $st "$size bytes"
}

# cpu_ms CMD...: CPU time of a command in milliseconds.
cpu_ms() {
    /usr/bin/time -o "$WORK/time" -f "%U %S" "$@" >/dev/null 2>&1
    awk '{printf "%d\n", ($1 + $2) * 1000}' "$WORK/time"
}

test_overhead() {
    if [ ! -x /usr/bin/time ]; then
        ok "random mode costs at most a few times native" "SKIP /usr/bin/time unavailable"
        return
    fi
    local native=0 shim=0
    rm -f "$WORK/perf.jsonl"
    for i in 1 2 3; do
        native=$((native + $(cpu_ms "$WORK/lockwork")))
        shim=$((shim + $(cpu_ms env STRESS_MODE=random STRESS_OUT="$WORK/perf.jsonl" \
            LD_PRELOAD="$LIB" "$WORK/lockwork")))
    done
    [ $native -gt 0 ] || native=1
    local ratio=$((shim * 10 / native))
    local active
    active=$(jcount "$WORK/perf.jsonl" end)
    verdict "random mode costs at most a few times native on a lock-heavy program" \
        "$([ $ratio -le 40 ] && [ "$active" = 3 ]; echo $?)" \
        "cpu ${shim} ms vs ${native} ms native: x$((ratio / 10)).$((ratio % 10))"
}

build
test_inert
test_deadlock2
test_deadlock3
test_deadlock_free_modes
test_self_deadlock
test_rwlock
test_recursive
test_if_wait
test_lost_wakeup
test_timewarp
test_one_cond
test_one_process
test_check_then_act
test_correct_buffer
test_retry_ends
test_loaded_no_slice
test_determinism
test_tsan
test_fork
test_spin
test_inject
test_virtual_time
test_output
test_overhead
echo "1..$count"
[ $failures -eq 0 ]
