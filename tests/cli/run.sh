#!/usr/bin/env bash
# tests/cli/run.sh - the instructor's commands end to end, as TAP:
#   grader new      a scaffolded exercise passes `grader check` at once;
#   grader batch    a class graded in parallel: one JSON per student, a CSV
#                   whose scores equal standalone gradings, a broken folder
#                   scored 0 without stopping the others, reruns that grade
#                   only what changed (resumable);
#   grader classroom-template  a starter repository with a loadable workflow,
#                   the student files, and no solution anywhere in it;
#   grader scan     files taken as regular files only: a link or a FIFO is
#                   refused at once (exit 2, saying what it is), never read;
#   grader replay   the command a report gives replays the run that went
#                   wrong: its schedule ends in the reported deadlock, and
#                   no (partial) score is printed.
set -u
cd "$(dirname "$0")/../.."
repo=$PWD
tmp=$(mktemp -d /tmp/grader-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
grader=$repo/bin/grader
status=0
ok() { echo "ok - cli $*"; }
bad() { echo "not ok - cli $*"; status=1; }

# --- grader new NAME, then grader check NAME, in a root of our own -----------------
root=$tmp/root
mkdir -p "$root/exercises" "$root/solutions"
ln -s "$repo/build" "$root/build"
ln -s "$repo/harness" "$root/harness"
if GRADER_ROOT=$root "$grader" new counter --title "A shared counter" >"$tmp/new.out" 2>&1 &&
    [ -f "$root/exercises/counter/spec.lua" ] && ls "$root"/solutions/counter/buggy/*.c >/dev/null 2>&1; then
    ok "new writes an exercise, its reference and a buggy variant"
else
    bad "new counter failed"; sed 's/^/    /' "$tmp/new.out" | tail -20
fi
if GRADER_ROOT=$root "$grader" check counter >"$tmp/check.out" 2>&1; then
    ok "the scaffolded exercise passes grader check"
else
    bad "grader check of a new exercise failed"; sed 's/^/    /' "$tmp/check.out" | tail -20
fi
if GRADER_ROOT=$root "$grader" new counter >"$tmp/again.out" 2>&1; then
    bad "new over an existing exercise should refuse"
else
    ok "new refuses to overwrite an existing exercise"
fi

# --- grader batch --------------------------------------------------------------------
class=$tmp/class
for s in ana bruno carla; do mkdir -p "$class/$s"; done
cp solutions/threads/threads.c "$class/ana/threads.c"
cp solutions/threads/buggy/serial.c "$class/bruno/threads.c"
: >"$class/carla/notes.txt" # no threads.c at all
"$grader" batch threads "$class" -j 2 >"$tmp/batch.out" 2>&1
rc=$?
csv=$class/grades/scores.csv
if [ -f "$csv" ] && [ -f "$class/grades/ana.json" ] && [ -f "$class/grades/bruno.json" ]; then
    ok "batch -j 2 writes one report per student and scores.csv (exit $rc)"
else
    bad "batch wrote no scores.csv or reports (exit $rc)"; sed 's/^/    /' "$tmp/batch.out" | tail -20
fi
score_of() { grep "^$1," "$csv" | cut -d, -f2; }
for s in ana bruno; do
    alone=$("$grader" grade threads "$class/$s" --format json 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["score"])')
    inbatch=$(score_of "$s")
    if [ -n "$alone" ] && [ "${inbatch%.*}" = "${alone%.*}" ]; then
        ok "batch scores $s as a grading alone does ($alone)"
    else
        bad "batch scored $s '$inbatch', alone '$alone'"; cat "$csv" | sed 's/^/    /'
    fi
done
c=$(score_of carla)
if [ -n "$c" ] && [ "${c%.*}" = 0 ]; then
    ok "a folder without the file is scored 0 and the others are graded"
else
    bad "carla (no threads.c) should be in scores.csv with 0, got '$c'"; sed 's/^/    /' "$csv"
fi
before=$(stat -c %Y.%s "$class/grades/ana.json" "$class/grades/bruno.json" 2>/dev/null)
sleep 1.1
touch "$class/bruno/threads.c"
"$grader" batch threads "$class" -j 2 >"$tmp/batch2.out" 2>&1
a1=$(echo "$before" | head -1)
a2=$(stat -c %Y.%s "$class/grades/ana.json" 2>/dev/null)
b1=$(echo "$before" | tail -1)
b2=$(stat -c %Y.%s "$class/grades/bruno.json" 2>/dev/null)
if [ "$a1" = "$a2" ] && [ "$b1" != "$b2" ]; then
    ok "a rerun grades only the submission that changed (resumable)"
else
    bad "rerun: ana's report should be untouched ($a1 -> $a2), bruno's regraded ($b1 -> $b2)"
fi
if "$grader" batch threads "$class" --list-commands >"$tmp/cmds" 2>&1 &&
    [ "$(grep -c 'grade threads' "$tmp/cmds")" -ge 2 ]; then
    ok "batch --list-commands prints one grading command per submission"
else
    bad "batch --list-commands"; sed 's/^/    /' "$tmp/cmds" | head
fi

# --- grader classroom-template ---------------------------------------------------------
starter=$tmp/starter
if "$grader" classroom-template "$starter" threads queue >"$tmp/tpl.out" 2>&1 &&
    [ -f "$starter/threads/threads.c" ] && [ -f "$starter/queue/queue.h" ]; then
    ok "classroom-template writes the student files of each exercise"
else
    bad "classroom-template"; sed 's/^/    /' "$tmp/tpl.out" | tail
fi
wf=$(ls "$starter"/.github/workflows/*.yml 2>/dev/null | head -1)
if [ -n "$wf" ] && python3 -c 'import sys,yaml; d=yaml.safe_load(open(sys.argv[1])); assert d["jobs"]' "$wf" 2>"$tmp/yaml.err"; then
    ok "the starter's workflow is valid YAML with jobs"
else
    bad "the starter's workflow is missing or not valid YAML"; sed 's/^/    /' "$tmp/yaml.err" | tail
fi
leak=$(find "$starter" -path '*/solutions*' -o -name 'buggy' | head -3)
if [ -z "$leak" ] && ! grep -rqs --include='*.c' -F "$(sed -n '/pthread_create/{p;q}' solutions/threads/threads.c)" "$starter/threads"; then
    ok "the starter holds no reference solution"
else
    bad "the starter leaks solutions: $leak"
fi
# --- grader scan takes regular files only ---------------------------------------------
ln -s "$repo/solutions/threads/threads.c" "$tmp/linked.c"
mkfifo "$tmp/piped.c"
for f in linked piped; do
    timeout 20 "$grader" scan "$tmp/$f.c" >"$tmp/scan-$f.out" 2>&1
    rc=$?
    if [ $rc = 2 ] && grep -q -e 'a symbolic link, not a regular file' -e 'a named pipe (FIFO), not a regular file' \
        "$tmp/scan-$f.out"; then
        ok "scan refuses $f.c at once, saying what it is"
    else
        bad "scan of $f.c: exit $rc"; sed 's/^/    /' "$tmp/scan-$f.out" | tail -5
    fi
done

# --- grader replay: the report's command, the failing run's schedule -------------------
src=solutions/bank/buggy/lock_order.c
NO_COLOR=1 "$grader" grade bank --source $src --only crossing --format json >"$tmp/rep.json" 2>/dev/null
cmd=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print(next(c.get("replay","") for c in r["checks"] if c["name"] == "crossing"))' "$tmp/rep.json" 2>/dev/null)
seed=${cmd##*--seed }
if [ -n "$cmd" ] && NO_COLOR=1 "$grader" replay bank --source $src --check crossing --seed "$seed" >"$tmp/replay.out" 2>"$tmp/replay.err"; then
    bad "replay of a deadlock passed: $cmd"
elif grep -q "wait-for cycle" "$tmp/replay.out" && grep -q "whole schedule of check 'crossing'" "$tmp/replay.out" &&
    ! grep -q "^Score" "$tmp/replay.out"; then
    ok "replay shows the failing run's schedule, without a score"
else
    bad "replay ($cmd)"; sed 's/^/    /' "$tmp/replay.out" | tail -20
fi
exit $status
