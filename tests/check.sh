#!/usr/bin/env bash
# tests/check.sh - `grader check --all` as TAP: one line per proven item.
cd "$(dirname "$0")/.."
out=$(bin/grader check --all 2>&1)
rc=$?
echo "$out"
echo "$out" | awk '/^[^ ]/ {ex=$1} /^  [^ ]/ {st=($3=="ok")?"ok":"not ok"; print st " - check " ex " " $1}'
exit $rc
