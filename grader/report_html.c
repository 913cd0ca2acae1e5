/* report_html.c - the report as one self-contained HTML page.
 *
 * The page holds the score table; every check that did not pass with its
 * message, findings (the student's lines, each thread's stack), hint and
 * replay command; for a check whose stress schedule went wrong, a timeline
 * of that schedule: one lane per thread (and per process), every interposed
 * event in order, the events that explain the failure highlighted (see
 * trace_marks), each linked to its line in the student's whole file, shown
 * at the end with an anchor per line. Long schedules are folded to their
 * last events and the marked ones; a small inline script unfolds them (and
 * without it nothing is folded).
 *
 * Nothing is loaded from anywhere: inline CSS, one inline script allowed by
 * its hash in the page's Content-Security-Policy, no URL but the page's own
 * anchors. Every string that comes from a run (messages, names, file names,
 * source lines, trace fields) goes through html_text; class names and ids
 * come from fixed tables and numbers only. */
#include "report.h"
#include "i18n.h"
#include "text.h"
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    TAIL = 40,         /* the last events of a schedule, never folded */
    CONTEXT = 2,       /* events shown around a marked one */
    MAX_EVENTS = 2500, /* events put in the page (a replay keeps 20000) */
    MAX_MOMENTS = 12,  /* marked events listed above a timeline */
    ALL_WIDE = 6,      /* up to this many lanes, all are drawn in full */
    WIDE_LANES = 4,    /* else this many; the others are thin until widened */
    MAX_FRAMES = 16,   /* frames per stack */
    MAX_STACKS = 4,    /* stacks shown open per finding (-v: all) */
    MAX_FINDINGS = 50, /* findings per check */
    SRC_MAX_LINES = 20000,
    SRC_MAX_COLS = 1000,
    NOTE_CAP = 400, /* characters of a finding's message in a timeline */
};

typedef struct page {
    const report *r;
    const report_opts *o;
    sbuf *b;
    char *text;         /* the student's file (owned), or NULL */
    const char **lines; /* where each line starts in text (owned array) */
    size_t *lens, nlines;
    unsigned char *cited; /* per line: 1 an event, 2 a finding points at it */
} page;

typedef struct lane_state {
    bool alive, waiting;
    int held;
} lane_state;

/* --- escaping ---------------------------------------------------------------------- */

/* Appends n bytes of s as HTML text (text.h), safe both in element content
 * and in a quoted attribute. */
static void html_text_n(sbuf *b, const char *s, size_t n)
{
    text_putn(b, TEXT_HTML, s, n);
}

static void html_text(sbuf *b, const char *s)
{
    if (s) html_text_n(b, s, strlen(s));
}

/* --- the student's file ------------------------------------------------------------ */

/* Splits r->source_text (the bytes taken at intake) into lines (none
 * without it). */
static void source_load(page *p)
{
    p->text = p->r->source_text ? xstrdup(p->r->source_text) : NULL;
    if (!p->text) return;
    size_t len = strlen(p->text);
    size_t cap = 64;
    p->lines = xmalloc(sizeof *p->lines * cap);
    p->lens = xmalloc(sizeof *p->lens * cap);
    for (size_t at = 0; at < len && p->nlines < SRC_MAX_LINES;) {
        const char *nl = memchr(p->text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (p->text + at)) : len - at;
        if (p->nlines == cap) {
            p->lines = xrealloc(p->lines, sizeof *p->lines * (cap *= 2));
            p->lens = xrealloc(p->lens, sizeof *p->lens * cap);
        }
        p->lines[p->nlines] = p->text + at;
        p->lens[p->nlines++] = n && p->text[at + n - 1] == '\r' ? n - 1 : n;
        at += n + 1;
    }
    p->cited = xmalloc(p->nlines + 1);
}

static void source_free(page *p)
{
    free(p->text);
    free(p->lines);
    free(p->lens);
    free(p->cited);
}

/* Whether file:line is a line of the student's file shown in the page. */
static bool source_has(const page *p, const char *file, int line)
{
    return file && p->r->source && !strcmp(file, p->r->source) && line >= 1 &&
           (size_t)line <= p->nlines;
}

/* Line `line` (1-based) of the student's file, trimmed, as HTML text. */
static void source_line_text(page *p, sbuf *b, int line, bool trim)
{
    const char *s = p->lines[line - 1];
    size_t n = p->lens[line - 1];
    while (trim && n && (*s == ' ' || *s == '\t')) s++, n--;
    html_text_n(b, s, n > SRC_MAX_COLS ? SRC_MAX_COLS : n);
}

/* "file:line" linked to the line in the shown file when it is the
 * student's, else plain; the line is remembered as cited (how). */
static void site_link(page *p, const char *file, int line, unsigned char how)
{
    if (!file) return;
    if (source_has(p, file, line)) {
        p->cited[line] |= how;
        sbuf_printf(p->b, "<a class=\"site\" href=\"#src-L%d\">", line);
        html_text(p->b, file);
        sbuf_printf(p->b, ":%d</a>", line);
        return;
    }
    html_text(p->b, file);
    if (line > 0) sbuf_printf(p->b, ":%d", line);
}

/* --- page frame -------------------------------------------------------------------- */

/* The inline script; its SHA-256 is in the Content-Security-Policy below.
 * After changing it, put the hash of the exact text here:
 *   printf '%s' "$SCRIPT" | openssl dgst -sha256 -binary | base64
 * (tests/html checks that the browser runs it). */
/* clang-format off */
static const char script[] =
    "(function () {\n"
    "  var d = document;\n"
    "  d.documentElement.classList.add('js');\n"
    "  function openAt(n) {\n"
    "    for (; n; n = n.parentNode)\n"
    "      if (n.classList && n.classList.contains('fold')) n.classList.add('open');\n"
    "  }\n"
    "  d.addEventListener('click', function (e) {\n"
    "    var b = e.target.closest('button'), tl = b && b.closest('.timeline');\n"
    "    if (!b) return;\n"
    "    if (b.classList.contains('unfold')) b.closest('tbody').classList.add('open');\n"
    "    if (b.classList.contains('unfold-all'))\n"
    "      tl.querySelectorAll('tbody.fold').forEach(function (f) { f.classList.add('open'); });\n"
    "    if (b.classList.contains('widen')) tl.querySelector('table.tl').classList.toggle('wide');\n"
    "  });\n"
    "  function follow() {\n"
    "    var h = location.hash.slice(1), t = h && d.getElementById(h);\n"
    "    if (t) { openAt(t); t.scrollIntoView({block: 'center'}); }\n"
    "  }\n"
    "  window.addEventListener('hashchange', follow);\n"
    "  follow();\n"
    "})();\n";
