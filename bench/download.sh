#!/usr/bin/env bash
# bench/download.sh - the event loop against one request after another.
#
# Builds bench/download_bench.c twice, with the reference solution of the
# `download` exercise and with its sequential variant (blocking sockets, one
# request at a time), and times both on the same loopback test server with
# latency routes. Prints a table and the speed-up measured in this run.
# Needs `make` first (build/harness/httpd and the driver support archive).
set -eu
cd "$(dirname "$0")/.."
root=$PWD
out=bench/out
mkdir -p "$out"
export GRADER_HTTPD="$root/build/harness/httpd"
[ -x "$GRADER_HTTPD" ] && [ -f build/harness/driver-native.a ] || { echo "run make first" >&2; exit 2; }

build() { # build NAME SOURCE
    gcc -std=c11 -D_GNU_SOURCE -O2 -pthread -Iexercises/download -Iharness/driver \
        -o "$out/bench-$1" bench/download_bench.c "$2" build/harness/driver-native.a -ldl
}
build event-loop solutions/download/download.c
build sequential solutions/download/buggy/sequential.c

ms() { "$out/bench-$1" "$2" "$3" "$4" | sed -E 's/ms=([0-9]+) ok=([0-9]+)/\1 \2/'; }

printf '%6s %9s %9s | %18s %18s %8s\n' urls latency body "event loop" sequential ratio
for row in "20 100 1000" "100 50 10000" "300 20 1000"; do
    set -- $row
    read -r a ok_a <<<"$(ms event-loop "$1" "$2" "$3")"
    read -r b ok_b <<<"$(ms sequential "$1" "$2" "$3")"
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1fx", b / (a > 0 ? a : 1) }')
    printf '%6s %7sms %8sB | %8sms %3s/%-3s %8sms %3s/%-3s %8s\n' "$1" "$2" "$3" "$a" "$ok_a" "$1" "$b" "$ok_b" "$1" "$ratio"
done
