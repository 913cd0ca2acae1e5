#!/usr/bin/env python3
"""no_english.py REPORT... : fails when a Portuguese report holds an English
sentence of our own catalogs (po/pt_BR.po, exercises/*/po/pt_BR.po).

Every msgid whose translation differs is cut at its format directives; each
piece of at least three words and 20 characters is a sentence of ours, and
must not appear in the report's text (JSON strings decoded, HTML and XML
entities unescaped). Prints TAP lines, one per report."""
import html, json, re, sys, glob


def entries(path):
    """(msgid, msgstr) pairs of a .po file (plural: the singular pair)."""
    out, key, cur = [], None, {}
    def flush():
        if cur.get("msgid"):
            out.append((cur["msgid"], cur.get("msgstr", cur.get("msgstr[0]", ""))))
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
        if m:
            if m.group(1) == "msgid":
                flush()
                cur = {}
            key = m.group(1)
            cur[key] = m.group(2)
        elif line.startswith('"') and key:
            cur[key] += line[1:-1]
        elif not line.strip():
            key = None
    flush()
    unq = lambda s: json.loads('"' + s.replace('\\t', '\\\\t') + '"') if s else s
    return [(unq(i), unq(s)) for i, s in out]


def sentences():
    found = set()
    for po in ["po/pt_BR.po"] + glob.glob("exercises/*/po/pt_BR.po"):
        for msgid, msgstr in entries(po):
            if not msgstr or msgstr == msgid:
                continue
            text = re.sub(r"<[^>]*>", "\n", msgid)  # markup is not a sentence
            for piece in re.split(r"%[-+ #0-9.*$]*[a-zA-Z]+|\n", text):
                piece = piece.strip(" .,:;()—-!")
                if len(piece) >= 20 and len(piece.split()) >= 3:
                    found.add(piece)
    return found


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def report_text(path):
    raw = open(path, encoding="utf-8").read()
    if path.endswith(".json"):
        return "\n".join(strings(json.loads(raw)))
    if path.endswith((".html", ".xml")):
        return html.unescape(raw)
    return raw


def main():
    ours = sentences()
    status = 0
    for path in sys.argv[1:]:
        try:
            text = report_text(path)
        except (UnicodeDecodeError, ValueError) as e:
            print(f"not ok - {path} is not valid UTF-8 / its format: {e}")
            status = 1
            continue
        left = sorted(s for s in ours if s in text)
        if left:
            print(f"not ok - {path} holds English sentences of our catalogs: {left[:3]}")
            status = 1
        else:
            print(f"ok - {path}: no English sentence of our {len(ours)} left")
    sys.exit(status)


if __name__ == "__main__":
    main()