/* clang-format on */
#define SCRIPT_SHA256 "sha256-qlyZZ20MZvM9CDqVIMitsf7l6trABi21x71iNs6sOew="

/* clang-format off */
static const char style[] =
    ":root{--fg:#1d2330;--dim:#667085;--line:#d0d5dd;--soft:#f6f7f9;--red:#c0262d;--green:#1a7f37;--amber:#b54708;--blue:#175cd3;--violet:#6941c6;--teal:#0e7490}\n"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);margin:0 auto;max-width:1280px;padding:1.2em 1.5em 4em}\n"
    "h1{font-size:1.5em;margin:.2em 0}\n"
    "h2{font-size:1.15em;margin:.1em 0 .5em}\n"
    "h3{font-size:1em;margin:.2em 0}\n"
    "a{color:var(--blue)}\n"
    "code,pre,.src,.excerpt,table.tl{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12.5px}\n"
    ".meta,.dim{color:var(--dim)}\n"
    ".score{font-size:1.2em;font-weight:700}\n"
    ".o-pass .mark,.v-pass{color:var(--green)}\n"
    ".o-fail .mark,.v-fail{color:var(--red)}\n"
    ".o-error .mark,.v-error{color:var(--violet)}\n"
    ".o-skipped .mark{color:var(--amber)}\n"
    ".error{border:1px solid var(--violet);background:#f4f0ff;padding:.6em 1em;border-radius:6px}\n"
    "table.checks{border-collapse:collapse;margin:.8em 0}\n"
    "table.checks td,table.checks th{padding:.2em .8em;text-align:left;border-bottom:1px solid #eaecf0}\n"
    "table.checks td.pts{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "section.check{border:1px solid var(--line);border-radius:8px;padding:.8em 1.2em;margin:1.4em 0}\n"
    ".msg{white-space:pre-wrap}\n"
    ".hint{background:#fffaeb;border-left:4px solid var(--amber);padding:.4em .8em}\n"
    ".finding{border-left:4px solid var(--red);background:#fffbfa;padding:.4em 1em;margin:1em 0}\n"
    ".finding .kind{color:var(--red);font-weight:700}\n"
    ".excerpt,.src{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.3em 0;overflow-x:auto;margin:.5em 0}\n"
    ".sl{display:flex;white-space:pre;tab-size:4;min-height:1.45em}\n"
    ".sl code{font:inherit}\n"
    ".sl .no{flex:0 0 4.2em;text-align:right;padding-right:1em;color:var(--dim);text-decoration:none;user-select:none}\n"
    ".sl.here,.sl.fl{background:#fff1c2}\n"
    ".sl.ev .no{color:var(--blue);font-weight:700}\n"
    ".sl.fl .no{color:var(--red);font-weight:700}\n"
    ".sl:target{background:#ffd966;outline:1px solid var(--amber)}\n"
    ".stack{margin:.3em 0 .3em 1em}\n"
    ".stack ol{margin:.1em 0;padding-left:1.6em}\n"
    ".fn{font-weight:600}\n"
    ".timeline{margin:1em 0}\n"
    ".moments{margin:.4em 0;padding-left:1.4em}\n"
    ".moments li{margin:.15em 0}\n"
    ".legend{margin:.4em 0;color:var(--dim)}\n"
    ".legend .chip{margin-right:.2em}\n"
    ".tl-scroll{overflow:auto;max-height:80vh;border:1px solid var(--line);border-radius:6px}\n"
    "table.tl{border-collapse:collapse;width:100%;table-layout:fixed}\n"
    "table.tl th{position:sticky;top:0;z-index:3;background:#eef1f5;padding:.25em .5em;border-bottom:1px solid var(--line)}\n"
    "table.tl th.step{width:3.5em}\n"
    "table.tl td{padding:0 .25em;height:1.7em;white-space:nowrap;text-align:center;position:relative}\n"
    "table.tl td.step{text-align:right;color:var(--dim);position:sticky;left:0;background:#fff;z-index:2}\n"
    "table.tl .where,table.tl .note{background:#fff;text-align:left;box-sizing:border-box}\n"
    "table.tl .where{width:14em;overflow:hidden;text-overflow:ellipsis;border-left:1px solid var(--line)}\n"
    "table.tl .note{width:17em;white-space:normal;font-family:system-ui,sans-serif;font-size:13px}\n"
    "table.tl th.where,table.tl th.note{z-index:4;background:#eef1f5}\n"
    "td.a::before,td.h::before,td.w::before{content:'';position:absolute;left:50%;top:0;bottom:0;border-left:2px solid #98a2b3}\n"
    "td.h::before{border-left:6px solid var(--teal);margin-left:-2px}\n"
    "td.w::before{border-left:2px dashed var(--amber)}\n"
    "td.wh::before{border-left:6px dashed var(--teal);margin-left:-2px}\n"
    ".chip{display:inline-block;position:relative;z-index:1;padding:0 .5em;border-radius:10px;border:1px solid;background:#fff;color:inherit;text-decoration:none;line-height:1.45;font-size:11.5px;max-width:100%;box-sizing:border-box;overflow:hidden;text-overflow:ellipsis;vertical-align:middle}\n"
    ".k-acq{border-color:var(--teal);background:#e6f6f8}\n"
    ".k-rel,.k-oth{border-color:#98a2b3}\n"
    ".k-blk{border-color:var(--amber);background:#fff4e5}\n"
    ".k-cv{border-color:var(--blue);background:#eef4ff}\n"
    ".k-lost{border-color:var(--red);background:#ffe9e9}\n"
    ".k-thr{border-color:var(--violet);background:#f4f0ff}\n"
    ".k-turn{border-color:#eaaa08;background:#fefbe8;border-style:dashed}\n"
    "tr.mk-at-finding td:not(.step){background:#fffbe6}\n"
    "tr.crit td:not(.step){background:#fff0f0}\n"
    "tr.crit td.note{color:var(--red)}\n"
    "tr.crit .chip{outline:2px solid var(--red);outline-offset:1px;font-weight:700}\n"
    "tr.mk-window .chip,tr.mk-intruder .chip,tr.mk-holds .chip,tr.mk-stuck .chip{outline-color:var(--amber)}\n"
    "tr.mk-waiting td.note{color:var(--dim)}\n"
    "tr.ev:target td{background:#ffd966}\n"
    "table.tl:not(.wide) .thin{width:16px;padding:0;overflow:hidden}\n"
    "table.tl:not(.wide) th.thin{font-weight:400;font-size:9px;letter-spacing:-.5px;color:var(--dim)}\n"
    "table.tl:not(.wide) td.thin .chip{font-size:0;line-height:0;width:9px;height:9px;padding:0;box-sizing:border-box;border-width:2px;border-radius:50%;vertical-align:middle}\n"
    "table.tl tr.end td{background:#ffe9e9;border-top:2px solid var(--red);height:2.2em}\n"
    "tr.end td.note{color:var(--fg)}\n"
    "tr.omitted td,tr.foldbar td{text-align:left;color:var(--dim);background:var(--soft);font-style:italic}\n"
    ".js tbody.fold:not(.open) tr.ev{display:none}\n"
    "html:not(.js) tr.foldbar,.fold.open tr.foldbar,html:not(.js) .unfold-all,html:not(.js) .widen{display:none}\n"
    "button{font:inherit;cursor:pointer;border:1px solid var(--line);background:#fff;border-radius:5px;padding:0 .6em}\n";
