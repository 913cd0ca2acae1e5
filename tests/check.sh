#!/usr/bin/env bash
# tests/check.sh - `grader check --all` as TAP: one line per proven item.
# An item line is "  NAME... SCORE/MAX STATUS DETAIL": the name may have
# several words (e.g. "language pt-BR"), the status follows the score.
cd "$(dirname "$0")/.."
out=$(bin/grader check --all 2>&1)
rc=$?
echo "$out"
echo "$out" | awk '
    /^[^ ]/ { ex = $1 }
    /^  [^ ]/ {
        name = ""; st = ""
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^[0-9.]+\/[0-9.]+$/) { st = $(i + 1); break }
            name = name (name == "" ? "" : " ") $i
        }
        if (st == "") next
        print (st == "ok" ? "ok" : "not ok") " - check " ex " " name
    }'
exit $rc
