/* report_md.c - the report as GitHub-flavoured Markdown (job summaries, pull
 * requests, Gradescope's test output).
 *
 * Everything that comes from a run goes through the text layer (text.h):
 * messages as escaped inline text that keeps its line breaks, hints with
 * their code as fenced blocks, the student's lines as fenced `c` blocks.
 * A finding lists every site it has in the student's file, one per stack
 * (both sides of a deadlock, both accesses of a race), each with its line. */
#include "report.h"
#include "i18n.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { MD_FINDINGS = 5, MD_SITES = 4 };

double report_ungraded_points(const report *r)
{
    double pts = 0;
    for (size_t i = 0; i < r->checks.len; i++)
        if (!r->checks.items[i].graded) pts += r->checks.items[i].max_score;
    return pts;
}

const char *finding_text(const finding *f)
{
    const kind_info *k = kind_lookup(f->kind);
    const char *m = f->message ? f->message : "";
    size_t n = k ? strlen(k->title) : 0;
    if (n && !strncasecmp(m, k->title, n) && m[n] == ':') {
        m += n + 1;
        while (*m == ' ') m++;
    }
    return m;
}

/* The frame of st in the student's file (else NULL). */
static const frame *student_frame(const report *r, const stack *st)
{
    for (size_t i = 0; i < st->frames.len; i++) {
        const frame *fr = &st->frames.items[i];
        if (fr->file && fr->line > 0 && r->source && !strcmp(fr->file, r->source))
            return fr;
    }
    return NULL;
}

/* The student's lines around line, as a fenced block indented for a list. */
static void md_excerpt(const report *r, int line, int context, sbuf *b)
{
    char *ex = source_excerpt(r->source_text, line, context, false);
    if (!ex) return;
    sbuf_putc(b, '\n');
    text_md_fence(b, "c", ex, "    ");
    free(ex);
}

/* A copy of s, sanitised, for inside a `code span` of a message (caller
 * frees): a backtick would end the span, so it becomes a quote. */
static char *md_in_code(const char *s)
{
    char *t = text_sanitize(s);
    for (char *c = t; *c; c++)
        if (*c == '`' || *c == '\n') *c = *c == '`' ? '\'' : ' ';
    return t;
}

/* " at `file:line` in `function`" */
static void md_place(const char *file, int line, const char *function, sbuf *b)
{
    char *f = md_in_code(file);
    sbuf_printf(b, _(" at `%s:%d`"), f, line);
    free(f);
    if (function) {
        sbuf code = {0};
        text_md_code(&code, function);
        sbuf_printf(b, _(" in %s"), code.data);
        sbuf_free(&code);
    }
}

/* Every site of f in the student's file, one per stack (each thread's side
 * of a deadlock, each access of a race), each line's excerpt once. */
static void md_sites(const report *r, const finding *f, sbuf *b)
{
    int lines[MD_SITES];
    size_t n = 0;
    for (size_t i = 0; i < f->stacks.len && n < MD_SITES; i++) {
        const stack *st = &f->stacks.items[i];
        const frame *fr = student_frame(r, st);
        if (!fr) continue;
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++) seen = lines[k] == fr->line;
        lines[n++] = fr->line;
        if (!st->title && fr->line == f->line) { /* the finding's own place */
            if (!seen) md_excerpt(r, fr->line, 2, b);
            continue;
        }
        sbuf_puts(b, "\n  - ");
        if (st->title)
            text_put(b, TEXT_MD, st->title);
        else
            sbuf_printf(b, _("stack %zu"), i + 1);
        md_place(fr->file, fr->line, fr->function, b);
        sbuf_putc(b, '\n');
        if (!seen) md_excerpt(r, fr->line, 0, b);
    }
    if (!n && f->file && f->line > 0 && r->source && !strcmp(f->file, r->source))
        md_excerpt(r, f->line, 2, b);
}

static void md_finding(const report *r, const finding *f, sbuf *b)
{
    const kind_info *k = kind_lookup(f->kind);
    sbuf_puts(b, "- **");
    text_put(b, TEXT_MD, k ? k->title : f->kind);
    sbuf_puts(b, "** (");
    text_put(b, TEXT_MD, f->tool);
    sbuf_puts(b, ")");
    if (f->file && f->line > 0) md_place(f->file, f->line, f->function, b);
    if (*finding_text(f)) sbuf_puts(b, ": "), text_put(b, TEXT_MD, finding_text(f));
    sbuf_putc(b, '\n');
    md_sites(r, f, b);
}