/* clang-format on */

/* From the doctype to <body>: the Content-Security-Policy, the title, the style. */
static void page_head(page *p)
{
    const report *r = p->r;
    sbuf_printf(p->b,
                "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
                i18n_lang());
    sbuf_puts(
        p->b,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src '" SCRIPT_SHA256 "'; base-uri 'none'; "
        "form-action 'none'\">\n");
    sbuf_puts(p->b, "<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\">\n<title>");
    html_text(p->b, r->exercise ? r->exercise : "?");
    sbuf_printf(p->b, " — %g/%g</title>\n<style>\n%s</style>\n</head>\n<body>\n",
                r->score, r->max_score, style);
}

static const char *outcome_class(outcome o)
{
    static const char *const names[] = {"o-pass", "o-fail", "o-error", "o-skipped"};
    return (size_t)o < ARRAY_LEN(names) ? names[o] : "o-skipped";
}

static const char *outcome_mark(outcome o)
{
    return o == OUTCOME_PASS    ? "✓"
           : o == OUTCOME_FAIL  ? "✗"
           : o == OUTCOME_ERROR ? "!"
                                : "-";
}

/* The exercise, the submission and seed, the score, a grading-level error. */
static void page_header(page *p)
{
    const report *r = p->r;
    sbuf_puts(p->b, "<header>\n<h1>");
    html_text(p->b, r->exercise ? r->exercise : "?");
    if (r->title) sbuf_puts(p->b, " — "), html_text(p->b, r->title);
    sbuf_puts(p->b, "</h1>\n<p class=\"meta\">");
    if (r->source_path)
        sbuf_puts(p->b, _("submission: <code>")), html_text(p->b, r->source_path),
            sbuf_puts(p->b, "</code> · ");
    sbuf_printf(p->b, _("seed: %llu</p>\n"), (unsigned long long)r->seed);
    const char *verdict = r->outcome == OUTCOME_PASS   ? "pass"
                          : r->outcome == OUTCOME_FAIL ? "fail"
                                                       : "error";
    sbuf_printf(p->b,
                _("<p class=\"score\">Score: %g/%g <span class=\"v-%s\">%s</span> <span "
                  "class=\"dur dim\">(%.1f s)</span></p>\n"),
                r->score, r->max_score, verdict,
                verdict[0] == 'p'   ? _("PASS")
                : verdict[0] == 'f' ? _("FAIL")
                                    : _("ERROR"),
                (double)r->duration_ms / 1000.0);
    if (r->error) {
        sbuf_puts(p->b, _("<div class=\"error\"><b>error:</b> "));
        html_text(p->b, r->error);
        sbuf_puts(p->b, _("<br>This is a problem of the exercise or of the grader's "
                          "machine, not of your code.</div>\n"));
    }
    sbuf_puts(p->b, "</header>\n");
}

/* Whether a check gets a section of its own (as in the text report, and
 * every check with a schedule: a replay shows its schedule even when it
 * passed). */
static bool check_shown(const page *p, const check_result *c)
{
    return c->outcome == OUTCOME_FAIL || c->outcome == OUTCOME_ERROR ||
           c->schedule.events.len ||
           (c->findings.len && (p->o->verbose || !strcmp(c->name, "build")));
}

/* One row per check: outcome, name (linked to its section), points, title. */
static void summary_table(page *p)
{
    sbuf_puts(p->b, _("<table "
                      "class=\"checks\">\n<thead><tr><th></th><th>check</th><th>points</"
                      "th><th>what it proves</th>"
                      "</tr></thead>\n<tbody>\n"));
    for (size_t i = 0; i < p->r->checks.len; i++) {
        const check_result *c = &p->r->checks.items[i];
        sbuf_printf(p->b, "<tr class=\"%s\"><td class=\"mark\">%s</td><td>",
                    outcome_class(c->outcome), outcome_mark(c->outcome));
        if (check_shown(p, c)) sbuf_printf(p->b, "<a href=\"#check-%zu\">", i);
        html_text(p->b, c->name);
        sbuf_puts(p->b, check_shown(p, c) ? "</a></td><td class=\"pts\">"
                                          : "</td><td class=\"pts\">");
        if (c->outcome == OUTCOME_SKIPPED)
            sbuf_puts(p->b, "skipped");
        else if (c->outcome == OUTCOME_ERROR)
            sbuf_puts(p->b, "error");
        else
            sbuf_printf(p->b, "%g/%g", c->score, c->max_score);
        sbuf_puts(p->b, "</td><td>");
        html_text(p->b, c->title);
        sbuf_puts(p->b, "</td></tr>\n");
    }
    sbuf_puts(p->b, "</tbody>\n</table>\n");
}

