/* report.c - the reporter registry, the JSON reporter and the text reporter.
 *
 * The text report is for people: a summary table, the score, then every check
 * that did not pass with its message, findings (the student's lines excerpted,
 * each thread's stack), hint and a command that replays it. */
#include "report.h"
#include "i18n.h"
#include "text.h"
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const reporter reporters[] = {
    {"text", report_text, "for people: summary table, findings with source lines"},
    {"json", report_json, "the fixed JSON report (api 1)"},
    {"classroom", report_classroom,
     "GitHub Classroom autograding result (equal-share tests)"},
    {"gradescope", report_gradescope, "Gradescope results.json"},
    {"junit", report_junit, "JUnit XML for CI systems"},
    {"markdown", report_markdown, "Markdown (GitHub step summaries, pull requests)"},
    {"html", report_html,
     "one self-contained HTML page, with a timeline of each schedule that went wrong"},
};

const reporter *reporter_lookup(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(reporters); i++)
        if (!strcmp(reporters[i].name, name)) return &reporters[i];
    return NULL;
}

const reporter *reporter_all(size_t *n)
{
    *n = ARRAY_LEN(reporters);
    return reporters;
}

void report_json(const report *r, const report_opts *o, sbuf *out)
{
    (void)o;
    json_writer w;
    json_init(&w, out, true);
    report_to_json(&w, r);
    sbuf_putc(out, '\n');
}

/* --- text ----------------------------------------------------------------------- */

typedef struct style {
    const char *bold, *dim, *red, *green, *yellow, *magenta, *cyan, *off;
} style;

static style style_for(bool color)
{
    if (!color) return (style){"", "", "", "", "", "", "", ""};
    return (style){"\033[1m",  "\033[2m",  "\033[31m", "\033[32m",
                   "\033[33m", "\033[35m", "\033[36m", "\033[0m"};
}

static const char *mark_of(outcome o)
{
    switch (o) {
    case OUTCOME_PASS:
        return "✓";
    case OUTCOME_FAIL:
        return "✗";
    case OUTCOME_ERROR:
        return "!";
    default:
        return "-";
    }
}

static const char *colour_of(const style *s, outcome o)
{
    switch (o) {
    case OUTCOME_PASS:
        return s->green;
    case OUTCOME_FAIL:
        return s->red;
    case OUTCOME_ERROR:
        return s->magenta;
    default:
        return s->yellow;
    }
}

static void points(sbuf *b, double got, double max)
{
    sbuf_printf(b, "%g/%g", got, max);
}

char *source_excerpt(const char *text, int mark, int context, bool color)
{
    if (!text || mark <= 0) return NULL;
    sbuf b = {0};
    int line = 1;
    const char *p = text;
    int lo = mark - context, hi = mark + context;
    while (*p && line <= hi) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (line >= lo) {
            if (n > 160) n = 160;
            bool here = line == mark;
            sbuf_printf(&b, "    %s%s%5d | ", here && color ? "\033[1m" : "",
                        here ? ">" : " ", line);
            char *one = xstrndup(p, n);
            for (char *t = one; *t; t++)
                if (*t == '\t') *t = ' ';
            text_put(&b, TEXT_PLAIN, one); /* a Latin-1 comment becomes U+FFFD */
            free(one);
            sbuf_printf(&b, "%s\n", here && color ? "\033[0m" : "");
        }
        if (!nl) break;
        p = nl + 1;
        line++;
    }
    if (!b.len) return NULL;
    return sbuf_take(&b);
}

/* The field width that pads text to `width` columns (UTF-8 characters). */
static int text_pad(const char *text, int width)
{
    int bytes = 0, cols = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++, bytes++)
        if ((*p & 0xc0) != 0x80) cols++;
    return cols >= width ? bytes : width + bytes - cols;
}

static void text_summary(const report *r, const style *s, sbuf *b)
{
    size_t w = 5;
    for (size_t i = 0; i < r->checks.len; i++)
        if (strlen(r->checks.items[i].name) > w) w = strlen(r->checks.items[i].name);
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        sbuf_printf(b, "  %s%s%s %-*s  ", colour_of(s, c->outcome), mark_of(c->outcome),
                    s->off, (int)w, c->name);
        sbuf pts = {0};
        if (c->outcome == OUTCOME_SKIPPED)
            sbuf_puts(&pts, _("skipped"));
        else if (c->outcome == OUTCOME_ERROR)
            sbuf_puts(&pts, _("error"));
        else
            points(&pts, c->score, c->max_score);
        sbuf_printf(b, "%*s  %s%s%s\n", text_pad(pts.data, 8), pts.data, s->dim,
                    c->title ? c->title : "", s->off);
        sbuf_free(&pts);
    }
}

static void text_stack(const stack *st, const style *s, sbuf *b)
{
    sbuf_printf(b, "      %s%s%s\n", s->dim, st->title ? st->title : _("stack"), s->off);
    size_t shown = 0;
    for (size_t k = 0; k < st->frames.len && shown < 8; k++, shown++) {
        const frame *fr = &st->frames.items[k];
        sbuf_printf(b, "        %s", fr->function ? fr->function : "??");
        if (fr->file && fr->line > 0)
            sbuf_printf(b, "  %s%s:%d%s", s->cyan, fr->file, fr->line, s->off);
        else if (fr->file)
            sbuf_printf(b, "  %s%s%s", s->cyan, fr->file, s->off);
        sbuf_putc(b, '\n');
    }
    if (st->frames.len > shown)
        sbuf_printf(b,
                    ngettext("        … %zu more frame\n", "        … %zu more frames\n",
                             st->frames.len - shown),
                    st->frames.len - shown);
}

