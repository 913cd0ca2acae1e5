#!/usr/bin/env bash
# tests/html/run.sh - the HTML report opened in a real browser, as TAP.
#
# Grades known buggy variants with `--format html` (and one `replay --html`),
# opens each page in headless Chromium (Debian's `chromium`, installed by
# scripts/setup), keeps a screenshot of it in tests/out/html/ (not
# committed), and checks the document Chromium built after running the
# page's script (tests/html/check_page.py says what is checked):
#   bank-check_then_act    the preemption between the balance check and the
#                          withdrawal, the other thread taking the lock
#   queue-close_signal     threads waiting for ever, folded events unfolded
#   replay-close_signal    the same run replayed: the signal nobody received
#   hostile                a submission whose source and path hold HTML
#   bank-pt-BR             the bank page graded with --lang pt-BR: lang attribute,
#                          notes, legend and headings in Portuguese, no English
#   lanes-N                timelines of 2, 6 and 14 threads at 1280 and 1920
#                          pixels: every lane on screen (tests/html/lanes.py)
#   spurious               queue, a wait guarded by `if`: the spurious wake-up
#                          and the put after it highlighted, nobody "for good"
#   deadlock               bank, opposite lock orders: the end row's lines are
#                          its lanes', the kind said once
cd "$(dirname "$0")/../.."
out=tests/out/html
rm -rf "$out"
mkdir -p "$out"
status=0

browser=$(command -v chromium || command -v chromium-browser)
if [ -z "$browser" ]; then
    echo "not ok - html: chromium is not installed (scripts/setup installs it)"
    exit 1
fi

# browse WHAT URL: Chromium headless, as root, no network of its own, in a
# new empty profile; WHAT is --dump-dom (to stdout) or --screenshot=FILE.
browse() {
    local profile rc
    profile=$(mktemp -d)
    timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --window-size=1400,3000 "$1" "$2" 2>/dev/null
    rc=$?
    rm -rf "$profile"
    return $rc
}

# look NAME CASE PAGE SOURCE [ANCHOR]: a screenshot, then the DOM checks
# (the DOM dumped with the page opened at #ANCHOR when given).
look() {
    local name=$1 case=$2 page=$3 source=$4 anchor=${5:-}
    local url="file://$PWD/$page"
    if browse --screenshot="$out/$name.png" "$url" >/dev/null && [ -s "$out/$name.png" ] &&
        [ "$(head -c 8 "$out/$name.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]; then
        echo "ok - $name: screenshot $out/$name.png"
    else
        echo "not ok - $name: no screenshot"
        status=1
    fi
    if ! browse --dump-dom "$url${anchor:+#$anchor}" >"$out/$name.dom.html" || [ ! -s "$out/$name.dom.html" ]; then
        echo "not ok - $name: chromium could not open the page"
        status=1
        return
    fi
    python3 tests/html/check_page.py "$case" "$page" "$out/$name.dom.html" "$source" || status=1
}

# grade NAME EXERCISE SOURCE CHECK: the HTML report of one check.
grade() {
    local page="$out/$1.html"
    bin/grader grade "$2" --source "$3" --only "$4" --format html --output "$page" --lang "${5:-en}" \
        >/dev/null 2>"$out/$1.log"
    if [ $? = 1 ] && [ -s "$page" ]; then
        echo "ok - $1: grade --format html wrote the report of a failed check"
    else
        echo "not ok - $1: grade --format html did not fail the check or wrote nothing (see $out/$1.log)"
        status=1
    fi
}

# the id of the first event row inside a fold of PAGE
folded_row() {
    sed -n '/<tbody class="fold">/,/<\/tbody>/p' "$1" | grep -o 'id="c[0-9]*-e[0-9]*"' | head -1 | cut -d'"' -f2
}

src=solutions/bank/buggy/check_then_act.c
grade bank-check_then_act bank $src never-negative
look bank-check_then_act bank "$out/bank-check_then_act.html" $src

src=solutions/queue/buggy/close_signal.c
grade queue-close_signal queue $src stress
page=$out/queue-close_signal.html
look queue-close_signal queue "$page" $src "$(folded_row "$page")"

seed=$(grep -o 'check stress --seed [0-9]*' "$page" | head -1 | awk '{print $4}')
if [ -n "$seed" ] && bin/grader replay queue --source $src --check stress --seed "$seed" \
    --html "$out/replay-close_signal.html" --lang en >"$out/replay-close_signal.txt" 2>&1; [ -s "$out/replay-close_signal.html" ]; then
    echo "ok - replay-close_signal: replay --html wrote the page (seed $seed)"
    look replay-close_signal replay "$out/replay-close_signal.html" $src
else
    echo "not ok - replay-close_signal: replay --html wrote nothing (seed '$seed')"
    status=1
fi

# every lane on screen: timelines of 2, 6 and 14 threads, in a window 1280
# and 1920 pixels wide (tests/html/lanes.py measures the boxes Chromium laid out)
lanes() {
    local name=$1 threads=$2 src=$3 check=$4 page="$out/lanes-$1.html" w
    bin/grader grade queue --source "$src" --only "$check" --format html --output "$page" >/dev/null 2>&1
    local n
    n=$(grep -o '<th class="lane' "$page" | wc -l)
    if [ "$n" != "$threads" ]; then
        echo "not ok - lanes-$name: the timeline has $n lanes, not $threads"
        status=1
        return
    fi
    python3 tests/html/lanes.py prepare "$page" "$out/lanes-$name.measure.html"
    for w in 1280 1920; do
        local profile
        profile=$(mktemp -d)
        timeout 90 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$profile" --hide-scrollbars --window-size=$w,1000 \
            --dump-dom "file://$PWD/$out/lanes-$name.measure.html" >"$out/lanes-$name-$w.dom.html" 2>/dev/null
        rm -rf "$profile"
        python3 tests/html/lanes.py check "lanes-$name ($threads threads)" $w "$out/lanes-$name-$w.dom.html" || status=1
    done
}
lanes 2 2 solutions/queue/buggy/nonblocking.c capacity
lanes 6 6 solutions/queue/buggy/if_wait.c capacity
lanes 14 14 solutions/queue/buggy/close_forgets_waiters.c stress

# the spurious wake-up of a wait guarded by `if`, and a deadlock's end row
look spurious spurious "$out/lanes-6.html" solutions/queue/buggy/if_wait.c
grade deadlock bank solutions/bank/buggy/lock_order.c reentrant
look deadlock deadlock "$out/deadlock.html" solutions/bank/buggy/lock_order.c

dir="$out/evil\"<b>&'x"
mkdir -p "$dir"
{
    echo "/* </code></div></section><script>alert(1)</script><img src=x onerror=alert(2)> ' \" & */"
    cat solutions/threads/buggy/serial.c
} >"$dir/threads.c"
grade hostile threads "$dir/threads.c" concurrent
look hostile hostile "$out/hostile.html" "$dir/threads.c"

src=solutions/bank/buggy/check_then_act.c
grade bank-pt-BR bank $src never-negative pt-BR
look bank-pt-BR bankpt "$out/bank-pt-BR.html" $src

exit $status