/* --- findings ---------------------------------------------------------------------- */

/* Lines mark-2..mark+2 of the student's file, mark flagged, each numbered
 * with a link to the whole file. */
static void excerpt(page *p, int mark)
{
    if (mark < 1 || (size_t)mark > p->nlines) return;
    sbuf_puts(p->b, "<div class=\"excerpt\">");
    for (int l = mark - 2; l <= mark + 2; l++) {
        if (l < 1 || (size_t)l > p->nlines) continue;
        sbuf_printf(p->b,
                    "<div class=\"sl%s\"><a class=\"no\" href=\"#src-L%d\">%d</a><code>",
                    l == mark ? " here" : "", l, l);
        source_line_text(p, p->b, l, false);
        sbuf_puts(p->b, "</code></div>");
    }
    sbuf_puts(p->b, "</div>\n");
}

/* A titled stack, its frames linked to the student's lines (MAX_FRAMES). */
static void stack_block(page *p, const stack *st)
{
    sbuf_puts(p->b, "<div class=\"stack\"><div class=\"dim\">");
    html_text(p->b, st->title ? st->title : "stack");
    sbuf_puts(p->b, "</div><ol>");
    for (size_t k = 0; k < st->frames.len && k < MAX_FRAMES; k++) {
        const frame *fr = &st->frames.items[k];
        sbuf_puts(p->b, "<li><span class=\"fn\">");
        html_text(p->b, fr->function ? fr->function : "??");
        sbuf_puts(p->b, "</span> ");
        site_link(p, fr->file, fr->line, 2);
        sbuf_puts(p->b, "</li>");
    }
    if (st->frames.len > MAX_FRAMES)
        sbuf_printf(p->b,
                    ngettext("<li class=\"dim\">… %zu more frame</li>",
                             "<li class=\"dim\">… %zu more frames</li>",
                             st->frames.len - MAX_FRAMES),
                    st->frames.len - MAX_FRAMES);
    sbuf_puts(p->b, "</ol></div>\n");
}

/* The stacks of f: MAX_STACKS open (-v: all), the rest behind a <details>. */
static void finding_stacks(page *p, const finding *f)
{
    size_t open = p->o->verbose ? f->stacks.len : MAX_STACKS, shown = 0;
    for (size_t i = 0; i < f->stacks.len; i++) {
        if (!f->stacks.items[i].frames.len) continue;
        if (shown++ == open)
            sbuf_printf(p->b,
                        ngettext("<details><summary>%zu more stack</summary>\n",
                                 "<details><summary>%zu more stacks</summary>\n",
                                 f->stacks.len - i),
                        f->stacks.len - i);
        stack_block(p, &f->stacks.items[i]);
    }
    if (shown > open) sbuf_puts(p->b, "</details>\n");
}

/* One finding as in the text report: kind, tool, seed, site, message, the
 * student's lines around it, its stacks; a link to the check's timeline. */
static void finding_block(page *p, size_t ci, const finding *f, bool has_schedule)
{
    const kind_info *k = kind_lookup(f->kind);
    sbuf_puts(p->b, "<div class=\"finding\">\n<h3><span class=\"kind\">");
    html_text(p->b, k ? k->title : f->kind);
    sbuf_puts(p->b, "</span> <span class=\"dim\">(");
    html_text(p->b, f->tool);
    if (f->count > 1)
        sbuf_printf(
            p->b, ngettext(", seen %d time", ", seen %d times", (unsigned long)f->count),
            f->count);
    if (f->has_seed) sbuf_printf(p->b, _(", seed %llu"), (unsigned long long)f->seed);
    sbuf_puts(p->b, ")</span>");
    if (f->file && f->line > 0) {
        sbuf_puts(p->b, _(" at "));
        site_link(p, f->file, f->line, 2);
        if (f->function)
            sbuf_puts(p->b, _(" in <span class=\"fn\">")), html_text(p->b, f->function),
                sbuf_puts(p->b, "</span>");
    }
    sbuf_puts(p->b, "</h3>\n");
    if (*finding_text(f))
        sbuf_puts(p->b, "<p class=\"msg\">"), html_text(p->b, finding_text(f)),
            sbuf_puts(p->b, "</p>\n");
    if (source_has(p, f->file, f->line)) excerpt(p, f->line);
    finding_stacks(p, f);
    if (has_schedule && f->has_seed)
        sbuf_printf(
            p->b,
            _("<p><a href=\"#check-%zu-schedule\">See the schedule that went wrong "
              "↓</a></p>\n"),
            ci);
    sbuf_puts(p->b, "</div>\n");
}

/* --- the timeline of a schedule ---------------------------------------------------- */

static bool op_in(const char *op, const char *const *ops)
{
    for (; *ops; ops++)
        if (!strcmp(op, *ops)) return true;
    return false;
}

static const char *const lock_ops[] = {"lock", "trylock", "rdlock", "wrlock", NULL};

static bool acquires(const trace_event *e)
{
    return op_in(e->op, lock_ops) &&
           (!strcmp(e->result, "acquired") || !strcmp(e->result, "recursive"));
}

/* The fixed class of an event's chip, by what it does. */
static const char *chip_class(const trace_event *e)
{
    static const char *const cv[] = {"wait",     "wake",     "signal",  "broadcast",
                                     "sem_wait", "sem_post", "barrier", NULL};
    static const char *const thr[] = {"create", "join", "detach", "exit", "fork", NULL};
    static const char *const turn[] = {"preempt", "slice", "yield", "sleep", NULL};
    static const char *const bad[] = {"blocked", "busy",  "timeout", "virtual-timeout",
                                      "edeadlk", "error", NULL};
    if (trace_event_blocks(e) || op_in(e->result, bad)) return "k-blk";
    if (acquires(e)) return "k-acq";
    if (!strcmp(e->op, "unlock")) return "k-rel";
    if (!strcmp(e->result, "nobody")) return "k-lost";
    if (op_in(e->op, cv)) return "k-cv";
    if (op_in(e->op, thr)) return "k-thr";
    if (op_in(e->op, turn)) return "k-turn";
    return "k-oth";
}