static void text_finding(const report *r, const finding *f, const style *s,
                         const report_opts *o, sbuf *b)
{
    const kind_info *k = kind_lookup(f->kind);
    sbuf_printf(b, "\n  %s%s%s%s", s->bold, s->red, k ? k->title : f->kind, s->off);
    sbuf_printf(b, " %s(%s", s->dim, f->tool);
    if (f->count > 1)
        sbuf_printf(
            b, ngettext(", seen %d time", ", seen %d times", (unsigned long)f->count),
            f->count);
    if (f->has_seed) sbuf_printf(b, _(", seed %llu"), (unsigned long long)f->seed);
    sbuf_printf(b, ")%s", s->off);
    if (f->file && f->line > 0) {
        sbuf_printf(b, _(" at %s%s:%d%s"), s->cyan, f->file, f->line, s->off);
        if (f->function) sbuf_printf(b, _(" in %s"), f->function);
    }
    sbuf_putc(b, '\n');
    if (f->message && *f->message) {
        /* indent continuation lines */
        sbuf_puts(b, "    ");
        for (const char *p = f->message; *p; p++) {
            sbuf_putc(b, *p);
            if (*p == '\n') sbuf_puts(b, "    ");
        }
        sbuf_putc(b, '\n');
    }
    if (f->file && r->source && !strcmp(f->file, r->source)) {
        char *ex = source_excerpt(r->source_text, f->line, 2, o->color);
        if (ex) sbuf_printf(b, "%s", ex);
        free(ex);
    }
    size_t max_stacks = o->verbose ? f->stacks.len : 4;
    for (size_t i = 0; i < f->stacks.len && i < max_stacks; i++)
        if (f->stacks.items[i].frames.len) text_stack(&f->stacks.items[i], s, b);
    if (f->stacks.len > max_stacks)
        sbuf_printf(b,
                    ngettext("      … %zu more stack (use -v)\n",
                             "      … %zu more stacks (use -v)\n",
                             f->stacks.len - max_stacks),
                    f->stacks.len - max_stacks);
}

static void text_check(const report *r, const check_result *c, const style *s,
                       const report_opts *o, sbuf *b)
{
    sbuf_printf(b, "\n%s%s%s %s%s", s->bold, colour_of(s, c->outcome),
                mark_of(c->outcome), c->name, s->off);
    if (c->outcome == OUTCOME_FAIL) {
        sbuf_puts(b, " (");
        points(b, c->score, c->max_score);
        sbuf_puts(b, ")");
    }
    if (c->title) sbuf_printf(b, " — %s", c->title);
    sbuf_putc(b, '\n');
    if (c->message && *c->message) sbuf_printf(b, "  %s\n", c->message);
    size_t max = o->verbose ? c->findings.len : 5;
    for (size_t i = 0; i < c->findings.len && i < max; i++)
        text_finding(r, &c->findings.items[i], s, o, b);
    if (c->findings.len > max)
        sbuf_printf(b,
                    ngettext("\n  … %zu more finding (use -v)\n",
                             "\n  … %zu more findings (use -v)\n", c->findings.len - max),
                    c->findings.len - max);
    if (c->schedule.events.len) {
        sbuf_printf(b,
                    _("\n  %sthe schedule that went wrong%s (last events; `grader "
                      "replay` shows all):\n"),
                    s->dim, s->off);
        trace_text(&c->schedule, &c->findings, o->verbose ? 0 : 12, b);
    }
    if (c->hint && *c->hint)
        sbuf_printf(b, _("\n  %shint:%s %s\n"), s->yellow, s->off, c->hint);
    if (c->replay) sbuf_printf(b, _("  %sreplay:%s %s\n"), s->dim, s->off, c->replay);
}

void report_text(const report *r, const report_opts *o, sbuf *b)
{
    style s = style_for(o->color);
    sbuf_printf(b, "%s%s%s", s.bold, r->exercise ? r->exercise : "?", s.off);
    if (r->title) sbuf_printf(b, " — %s", r->title);
    sbuf_putc(b, '\n');
    if (r->source_path)
        sbuf_printf(b, _("%ssubmission: %s   seed: %llu%s\n"), s.dim, r->source_path,
                    (unsigned long long)r->seed, s.off);
    sbuf_putc(b, '\n');
    if (r->error) {
        sbuf_printf(b, _("%s%serror:%s %s\n"), s.bold, s.magenta, s.off, r->error);
        sbuf_puts(b, _("This is a problem of the exercise or of the grader's machine, "
                       "not of your code.\n"));
        if (!r->checks.len) return;
        sbuf_putc(b, '\n');
    }
    text_summary(r, &s, b);
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        bool show = c->outcome == OUTCOME_FAIL || c->outcome == OUTCOME_ERROR ||
                    (c->findings.len && (o->verbose || !strcmp(c->name, "build"))) ||
                    (c->outcome == OUTCOME_PASS && c->message && *c->message);
        if (show) text_check(r, c, &s, o, b);
    }
    if (o->no_score) return;
    const char *verdict = r->outcome == OUTCOME_PASS   ? _("PASS")
                          : r->outcome == OUTCOME_FAIL ? _("FAIL")
                                                       : _("ERROR");
    sbuf_printf(b, _("\n%sScore: "), s.bold);
    points(b, r->score, r->max_score);
    sbuf_printf(b, "%s  %s%s%s  (%.1f s)\n", s.off, colour_of(&s, r->outcome), verdict,
                s.off, (double)r->duration_ms / 1000.0);
}

void report_finding_text(const report *r, const finding *f, const report_opts *o, sbuf *b)
{
    style s = style_for(o->color);
    text_finding(r, f, &s, o, b);
}
