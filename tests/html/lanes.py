#!/usr/bin/env python3
"""tests/html/lanes.py - are all of a timeline's lanes on screen?

    lanes.py prepare PAGE OUT      a copy of PAGE that measures itself
    lanes.py check NAME WIDTH DOM  TAP lines from the DOM Chromium dumped

`prepare` drops the page's Content-Security-Policy (it allows only the
page's own script, by hash) and appends a script that, once the page is laid
out, writes into <body data-lanes="..."> the boxes Chromium computed: the
viewport's width, every timeline's scroll box, its lane headers and the
first "where" cell, and every chip in a lane with its cell. Nothing else of
the page changes, so the layout is the page's own.

`check` demands, for every timeline: each lane's header box lies inside the
viewport and inside its scroll box (no scrolling needed to see it), left of
the "where" column (never under it), and no chip spills out of its cell.
"""
import json
import re
import sys

MEASURE = r"""<script>
(function () {
  function box(e) { var r = e.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; }
  var out = {width: document.documentElement.clientWidth, timelines: []};
  document.querySelectorAll('.tl-scroll').forEach(function (s) {
    var t = {scroll: box(s), lanes: [], where: null, chips: []};
    s.querySelectorAll('th.lane').forEach(function (th) { t.lanes.push([th.textContent, box(th)]); });
    var w = s.querySelector('th.where');
    if (w) t.where = box(w);
    s.querySelectorAll('td .chip').forEach(function (c) {
      if (c.offsetParent === null) return;            /* folded away */
      t.chips.push([c.textContent, box(c), box(c.closest('td'))]);
    });
    out.timelines.push(t);
  });
  document.body.setAttribute('data-lanes', JSON.stringify(out));
})();
</script>"""


def prepare(page, out):
    html = open(page, encoding="utf-8").read()
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    html = html.replace("</body>", MEASURE + "</body>")
    open(out, "w", encoding="utf-8").write(html)


def check(name, width, dom):
    text = open(dom, encoding="utf-8", errors="replace").read()
    m = re.search(r'data-lanes="([^"]*)"', text)
    if not m:
        print(f"not ok - {name} at {width} px: the measuring script did not run")
        return 1
    raw = m.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    data = json.loads(raw)
    bad = []
    eps = 0.5
    if not data["timelines"]:
        bad.append("no timeline")
    nlanes = 0
    for t in data["timelines"]:
        sl, sr = t["scroll"][0], t["scroll"][1]
        for lane, (l, r, _, _) in t["lanes"]:
            nlanes += 1
            if l < -eps or r > data["width"] + eps:
                bad.append(f"lane {lane} [{l:.0f}, {r:.0f}] outside the viewport (0, {data['width']})")
            if l < sl - eps or r > sr + eps:
                bad.append(f"lane {lane} [{l:.0f}, {r:.0f}] outside its scroll box [{sl:.0f}, {sr:.0f}]")
            if t["where"] and r > t["where"][0] + eps:
                bad.append(f"lane {lane} ends at {r:.0f}, under the where column at {t['where'][0]:.0f}")
        for chip, c, cell in t["chips"]:
            if c[0] < cell[0] - eps or c[1] > cell[1] + eps:
                bad.append(f"chip '{chip}' [{c[0]:.0f}, {c[1]:.0f}] spills out of its lane [{cell[0]:.0f}, {cell[1]:.0f}]")
    if bad:
        print(f"not ok - {name} at {width} px: {len(bad)} problems: " + "; ".join(bad[:4]))
        return 1
    print(f"ok - {name} at {width} px: all {nlanes} lanes on screen, beside the where column, no chip spilling")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