/* The lane of thread tid of e's process, or t->nthreads. */
static size_t lane_of_tid(const trace *t, const trace_event *e, const char *tid)
{
    trace_event x = *e;
    snprintf(x.tid, sizeof x.tid, "%s", tid);
    return trace_lane(t, &x);
}

/* Lanes alive before the first event: all but threads created in the trace
 * and threads of later processes (they begin at their first event). */
static lane_state *lanes_init(const trace *t)
{
    lane_state *ls = xmalloc(sizeof *ls * (t->nthreads + 1));
    for (size_t i = 0; i < t->nthreads; i++) ls[i].alive = true;
    for (size_t i = 0; i < t->events.len; i++) {
        const trace_event *e = &t->events.items[i];
        if (e->pid != t->events.items[0].pid) ls[trace_lane(t, e)].alive = false;
        if (!strcmp(e->op, "create") && *e->peer)
            ls[lane_of_tid(t, e, e->peer)].alive = false;
    }
    return ls;
}

/* The state of every lane after event e. */
static void lanes_step(const trace *t, lane_state *ls, const trace_event *e)
{
    size_t l = trace_lane(t, e);
    ls[l].alive = strcmp(e->op, "exit") != 0;
    ls[l].waiting = trace_event_blocks(e);
    if (acquires(e))
        ls[l].held++;
    else if (!strcmp(e->op, "unlock") && !strcmp(e->result, "ok") && ls[l].held > 0)
        ls[l].held--;
    if (!strcmp(e->op, "create") && !strcmp(e->result, "ok") && *e->peer)
        ls[lane_of_tid(t, e, e->peer)].alive = true;
    ls[t->nthreads] = (lane_state){0};
}

static const char *lane_class(const lane_state *s)
{
    return !s->alive ? "" : s->waiting ? (s->held ? "w wh" : "w") : s->held ? "h" : "a";
}

/* The chip of an event: its words, linked to its line, the line's code in
 * its title. */
static void event_chip(page *p, const trace_event *e, const char *lane)
{
    char words[160];
    trace_event_words(e, words, sizeof words);
    bool link = source_has(p, e->file, e->line);
    if (link)
        sbuf_printf(p->b, "<a class=\"chip %s\" href=\"#src-L%d\" title=\"",
                    chip_class(e), e->line);
    else
        sbuf_printf(p->b, "<span class=\"chip %s\" title=\"", chip_class(e));
    html_text(p->b, lane);
    sbuf_puts(p->b, ": ");
    html_text(p->b, words);
    sbuf_printf(p->b, " (step %ld, event %ld", e->step, e->seq);
    if (e->value) sbuf_printf(p->b, ", value %ld", e->value);
    if (e->function) sbuf_puts(p->b, ", in "), html_text(p->b, e->function);
    sbuf_puts(p->b, ")");
    if (link) {
        sbuf_printf(p->b, "\n%d | ", e->line);
        source_line_text(p, p->b, e->line, true);
    }
    sbuf_puts(p->b, "\">");
    html_text(p->b, words);
    sbuf_puts(p->b, link ? "</a>" : "</span>");
}

typedef struct timeline {
    page *p;
    size_t ci;
    const trace *t;
    trace_mark *m;
    bool *emit, *show; /* in the page; not folded */
    lane_state *ls;
    bool *wide;   /* per lane: drawn in full (else thin: events as dots) */
    size_t ncols; /* step, lanes, where, note */
} timeline;

/* The class of lane l's cell in a row: its state, and whether it is thin. */
static void lane_cell(const timeline *tl, size_t l, const char *state)
{
    sbuf_printf(tl->p->b, "<td class=\"%s%s\">", state, tl->wide[l] ? "" : " thin");
}

/* Event i as a row: step, every lane (the event's chip in its own), where,
 * why it matters; the lanes' states advance past the event. */
static void tl_row(timeline *tl, size_t i)
{
    page *p = tl->p;
    const trace_event *e = &tl->t->events.items[i];
    const trace_mark *m = &tl->m[i];
    size_t lane = trace_lane(tl->t, e);
    lanes_step(tl->t, tl->ls, e);
    sbuf_printf(p->b,
                "<tr class=\"ev%s mk-%s\" id=\"c%zu-e%zu\"><td class=\"step\">%ld</td>",
                m->kind >= TRACE_MARK_CRITICAL ? " crit" : "", trace_mark_name(m->kind),
                tl->ci, i, e->step);
    for (size_t l = 0; l < tl->t->nthreads; l++) {
        lane_cell(tl, l, lane_class(&tl->ls[l]));
        if (l == lane) event_chip(p, e, tl->t->threads[l]);
        sbuf_puts(p->b, "</td>");
    }
    sbuf_puts(p->b, "<td class=\"where\">");
    if (e->file) site_link(p, e->file, e->line, 1);
    if (e->function)
        sbuf_puts(p->b, " <span class=\"dim\">"), html_text(p->b, e->function),
            sbuf_puts(p->b, "</span>");
    if (e->nondeterministic) sbuf_puts(p->b, " <span class=\"dim\">(timing)</span>");
    sbuf_puts(p->b, "</td><td class=\"note\">");
    if (m->kind >= TRACE_MARK_CRITICAL || m->kind == TRACE_MARK_WAITING)
        html_text(p->b, m->note);
    sbuf_puts(p->b, "</td></tr>\n");
}

/* Whether shown event i draws its lane in full in this pass: 0, what
 * explains the failure; 1, threads stuck at the end; 2, events at a
 * finding's line; 3, any event. */
static bool lane_wanted(const timeline *tl, size_t i, int pass)
{
    trace_mark_kind k = tl->m[i].kind;
    if (!tl->show[i]) return false;
    if (pass == 0) return k >= TRACE_MARK_CRITICAL && k != TRACE_MARK_STUCK;
    if (pass == 1) return k == TRACE_MARK_STUCK || k == TRACE_MARK_WAITING;
    return pass == 3 || k == TRACE_MARK_AT_FINDING;
}

