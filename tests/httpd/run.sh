#!/usr/bin/env bash
# tests/httpd/run.sh - the download exercise's test server on its own, as TAP.
#
# Starts build/harness/httpd with routes, talks to it with a small C client
# (client.c, which checks bodies against the server's content generator) and
# with bash's /dev/tcp, and checks every kind of route, the statistics and
# the server's lifetime. Timing is only ever a lower bound (a latency is not
# cut short) or a generous upper bound (a failure cannot hang the suite).
set -u
cd "$(dirname "$0")/../.."
httpd=build/harness/httpd
tmp=$(mktemp -d)
status=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; status=1; }
check() { # check NAME CONDITION-OUTPUT EXPECTED-SUBSTRINGS...
    local name=$1 out=$2
    shift 2
    for want in "$@"; do
        case " $out " in *" $want "*) ;; *) bad "$name (no '$want' in: $out)"; return ;; esac
    done
    ok "$name"
}

gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -o "$tmp/client" tests/httpd/client.c || {
    bad "build the test client"
    exit 1
}
client() { timeout 20 "$tmp/client" "$port" "$@"; }

routes='/a/,size=1000;/c/,body=chunked;/z/,body=close;/k/,keepopen;/lat/,latency=300
/d/,piece=50,drip=20;/st/,stall;/r/,reset;/t/,truncate=100,size=1000;/lc/,lower
/rv/,rendezvous=3,patience=20000;/lone/,rendezvous=2,patience=300'
coproc HTTPD { exec "$httpd" --routes "$routes" --deadline 120 2>"$tmp/stderr"; }
server_pid=$HTTPD_PID
trap 'kill $server_pid 2>/dev/null; rm -rf "$tmp"' EXIT
read -r -t 10 word port <&"${HTTPD[0]}"
[ "$word" = port ] && [ "$port" -gt 0 ] 2>/dev/null && ok "announces its port ($port)" || { bad "announces its port"; exit 1; }

# 127.0.0.1 only: its listening socket is bound to 0100007F:PORT
hexport=$(printf '%04X' "$port")
grep -q " 0100007F:$hexport 00000000:0000 0A " /proc/net/tcp && ok "listens on 127.0.0.1 only" || bad "listens on 127.0.0.1 only"

