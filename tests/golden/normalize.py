#!/usr/bin/env python3
"""tests/golden/normalize.py - a grading's JSON report in its reviewable form.

Reads a JSON report on stdin and writes it with two changes, so that a change
to the scheduler touches only the golden lines it really changes:
  - every schedule event on one line of its own, without its sequence and
    step numbers (they renumber every later event when one is added);
  - at most LAST events of a schedule, the last ones (those that explain the
    failure), after a line saying how many earlier ones were left out.
Input that is not JSON passes through unchanged (text, XML, HTML, Markdown).
"""
import json
import sys

LAST = 40
DROP = ("seq", "step")


def dump(v, indent, key=None):
    pad = "  " * indent
    if isinstance(v, dict) and v:
        items = [f'{pad}  {json.dumps(k)}: {dump(x, indent + 1, k)}' for k, x in v.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(v, list) and v:
        if key == "events":
            earlier = 0  # already normalized: keep its count of left-out events
            if v and isinstance(v[0], str) and v[0].startswith("... "):
                earlier, v = int(v[0].split()[1]), v[1:]
            shown = v[-LAST:]
            earlier += len(v) - len(shown)
            lines = [f"{pad}  " + json.dumps({k: x for k, x in e.items() if k not in DROP})
                     if isinstance(e, dict) else f"{pad}  " + json.dumps(e) for e in shown]
            if earlier:
                lines.insert(0, f'{pad}  "... {earlier} earlier events"')
            return "[\n" + ",\n".join(lines) + f"\n{pad}]"
        return "[\n" + ",\n".join(f"{pad}  {dump(x, indent + 1)}" for x in v) + f"\n{pad}]"
    return json.dumps(v, ensure_ascii=False)


def main():
    text = sys.stdin.read()
    try:
        report = json.loads(text)
    except ValueError:
        sys.stdout.write(text)
        return
    sys.stdout.write(dump(report, 0) + "\n")


main()