void report_md_check(const report *r, const check_result *c, sbuf *b)
{
    if (c->outcome == OUTCOME_ERROR || (!c->graded && c->max_score > 0))
        sbuf_printf(b,
                    _("**Not graded**: an error of the exercise or of the grader, not of "
                      "your code; "
                      "its %g points are left out until it is graded again.\n\n"),
                    c->max_score);
    if (c->message && *c->message) text_put(b, TEXT_MD, c->message), sbuf_puts(b, "\n\n");
    for (size_t k = 0; k < c->findings.len && k < MD_FINDINGS; k++)
        md_finding(r, &c->findings.items[k], b);
    if (c->findings.len > MD_FINDINGS)
        sbuf_printf(b,
                    _("- … %zu more findings (the text report with -v shows them all)\n"),
                    c->findings.len - MD_FINDINGS);
    if (c->findings.len) sbuf_putc(b, '\n');
    if (c->hint && *c->hint) {
        sbuf_puts(b, _("💡 **Hint**\n\n"));
        text_md_advice(b, c->hint, "");
        sbuf_putc(b, '\n');
    }
    if (c->replay) {
        char *cmd = md_in_code(c->replay);
        sbuf_printf(b, _("\nReplay: `%s`\n"), cmd);
        sbuf_putc(b, '\n');
        free(cmd);
    }
}

static const char *md_mark(outcome o)
{
    return o == OUTCOME_PASS    ? "✅"
           : o == OUTCOME_FAIL  ? "❌"
           : o == OUTCOME_ERROR ? "⚠️"
                                : "⏭️";
}

static void md_table(const report *r, sbuf *out)
{
    sbuf_puts(out, _("| | check | points | what it proves |\n|---|---|---|---|\n"));
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        sbuf_printf(out, "| %s | ", md_mark(c->outcome));
        text_md_code(out, c->name);
        sbuf_puts(out, " | ");
        if (c->outcome == OUTCOME_SKIPPED)
            sbuf_puts(out, _("skipped"));
        else if (c->outcome == OUTCOME_ERROR)
            sbuf_puts(out, _("error"));
        else
            sbuf_printf(out, "%g/%g", c->score, c->max_score);
        sbuf_puts(out, " | ");
        text_put(out, TEXT_MD_CELL, c->title);
        sbuf_puts(out, " |\n");
    }
}

void report_markdown(const report *r, const report_opts *o, sbuf *out)
{
    (void)o;
    const char *verdict = r->outcome == OUTCOME_PASS   ? _("✅ pass")
                          : r->outcome == OUTCOME_FAIL ? _("❌ fail")
                                                       : _("⚠️ error");
    sbuf ex = {0}, title = {0};
    text_put(&ex, TEXT_MD, r->exercise);
    text_put(&title, TEXT_MD, r->title ? r->title : "");
    sbuf_printf(out, _("## %s — %s\n\n**Score: %g/%g** %s\n\n"), sbuf_str(&ex),
                sbuf_str(&title), r->score, r->max_score, verdict);
    sbuf_free(&ex);
    sbuf_free(&title);
    double ungraded = report_ungraded_points(r);
    if (ungraded > 0)
        sbuf_printf(out,
                    _("> **%g more points could not be graded** (an error, not the "
                      "student's fault): "
                      "the score counts only the checks that were graded.\n\n"),
                    ungraded);
    if (r->error) {
        sbuf err = {0};
        text_put(&err, TEXT_MD, r->error);
        sbuf_printf(out, _("> **Error** (not the student's fault): %s\n\n"),
                    sbuf_str(&err));
        sbuf_free(&err);
    }
    if (r->checks.len) md_table(r, out);
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        if (c->outcome != OUTCOME_FAIL && c->outcome != OUTCOME_ERROR) continue;
        sbuf_printf(out, "\n### %s ", md_mark(c->outcome));
        text_md_code(out, c->name);
        sbuf_puts(out, "\n\n");
        report_md_check(r, c, out);
    }
}