check "Content-Length body, bytes from the path" "$(client /a/1)" status=200 framing=length len=1000 match=1 eof=1
check "query options override the route" "$(client '/a/q?size=5&status=500')" status=500 len=5 match=1
check "unrouted path: 404 with a body" "$(client /nowhere)" status=404 len=32 match=1
check "a megabyte, binary" "$(client '/a/big?size=2000000')" status=200 len=2000000 match=1
check "empty body" "$(client '/a/e?size=0')" status=200 len=0 match=1
check "chunked body" "$(client '/c/1?size=100000')" status=200 framing=chunked len=100000 match=1
check "chunked, empty body" "$(client '/c/2?size=0')" framing=chunked len=0 match=1
check "chunked, one-byte chunks" "$(client '/c/3?size=50&chunk=1')" framing=chunked len=50 match=1
check "close-delimited body" "$(client '/z/1?size=3000')" framing=close len=3000 match=1 eof=1
check "keep-alive without Connection: close" "$(client '/a/ka?size=10' --keep)" len=10 match=1 eof=0
check "keepopen ignores Connection: close" "$(client '/k/1?size=10' --timeout 500)" len=10 eof=0 error=timeout
check "lower-case header names" "$(client '/lc/1?size=7')" len=7 match=1 lower=1
out=$(client '/lat/1?size=10')
ms=${out##*ms=}
[ "$ms" -ge 300 ] && check "latency before the status line (${ms} ms)" "$out" status=200 match=1 ||
    bad "latency before the status line: answered after $ms ms"
out=$(client '/d/1?size=500')
reads=$(echo "$out" | sed -E 's/.*reads=([0-9]+).*/\1/')
[ "$reads" -ge 5 ] && check "slow drip arrives in pieces ($reads reads)" "$out" match=1 len=500 ||
    bad "slow drip arrives in pieces: $out"
check "stall: the server never answers" "$(client /st/1 --timeout 500)" status=0 error=timeout
check "stall after headers and some bytes" "$(client '/a/s?stall=100&size=1000' --timeout 500)" status=200 len=100 error=timeout
check "reset before answering" "$(client /r/1)" status=0 error=ECONNRESET
check "truncated body: closed early" "$(client /t/1)" status=200 framing=length len=100 eof=1

# a malformed request is answered 400 and counted
exec 3<>/dev/tcp/127.0.0.1/"$port"
printf 'HELLO\r\n\r\n' >&3
head -c 12 <&3 >"$tmp/bad"
exec 3>&-
grep -q '^HTTP/1.1 400' "$tmp/bad" && ok "malformed request: 400" || bad "malformed request: 400"

# rendezvous: nobody is answered until 3 requests wait at once
for fd in 5 6; do
    eval "exec $fd<>/dev/tcp/127.0.0.1/$port"
    printf 'GET /rv/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$fd" >&"$fd"
done
if timeout 0.5 head -c 1 <&5 >/dev/null; then bad "rendezvous holds the first two"; else ok "rendezvous holds the first two"; fi
out=$(client /rv/3)
check "the third opens the rendezvous" "$out" status=200 match=1
timeout 5 head -c 12 <&5 | grep -q 'HTTP/1.1 200' && timeout 5 head -c 12 <&6 | grep -q 'HTTP/1.1 200' &&
    ok "the held ones are answered too" || bad "the held ones are answered too"
exec 5>&- 6>&-

# a lone request gives up after the patience window and is answered
out=$(client /lone/1)
ms=${out##*ms=}
[ "$ms" -ge 300 ] && check "rendezvous gives up after its patience (${ms} ms)" "$out" status=200 ||
    bad "rendezvous gives up after its patience: $out"

# statistics
echo stats >&"${HTTPD[1]}"
stats=""
while read -r -t 5 line <&"${HTTPD[0]}"; do
    [ "$line" = end ] && break
    stats="$stats $line"
done
check "stats: rendezvous routes" "$stats" "route /rv/ requests=3 held_most=3 gave_up=0" "route /lone/ requests=1 held_most=1 gave_up=1"
check "stats: the malformed request" "$stats" "bad 1" 'bad_first no request line in "HELLO"'
check "stats: most simultaneous connections" "$stats" "most_open 3"
echo "count /a/1" >&"${HTTPD[1]}"
read -r -t 5 line <&"${HTTPD[0]}"
[ "$line" = "count 1" ] && ok "count of one path" || bad "count of one path: $line"

# lifetime: quit, end of stdin, deadline, parent death
echo quit >&"${HTTPD[1]}"
wait "$server_pid" 2>/dev/null && ok "quits on request" || bad "quits on request"
"$httpd" --deadline 1 </dev/null >/dev/null
[ $? = 0 ] && ok "exits at the end of its control pipe" || bad "exits at the end of its control pipe"
mkfifo "$tmp/quiet"
exec 8<>"$tmp/quiet" # a control pipe that never ends
start=$SECONDS
timeout 20 "$httpd" --deadline 1 <&8 >/dev/null
rc=$?
[ $rc = 0 ] && [ $((SECONDS - start)) -lt 10 ] && ok "exits after its deadline" || bad "exits after its deadline (status $rc)"
(bash -c "$httpd --deadline 60 <&8 >/dev/null & echo \$! >$tmp/orphan.pid; sleep 0.3; kill -9 \$\$"; true) 2>/dev/null
orphan=$(cat "$tmp/orphan.pid" 2>/dev/null)
for _ in $(seq 50); do kill -0 "$orphan" 2>/dev/null || break; sleep 0.1; done
if [ -n "$orphan" ] && ! kill -0 "$orphan" 2>/dev/null; then ok "dies with its parent"; else bad "dies with its parent"; kill "$orphan" 2>/dev/null; fi
exec 8>&-
"$httpd" --routes 'nope' </dev/null >/dev/null 2>"$tmp/err"
[ $? = 64 ] && grep -q "prefix must start" "$tmp/err" && ok "rejects bad routes" || bad "rejects bad routes"
exit $status