/* Which lanes are drawn in full: all when they are few (ALL_WIDE), else
 * WIDE_LANES of them, by the passes of lane_wanted (the latest events first
 * in each pass). */
static void tl_lanes(timeline *tl)
{
    size_t n = tl->t->nthreads, wide = 0;
    tl->wide = xmalloc(n + 1);
    for (int pass = 0; pass < 4 && wide < WIDE_LANES; pass++)
        for (size_t i = tl->t->events.len; i-- > 0 && wide < WIDE_LANES;) {
            size_t l = trace_lane(tl->t, &tl->t->events.items[i]);
            if (l < n && !tl->wide[l] && lane_wanted(tl, i, pass))
                tl->wide[l] = true, wide++;
        }
    for (size_t l = 0; l < n && n <= ALL_WIDE; l++) tl->wide[l] = true;
}

/* Decides which events go in the page and which are folded: the last TAIL
 * and those around a marked one are shown; the last MAX_EVENTS (and the
 * shown ones) are in the page. */
static void tl_plan(timeline *tl)
{
    size_t n = tl->t->events.len;
    tl->emit = xmalloc(n + 1);
    tl->show = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        tl->show[i] = n <= TAIL + 10 || i + TAIL >= n;
        tl->emit[i] = tl->show[i] || i + MAX_EVENTS >= n;
        if (tl->m[i].kind < TRACE_MARK_CRITICAL) continue;
        for (size_t k = i > CONTEXT ? i - CONTEXT : 0; k <= i + CONTEXT && k < n; k++)
            tl->show[k] = tl->emit[k] = true;
    }
}

/* The header: a row of processes when there are several, the lane names. */
static void tl_head(timeline *tl)
{
    page *p = tl->p;
    const trace *t = tl->t;
    sbuf_puts(p->b, "<thead>");
    if (t->nthreads && t->threads[0][0] == 'P') {
        sbuf_puts(p->b, "<tr class=\"procs\"><th class=\"step\"></th>");
        for (size_t l = 0, span; l < t->nthreads; l += span) {
            int pid = atoi(t->threads[l] + 1);
            for (span = 1;
                 l + span < t->nthreads && atoi(t->threads[l + span] + 1) == pid;
                 span++) {
            }
            sbuf_printf(p->b, "<th colspan=\"%zu\">process %d%s</th>", span, pid,
                        pid == 1 ? "" : " (forked)");
        }
        sbuf_puts(p->b, "<th class=\"where\"></th><th class=\"note\"></th></tr>");
    }
    sbuf_puts(p->b, "<tr><th class=\"step\">step</th>");
    for (size_t l = 0; l < t->nthreads; l++) {
        sbuf_printf(p->b, "<th class=\"lane%s\" title=\"", tl->wide[l] ? "" : " thin");
        html_text(p->b, t->threads[l]);
        sbuf_puts(p->b, "\">");
        html_text(p->b, t->threads[l]);
        sbuf_puts(p->b, "</th>");
    }
    sbuf_puts(p->b, "<th class=\"where\">where</th><th class=\"note\">what "
                    "matters</th></tr></thead>\n");
}

/* The finding's stack titled "T1 waits ..." for lane l (NULL: none): that
 * thread's state at the end. With several processes, the thread is looked
 * for in the process of the last event (the one the finding ended). */
static const stack *lane_wait_stack(const trace *t, const finding *f, size_t l)
{
    const char *name = t->threads[l], *colon = strchr(name, ':');
    if (colon && atoi(name + 1) != t->events.items[t->events.len - 1].pid) return NULL;
    const char *tid = colon ? colon + 1 : name;
    size_t n = strlen(tid);
    for (size_t i = 0; i < f->stacks.len; i++) {
        const char *title = f->stacks.items[i].title;
        if (title && !strncmp(title, tid, n) && title[n] == ' ' &&
            str_ends(title, _(", here")))
            return &f->stacks.items[i];
    }
    return NULL;
}

/* The first frame of st in the student's file, else its first frame. */
static const frame *stack_site(const page *p, const stack *st)
{
    for (size_t k = 0; k < st->frames.len; k++)
        if (source_has(p, st->frames.items[k].file, st->frames.items[k].line))
            return &st->frames.items[k];
    return st->frames.len ? &st->frames.items[0] : NULL;
}

/* The row where the run failed: per lane what the finding says that thread
 * waits for, the lines where they wait (else where the finding is), and its
 * message. */
static void tl_end_row(timeline *tl, const finding *f)
{
    page *p = tl->p;
    const kind_info *k = kind_lookup(f->kind);
    sbuf_puts(p->b, "<tr class=\"end\"><td class=\"step\">✗</td>");
    int at[8], nat = 0; /* the lines the waiting lanes link to */
    for (size_t l = 0; l < tl->t->nthreads; l++) {
        const stack *st = lane_wait_stack(tl->t, f, l);
        const frame *fr = st ? stack_site(p, st) : NULL;
        if (fr && source_has(p, fr->file, fr->line) && nat < 8) {
            bool dup = false;
            for (int j = 0; j < nat; j++) dup |= at[j] == fr->line;
            if (!dup) at[nat++] = fr->line;
        }
        lane_state end = tl->ls[l];
        end.waiting |= st != NULL;
        lane_cell(tl, l, lane_class(&end));
        if (st) {
            bool link = fr && source_has(p, fr->file, fr->line);
            if (link)
                sbuf_printf(p->b, "<a class=\"chip k-blk\" href=\"#src-L%d\">", fr->line);
            else
                sbuf_puts(p->b, "<span class=\"chip k-blk\">");
            html_text(p->b, strchr(st->title, ' ') + 1); /* "waits for M2, here" */
            sbuf_puts(p->b, link ? "</a>" : "</span>");
        }
        sbuf_puts(p->b, "</td>");
    }
    /* where the threads wait, as their lanes and stacks say; else the finding */
    sbuf_puts(p->b, "<td class=\"where\">");
    for (int j = 0; j < nat; j++) {
        if (j) sbuf_puts(p->b, ", ");
        site_link(p, p->r->source, at[j], 2);
    }
    if (!nat) site_link(p, f->file, f->line, 2);
    sbuf_puts(p->b, "</td><td class=\"note\"><b>");
    html_text(p->b, k ? k->title : f->kind);
    sbuf_puts(p->b, "</b> (");
    html_text(p->b, f->tool);
    sbuf_puts(p->b, "): ");
    const char *said = finding_text(f);
    size_t n = strlen(said);
    html_text_n(p->b, said, n > NOTE_CAP ? NOTE_CAP : n);
    if (n > NOTE_CAP) sbuf_puts(p->b, "…");
    sbuf_puts(p->b, "</td></tr>\n");
}

