#!/usr/bin/env python3
"""tests/html/check_page.py - checks an HTML report as a browser built it.

    check_page.py CASE PAGE DOM [SOURCE]

PAGE is the file the grader wrote, DOM the document Chromium dumped after
running the page's script (--dump-dom), SOURCE the graded C file. Prints one
TAP line per check ("ok - CASE: what" / "not ok - CASE: what (why)").

Every page: the script ran (the CSP hash matches it), nothing is loaded from
outside, every link to the source resolves to a shown line. Then per CASE:
  bank      the check-then-act withdraw: lanes, the preemption between the
            balance check and the withdrawal, the other thread taking the
            lock meanwhile, the end row at the finding's line
  queue     a lost wake-up (grade page): threads waiting for good, linked to
            their pthread_cond_wait; folded events that the script unfolds
            (DOM dumped with a #row anchor inside a fold)
  replay    the same lost wake-up replayed in full: the signal nobody
            received, linked to its pthread_cond_signal
  hostile   a submission whose source and path hold HTML: shown as text, no
            element of theirs in the page
  spurious  a wait guarded by `if` (queue): the spurious wake-up and the put
            that follows it highlighted; the threads blocked when the run
            stopped said to be waiting then, never "for good" or "for ever"
  deadlock  two transfers locking in opposite orders (bank): the end row's
            lines are the lines its lanes wait at; the kind is said once in
            the headings and messages
"""
import base64
import hashlib
import re
import sys
from html.parser import HTMLParser

