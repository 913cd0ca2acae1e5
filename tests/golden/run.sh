#!/usr/bin/env bash
# tests/golden/run.sh - end-to-end golden reports, as TAP.
#
# Grades the items named by tests/golden/EXERCISE/ITEM.json for real (every
# tool runs) and compares the JSON report with the saved one, durations and
# repeat counts masked. ITEM is `reference` (solutions/EX/EX.c), `skeleton`
# (exercises/EX/EX.c), alt-NAME (another correct or buggy submission,
# tests/submissions/EX/NAME.c) or the name of a buggy variant
# (solutions/EX/buggy/ITEM.c).
# Only items whose report is deterministic have a golden file: a submission
# whose behaviour depends on luck is covered by `grader check` instead.
#   tests/golden/run.sh            compare
#   tests/golden/run.sh --update   rewrite every golden file from a fresh run
cd "$(dirname "$0")/../.."
update=${1:-}
mask() { sed -E 's/"duration_ms": [0-9]+/"duration_ms": 0/; /"count": [0-9]+,?$/d'; }
status=0
for golden in tests/golden/*/*.json; do
    ex=$(basename "$(dirname "$golden")")
    item=$(basename "$golden" .json)
    case $item in
        reference) src=solutions/$ex/$ex.c ;;
        skeleton) src=exercises/$ex/$ex.c ;;
        alt-*) src=tests/submissions/$ex/${item#alt-}.c ;;
        *) src=solutions/$ex/buggy/$item.c ;;
    esac
    out=tests/out/golden-$ex-$item.json
    mkdir -p tests/out
    bin/grader grade "$ex" --source "$src" --format json | mask >"$out"
    if [ "$update" = --update ]; then
        cp "$out" "$golden"
        echo "ok - golden $ex/$item (updated)"
    elif diff -u "$golden" "$out" >"$out.diff"; then
        echo "ok - golden $ex/$item"
    else
        echo "not ok - golden $ex/$item differs (diff in $out.diff)"
        head -30 "$out.diff" | sed 's/^/    /'
        status=1
    fi
done
exit $status