/* A run of events [from, to) that are all in the page, folded or not. */
static void tl_run(timeline *tl, size_t from, size_t to, bool folded)
{
    page *p = tl->p;
    if (folded)
        sbuf_printf(
            p->b,
            ngettext("<tbody class=\"fold\"><tr class=\"foldbar\"><td "
                     "colspan=\"%zu\"><button type=\"button\" "
                     "class=\"unfold\">show %zu folded event</button></td></tr>\n",
                     "<tbody class=\"fold\"><tr class=\"foldbar\"><td "
                     "colspan=\"%zu\"><button type=\"button\" "
                     "class=\"unfold\">show %zu folded events</button></td></tr>\n",
                     to - from),
            tl->ncols, to - from);
    else
        sbuf_puts(p->b, "<tbody>\n");
    for (size_t i = from; i < to; i++) tl_row(tl, i);
    sbuf_puts(p->b, "</tbody>\n");
}

/* A row saying n earlier events are not shown (kept: in the trace, left out
 * of the page; else dropped before the report was made). */
static void tl_omitted(timeline *tl, size_t n, bool kept)
{
    sbuf_printf(tl->p->b,
                kept
                    ? ngettext("<tbody><tr class=\"omitted\"><td colspan=\"%zu\">… %zu "
                               "earlier event not "
                               "in this page (<code>grader replay</code> shows the whole "
                               "schedule)</td></tr></tbody>\n",
                               "<tbody><tr class=\"omitted\"><td colspan=\"%zu\">… %zu "
                               "earlier events not "
                               "in this page (<code>grader replay</code> shows the whole "
                               "schedule)</td></tr></tbody>\n",
                               n)
                    : ngettext("<tbody><tr class=\"omitted\"><td colspan=\"%zu\">… %zu "
                               "earlier event not "
                               "kept (<code>grader replay</code> shows the whole "
                               "schedule)</td></tr></tbody>\n",
                               "<tbody><tr class=\"omitted\"><td colspan=\"%zu\">… %zu "
                               "earlier events not "
                               "kept (<code>grader replay</code> shows the whole "
                               "schedule)</td></tr></tbody>\n",
                               n),
                tl->ncols, n);
}

/* Every event of the trace in order, in runs shown, folded or left out, then
 * the rows of the seeded findings (at most 3). */
static void tl_body(timeline *tl, const check_result *c)
{
    size_t n = tl->t->events.len, i = 0;
    if (tl->t->folded) tl_omitted(tl, tl->t->folded, false);
    while (i < n) {
        size_t k = i + 1;
        if (!tl->emit[i]) {
            while (k < n && !tl->emit[k]) k++;
            for (size_t j = i; j < k; j++)
                lanes_step(tl->t, tl->ls, &tl->t->events.items[j]);
            tl_omitted(tl, k - i, true);
        } else {
            while (k < n && tl->emit[k] && tl->show[k] == tl->show[i]) k++;
            tl_run(tl, i, k, !tl->show[i]);
        }
        i = k;
    }
    sbuf_puts(tl->p->b, "<tbody>\n");
    size_t ends = 0;
    for (size_t f = 0; f < c->findings.len && ends < 3; f++)
        if (c->findings.items[f].has_seed) tl_end_row(tl, &c->findings.items[f]), ends++;
    sbuf_puts(tl->p->b, "</tbody>\n");
}

/* The marked events in order, each linked to its row. */
static void tl_moments(timeline *tl)
{
    size_t n = 0, more = 0;
    for (size_t i = 0; i < tl->t->events.len; i++) {
        const trace_mark *m = &tl->m[i];
        if (m->kind < TRACE_MARK_CRITICAL) continue;
        if (n++ >= MAX_MOMENTS) {
            more++;
            continue;
        }
        if (n == 1) sbuf_puts(tl->p->b, "<ol class=\"moments\">\n");
        const trace_event *e = &tl->t->events.items[i];
        size_t lane = trace_lane(tl->t, e);
        sbuf_printf(tl->p->b, "<li class=\"mk-%s\"><a href=\"#c%zu-e%zu\">step %ld, ",
                    trace_mark_name(m->kind), tl->ci, i, e->step);
        html_text(tl->p->b, lane < tl->t->nthreads ? tl->t->threads[lane] : e->tid);
        sbuf_puts(tl->p->b, "</a>: ");
        html_text(tl->p->b, m->note);
        sbuf_puts(tl->p->b, "</li>\n");
    }
    if (more)
        sbuf_printf(tl->p->b,
                    _("<li class=\"dim\">and %zu more, marked in the timeline</li>\n"),
                    more);
    if (n) sbuf_puts(tl->p->b, "</ol>\n");
}

/* What the colours and lines of a timeline mean. */
static void tl_legend(timeline *tl)
{
    static const char legend[] =
        N_("<p class=\"legend\">"
           "<span class=\"chip k-acq\">lock acquired</span>"
           "<span class=\"chip k-rel\">unlock</span>"
           "<span class=\"chip k-blk\">blocked</span>"
           "<span class=\"chip k-cv\">condition variable</span>"
           "<span class=\"chip k-lost\">signal to nobody</span>"
           "<span class=\"chip k-thr\">threads, processes</span>"
           "<span class=\"chip k-turn\">loses its turn</span>"
           " · lane line: thin = running, thick = holds a lock, dashed = blocked"
           " (thick: holding a lock) · red rows: what made it go wrong;"
           " yellow rows: at the line of a finding</p>\n");
    sbuf_puts(tl->p->b, _(legend));
}