VOID = {"meta", "link", "br", "img", "input", "hr", "col", "area", "base", "embed", "source", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def cls(self):
        return set((self.attrs.get("class") or "").split())

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.all()

    def find(self, tag=None, cls=None):
        return [n for n in self.all() if (tag is None or n.tag == tag) and (cls is None or cls in n.cls())]

    def up(self, tag):
        n = self.parent
        while n is not None and n.tag != tag:
            n = n.parent
        return n


class Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(path):
    b = Builder()
    with open(path, encoding="utf-8", errors="replace") as f:
        b.feed(f.read())
    return b.root


failures = 0


def check(case, what, cond, why=""):
    global failures
    if cond:
        print(f"ok - {case}: {what}")
    else:
        failures += 1
        print(f"not ok - {case}: {what}" + (f" ({why})" if why else ""))


class Page:
    def __init__(self, page, dom, source):
        with open(page, encoding="utf-8") as f:
            self.raw = f.read()
        self.dom = parse(dom)
        self.ids = {n.attrs["id"]: n for n in self.dom.all() if "id" in n.attrs}
        self.src = []
        if source:
            with open(source, encoding="utf-8", errors="replace") as f:
                self.src = f.read().split("\n")
            if self.src and self.src[-1] == "":
                self.src.pop()

    def line_of(self, a):
        """The source line number an <a href="#src-LN"> points at, or 0."""
        m = re.fullmatch(r"#src-L(\d+)", a.attrs.get("href", ""))
        return int(m.group(1)) if m else 0

    def code(self, n):
        return self.src[n - 1] if 0 < n <= len(self.src) else ""

    def lanes(self):
        return [th.text().strip() for th in self.dom.find("th", "lane")]

    def rows(self, mark):
        return self.dom.find("tr", "mk-" + mark)

    def chip(self, row):
        """(lane index, chip element) of an event row."""
        cells = [c for c in row.children if isinstance(c, Node) and c.tag == "td"][1:]
        for i, td in enumerate(cells):
            for c in td.find():
                if "chip" in c.cls():
                    return i, c
        return -1, None


def common(case, p):
    html = p.dom.find("html")
    check(case, "the page's script ran (its hash is in the Content-Security-Policy)",
          html and "js" in html[0].cls(), "no class js on <html>")
    scripts = re.findall(r"<script>(.*?)</script>", p.raw, re.S)
    csp = re.search(r"script-src '(sha256-[A-Za-z0-9+/=]+)'", p.raw)
    want = "sha256-" + base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode() if scripts else ""
    check(case, "one inline script, allowed by its hash alone", len(scripts) == 1 and csp and csp.group(1) == want,
          f"{len(scripts)} scripts, CSP {csp.group(1) if csp else None}, script hash {want}")
    check(case, "default-src 'none': nothing may be loaded", "default-src 'none'" in p.raw)
    outside = [n.tag for n in p.dom.all() if "src" in n.attrs or n.tag in ("link", "iframe", "object", "embed")]
    outside += [n.attrs["href"] for n in p.dom.all() if not n.attrs.get("href", "#").startswith("#")]
    outside += [s for n in p.dom.find("style") for s in re.findall(r"url\(|@import|@font-face", n.text())]
    check(case, "self-contained: no external URL, file or font", not outside, f"found {outside[:3]}")
    links = [a for a in p.dom.find("a") if a.attrs.get("href", "").startswith("#src-L")]
    broken = [a.attrs["href"] for a in links if a.attrs["href"][1:] not in p.ids]
    check(case, f"every source link resolves to a shown line ({len(links)} links)", links and not broken,
          f"unresolved: {broken[:3]}")
    shown = p.dom.find("div", "src")
    lines = shown[0].find("div", "sl") if shown else []
    check(case, "the student's whole file is shown, one anchor per line",
          p.src and len(lines) == len(p.src) and all(l.attrs.get("id") == f"src-L{i + 1}" for i, l in enumerate(lines)),
          f"{len(lines)} lines shown, file has {len(p.src)}")


def case_bank(case, p):
    lanes = p.lanes()
    check(case, f"one lane per thread ({' '.join(lanes)})", len(lanes) >= 3 and lanes[0] == "T0")
    pre = p.rows("preempt")
    check(case, "the preemption that broke the check-then-act is highlighted", len(pre) == 1 and "crit" in pre[0].cls(),
          f"{len(pre)} preempt rows")
    if not pre:
        return
    lane, chip = p.chip(pre[0])
    note = pre[0].find("td", "note")[0].text()
    check(case, "its note says what happened", "loses its turn" in note and "takes" in note, note)
    line = p.line_of(chip) if chip is not None else 0
    check(case, "the preemption links to the lock it was about to take again",
          "pthread_mutex_lock" in p.code(line), f"line {line}: {p.code(line)!r}")
    windows = p.rows("window")
    check(case, "the thread's unlock and its lock again mark the gap",
          len(windows) >= 1 and all(p.chip(w)[0] == lane for w in windows), f"{len(windows)} window rows")
    others = p.rows("intruder")
    check(case, "another thread takes the lock in the gap, in its own lane",
          others and all(p.chip(r)[0] not in (lane, -1) for r in others)
          and all("acquired" in p.chip(r)[1].text() for r in others), f"{len(others)} intruder rows")
    end = p.dom.find("tr", "end")
    check(case, "the last row is where the invariant check failed",
          end and "invariant broken" in end[-1].text() and any(p.line_of(a) for a in end[-1].find("a")))
    moments = p.dom.find("ol", "moments")
    ids = [a.attrs.get("href", "")[1:] for a in moments[0].find("a")] if moments else []
    check(case, "the list of critical moments links to the highlighted rows",
          pre[0].attrs.get("id") in ids and all(i in p.ids for i in ids))


def case_queue(case, p):
    lanes = p.lanes()
    check(case, f"one lane per thread ({len(lanes)} lanes)", len(lanes) >= 9)
    stuck = [p.chip(r)[1] for r in p.rows("stuck")]
    waits = [c for c in stuck if c is not None and c.text().startswith("wait C")]
    check(case, f"the threads that wait for good on a condition variable are highlighted ({len(waits)})",
          len(waits) >= 2)
    check(case, "each links to its pthread_cond_wait", all("pthread_cond_wait" in p.code(p.line_of(c)) for c in waits))
    check(case, "the end row names the lost wake-up", any("lost wake-up" in r.text() for r in p.dom.find("tr", "end")))
    folds = p.dom.find("tbody", "fold")
    check(case, "long schedules are folded, the folded events still in the page",
          folds and any(len(f.find("tr", "ev")) > 10 for f in folds))
    check(case, "a link into a fold unfolds it (the script)", any("open" in f.cls() for f in folds),
          "no fold has class open after loading the page at a folded row")


def case_replay(case, p):
    lost = p.rows("lost")
    check(case, "the signal nobody received is highlighted", len(lost) >= 1)
    if not lost:
        return
    lane, chip = p.chip(lost[0])
    check(case, "it reads 'signal … nobody' in the signalling thread's lane",
          chip is not None and "nobody" in chip.text() and lane >= 0)
    check(case, "it links to the student's pthread_cond_signal",
          chip is not None and "pthread_cond_signal" in p.code(p.line_of(chip)))
    note = lost[0].find("td", "note")[0].text()
    check(case, "its note names the thread that then waits for ever", "nobody waits" in note and "for ever" in note, note)
    check(case, "the threads left waiting are highlighted too", len(p.rows("stuck")) >= 1)


def case_hostile(case, p):
    scripts = p.dom.find("script")
    check(case, "no element from the submission: one script, no img", len(scripts) == 1 and not p.dom.find("img"))
    check(case, "no event handler attribute anywhere",
          not [n for n in p.dom.all() if any(k.startswith("on") for k in n.attrs)])
    src = p.dom.find("div", "src")[0].text() if p.dom.find("div", "src") else ""
    check(case, "the submission's markup is shown as text", "<img src=x onerror=alert(2)>" in src and "</script>" in src)
    meta = p.dom.find("p", "meta")
    check(case, "the submission's path is shown as text", meta and '"<b>&\'x' in meta[0].text(),
          meta[0].text() if meta else "no meta")


def case_bankpt(case, p):
    """The bank page graded with --lang pt-BR: the same timeline, in Portuguese."""
    html = p.dom.find("html")
    check(case, "<html lang=\"pt-BR\">", html and html[0].attrs.get("lang") == "pt-BR",
          html[0].attrs.get("lang") if html else "no <html>")
    pre = p.rows("preempt")
    note = pre[0].find("td", "note")[0].text() if pre else ""
    check(case, "the preemption's note is in Portuguese, accents intact", "perde a vez" in note and "nesse meio-tempo" in note, note)
    end = p.dom.find("tr", "end")
    check(case, "the failing row names the kind in Portuguese", end and "invariante quebrado" in end[-1].text())
    text = p.dom.find("body")[0].text() if p.dom.find("body") else ""
    for words in ("O escalonamento que deu errado", "Nota:", "dica:", "O seu arquivo", "verificação"):
        check(case, f"the page says \"{words}\"", words in text)
    english = [w for w in ("The schedule that went wrong", "loses its turn", "Score:", "hint:", "Your file",
                           "invariant broken", "what it proves") if w in text]
    check(case, "none of the grader's English sentences is left", not english, f"found {english}")
    chips = [s for s in p.dom.find("span", "chip") if "k-acq" in s.cls()]
    check(case, "the legend is in Portuguese", any("trava adquirida" in c.text() for c in chips))


def case_spurious(case, p):
    rows = p.rows("spurious")
    notes = [r.find("td", "note")[0].text() for r in rows]
    check(case, "the spurious wake-up and what the thread does next are highlighted",
          len(rows) >= 2 and all("crit" in r.cls() for r in rows), f"{len(rows)} rows")
    if len(rows) < 2:
        return
    check(case, "the wake-up's note says it was spurious and not checked again",
          any("spurious" in n and "does not check" in n for n in notes), notes[:2])
    check(case, "the next row of the same thread says it went on anyway",
          any("goes on here" in n for n in notes) and len({p.chip(r)[0] for r in rows[:2]}) == 1, notes[:2])
    every = " ".join(n.text() for n in p.dom.find("td", "note"))
    check(case, "no thread is said to wait for good: the run stopped on a wrong result",
          "for good" not in every and "for ever" not in every)
    check(case, "threads blocked when the run stopped are said to be waiting then",
          all("when the run stopped" in r.find("td", "note")[0].text() for r in p.rows("waiting")))


def case_deadlock(case, p):
    end = p.dom.find("tr", "end")
    check(case, "the timeline ends with the deadlock row", bool(end))
    if not end:
        return
    row = end[-1]
    chips = [p.line_of(a) for td in row.find("td") if "where" not in td.cls() and "note" not in td.cls()
             for a in td.find("a")]
    where = [p.line_of(a) for a in row.find("td", "where")[0].find("a")]
    check(case, "the end row's lines are the lines its lanes wait at",
          chips and sorted(set(chips)) == sorted(set(where)), f"lanes {chips}, where {where}")
    check(case, "each of those lines is a pthread_mutex_lock", all("pthread_mutex_lock" in p.code(n) for n in where))
    texts = [n.text() for n in p.dom.find("p", "msg")] + [n.text() for n in p.dom.find("td", "note")]
    repeated = [t for t in texts if "deadlock: deadlock" in t.lower()]
    check(case, "the kind is said once (no 'deadlock: Deadlock:')", not repeated, repeated[:1])


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    case, page, dom = sys.argv[1:4]
    p = Page(page, dom, sys.argv[4] if len(sys.argv) > 4 else None)
    common(case, p)
    {"bank": case_bank, "bankpt": case_bankpt, "queue": case_queue, "replay": case_replay,
     "hostile": case_hostile, "spurious": case_spurious, "deadlock": case_deadlock}[case.split("-")[0]](case, p)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
