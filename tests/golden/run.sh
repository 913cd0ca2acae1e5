#!/usr/bin/env bash
# tests/golden/run.sh - end-to-end golden reports, as TAP.
#
# Each file tests/golden/EXERCISE/ITEM[.FORMAT].EXT names a submission and a
# report format; the item is graded for real (every tool runs) and the report
# compared with the file, durations, repeat counts and the numbers of notes
# marked "information, not graded:" (measurements) masked.
#   ITEM:   reference (solutions/EX/EX.c), skeleton (exercises/EX/EX.c),
#           alt-NAME (tests/submissions/EX/NAME.c), or a buggy variant's name
#           (solutions/EX/buggy/ITEM.c)
#   FORMAT: json (ITEM.json), text (ITEM.txt), classroom (ITEM.classroom.json),
#           gradescope (ITEM.gradescope.json), junit (ITEM.junit.xml),
#           markdown (ITEM.md), html (ITEM.html)
#   LANG:   English, or ITEM.pt-BR.EXT (e.g. serial.pt-BR.txt) graded with
#           --lang pt-BR
# Only items whose report is deterministic have a golden file: a submission
# whose behaviour depends on luck is covered by `grader check` instead.
# JSON reports are kept in a reviewable form (normalize.py: one line per
# schedule event, no renumbering, the last events only), so a change to the
# scheduler touches only the golden lines it really changes.
#   tests/golden/run.sh            compare
#   tests/golden/run.sh --update   rewrite every golden file from a fresh run
#   tests/golden/run.sh --update EX   only those of exercise EX
cd "$(dirname "$0")/../.."
update=${1:-}
only=${2:-}
mask() {
    sed -E 's/"duration_ms": [0-9]+/"duration_ms": 0/; s/"duration":[0-9]+/"duration":0/g;
            s/"execution_time": [0-9.]+/"execution_time": 0/; s/time="[0-9.]+"/time="0"/g;
            s/\(([0-9]+\.[0-9]) s\)$/(0 s)/; /"count": [0-9]+,?$/d;
            s/<span class="dur dim">\([0-9.]+ s\)/<span class="dur dim">(0 s)/
            /information, not graded:/ s/[0-9]+(\.[0-9]+)?/N/g'
}
status=0
for golden in tests/golden/*/*.*; do
    ex=$(basename "$(dirname "$golden")")
    file=$(basename "$golden")
    [ -n "$only" ] && [ "$ex" != "$only" ] && continue
    case $file in
        *.classroom.json) fmt=classroom ;;
        *.gradescope.json) fmt=gradescope ;;
        *.junit.xml) fmt=junit ;;
        *.md) fmt=markdown ;;
        *.html) fmt=html ;;
        *.txt) fmt=text ;;
        *.json) fmt=json ;;
        *) continue ;;
    esac
    item=${file%%.*}
    lang=en
    case $file in *.pt-BR.*) lang=pt-BR ;; esac
    case $item in
        reference) src=solutions/$ex/$ex.c ;;
        skeleton) src=exercises/$ex/$ex.c ;;
        alt-*) src=tests/submissions/$ex/${item#alt-}.c ;;
        *) src=solutions/$ex/buggy/$item.c ;;
    esac
    out=tests/out/golden-$ex-$file
    mkdir -p tests/out
    NO_COLOR=1 bin/grader grade "$ex" --source "$src" --format "$fmt" --lang "$lang" | mask |
        python3 tests/golden/normalize.py >"$out"
    if [ "$update" = --update ]; then
        cp "$out" "$golden"
        echo "ok - golden $ex/$file (updated)"
    elif diff -u "$golden" "$out" >"$out.diff"; then
        echo "ok - golden $ex/$file"
    else
        echo "not ok - golden $ex/$file differs (diff in $out.diff)"
        head -30 "$out.diff" | sed 's/^/    /'
        status=1
    fi
done
exit $status