/* The timeline's title (with the schedule's seed), how to read it, the
 * buttons that unfold every event and widen every lane, the marked moments
 * and the legend. */
static void tl_intro(timeline *tl, const check_result *c)
{
    page *p = tl->p;
    const finding *seeded = NULL;
    for (size_t i = 0; i < c->findings.len && !seeded; i++)
        if (c->findings.items[i].has_seed) seeded = &c->findings.items[i];
    sbuf_printf(p->b, "<div class=\"timeline\" id=\"check-%zu-schedule\">\n", tl->ci);
    sbuf_puts(p->b, _("<h3>The schedule that went wrong"));
    if (seeded) sbuf_printf(p->b, _(" (seed %llu)"), (unsigned long long)seeded->seed);
    sbuf_puts(p->b, _("</h3>\n<p>One column per thread; time runs down. Each event is a "
                      "call the scheduler saw: hover over it to see your line, click to "
                      "jump to it in your file. <button type=\"button\" "
                      "class=\"unfold-all\">show every event</button>"));
    bool thin = false;
    for (size_t l = 0; l < tl->t->nthreads; l++) thin |= !tl->wide[l];
    if (thin)
        sbuf_puts(p->b, _(" <button type=\"button\" class=\"widen\">draw every thread in "
                          "full</button>"));
    sbuf_puts(p->b, "</p>\n");
    tl_moments(tl);
    tl_legend(tl);
}

/* The timeline of check ci's schedule: intro, marked moments, the table. */
static void timeline_block(page *p, size_t ci, const check_result *c)
{
    timeline tl = {
        .p = p, .ci = ci, .t = &c->schedule, .ncols = c->schedule.nthreads + 3};
    tl.m = trace_marks(tl.t, &c->findings);
    tl.ls = lanes_init(tl.t);
    tl_plan(&tl);
    tl_lanes(&tl);
    tl_intro(&tl, c);
    sbuf_puts(p->b, "<div class=\"tl-scroll\"><table class=\"tl\">\n");
    tl_head(&tl);
    tl_body(&tl, c);
    sbuf_puts(p->b, "</table></div>\n</div>\n");
    trace_marks_free(tl.m, tl.t->events.len);
    free(tl.emit);
    free(tl.show);
    free(tl.wide);
    free(tl.ls);
}

/* --- checks and the source --------------------------------------------------------- */

/* A check that did not pass: message, findings, timeline, hint, replay. */
static void check_section(page *p, size_t ci, const check_result *c)
{
    sbuf_printf(p->b,
                "<section class=\"check %s\" id=\"check-%zu\">\n<h2><span "
                "class=\"mark\">%s</span> ",
                outcome_class(c->outcome), ci, outcome_mark(c->outcome));
    html_text(p->b, c->name);
    if (c->outcome == OUTCOME_FAIL)
        sbuf_printf(p->b, " <span class=\"dim\">(%g/%g)</span>", c->score, c->max_score);
    if (c->title) sbuf_puts(p->b, " — "), html_text(p->b, c->title);
    sbuf_puts(p->b, "</h2>\n");
    if (c->message && *c->message)
        sbuf_puts(p->b, "<p class=\"msg\">"), html_text(p->b, c->message),
            sbuf_puts(p->b, "</p>\n");
    bool sched = c->schedule.events.len > 0;
    for (size_t i = 0; i < c->findings.len && i < MAX_FINDINGS; i++)
        finding_block(p, ci, &c->findings.items[i], sched);
    if (c->findings.len > MAX_FINDINGS)
        sbuf_printf(p->b,
                    ngettext("<p class=\"dim\">… %zu more finding</p>\n",
                             "<p class=\"dim\">… %zu more findings</p>\n",
                             c->findings.len - MAX_FINDINGS),
                    c->findings.len - MAX_FINDINGS);
    if (sched) timeline_block(p, ci, c);
    if (c->hint && *c->hint)
        sbuf_puts(p->b, _("<p class=\"hint\"><b>hint:</b> ")), html_text(p->b, c->hint),
            sbuf_puts(p->b, "</p>\n");
    if (c->replay)
        sbuf_puts(p->b, _("<p class=\"dim\">replay: <code>")), html_text(p->b, c->replay),
            sbuf_puts(p->b, "</code></p>\n");
    sbuf_puts(p->b, "</section>\n");
}

/* The student's whole file, one anchor per line (src-L1...), the lines
 * that findings (fl) and events (ev) point at flagged. */
static void source_section(page *p)
{
    if (!p->nlines) return;
    sbuf_puts(p->b, _("<section id=\"source\">\n<h2>Your file: <code>"));
    html_text(p->b, p->r->source);
    sbuf_puts(p->b, "</code></h2>\n<div class=\"src\">\n");
    for (size_t l = 1; l <= p->nlines; l++) {
        const char *cls = p->cited[l] & 2 ? " fl" : p->cited[l] & 1 ? " ev" : "";
        sbuf_printf(p->b,
                    "<div class=\"sl%s\" id=\"src-L%zu\"><a class=\"no\" "
                    "href=\"#src-L%zu\">%zu</a><code>",
                    cls, l, l, l);
        source_line_text(p, p->b, (int)l, false);
        sbuf_puts(p->b, "</code></div>\n");
    }
    if (p->nlines == SRC_MAX_LINES)
        sbuf_puts(p->b,
                  _("<div class=\"dim\">… the rest of the file is not shown</div>\n"));
    sbuf_puts(p->b, "</div>\n</section>\n");
}

/* The whole page; out gets it (the caller owns out). */
void report_html(const report *r, const report_opts *o, sbuf *out)
{
    page p = {.r = r, .o = o, .b = out};
    source_load(&p);
    page_head(&p);
    page_header(&p);
    summary_table(&p);
    for (size_t i = 0; i < r->checks.len; i++)
        if (check_shown(&p, &r->checks.items[i]))
            check_section(&p, i, &r->checks.items[i]);
    source_section(&p);
    sbuf_printf(out, "<script>%s</script>\n</body>\n</html>\n", script);
    source_free(&p);
}
