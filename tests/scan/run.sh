#!/usr/bin/env bash
# tests/scan/run.sh - `grader scan` over the labelled programs of tests/scan:
# each must get the verdict its first comment declares (see labels.py). One
# TAP line per program; the reports stay in tests/out/scan/NAME.json.
set -u
cd "$(dirname "$0")/../.."
out=tests/out/scan
rm -rf "$out"
mkdir -p "$out"
exec python3 tests/scan/labels.py check "$out"
