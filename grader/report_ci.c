/* report_ci.c - reports for other systems: GitHub Classroom, Gradescope,
 * JUnit XML and Markdown, all from the one result model.
 *
 * GitHub Classroom (autograding-grading-reporter@v1) reads
 *   {"version":1,"status":...,"max_score":N,"tests":[{name,status,score,
 *    message,test_code,filename,line_no,duration}]}
 * and shows two totals: the Classroom points (sum of scores) and a console
 * table computed as passed/tests * max_score. The two agree only when every
 * test is worth the same, so a check of P points becomes P/g tests of g
 * points each (g = the gcd of all check points): both views then show the
 * same score. Checks worth 0 points and checks not graded (errors) are left
 * out, as in every other report. */
#include "report.h"
#include "i18n.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGE_CAP 4000 /* per test: keeps the base64 result far below 128 KiB */

/* --- shared helpers ---------------------------------------------------------- */

static long gcd(long a, long b)
{
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The plain-text story of a check: message, findings (file:line), hint. */
char *check_story(const check_result *c, size_t cap)
{
    sbuf b = {0};
    if (c->message && *c->message) sbuf_printf(&b, "%s\n", c->message);
    for (size_t i = 0; i < c->findings.len && i < 5; i++) {
        const finding *f = &c->findings.items[i];
        const kind_info *k = kind_lookup(f->kind);
        sbuf_printf(&b, "- %s (%s)", k ? k->title : f->kind, f->tool);
        if (f->file && f->line > 0) sbuf_printf(&b, _(" at %s:%d"), f->file, f->line);
        sbuf_printf(&b, ": %s\n", f->message);
    }
    if (c->hint && *c->hint) sbuf_printf(&b, _("hint: %s\n"), c->hint);
    if (c->replay) sbuf_printf(&b, _("replay: %s\n"), c->replay);
    if (b.len > cap) {
        b.len = cap;
        b.data[cap] = 0;
        sbuf_puts(&b, _("… (cut)\n"));
    }
    return sbuf_take(&b);
}

static bool counted(const check_result *c)
{
    return c->graded && c->max_score > 0;
}

static const char *top_status(const report *r)
{
    return r->outcome == OUTCOME_PASS ? "pass" : r->outcome == OUTCOME_FAIL ? "fail" : "error";
}

/* --- GitHub Classroom ----------------------------------------------------------- */

void report_classroom(const report *r, const report_opts *o, sbuf *out)
{
    (void)o;
    long g = 0;
    bool integral = true;
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        if (!counted(c)) continue;
        if (c->max_score != (double)(long)c->max_score) integral = false;
        else g = gcd(g, (long)c->max_score);
    }
    json_writer w;
    json_init(&w, out, false);
    json_obj_begin(&w);
    json_key(&w, "version");
    json_int(&w, 1);
    json_key(&w, "status");
    json_str(&w, top_status(r));
    json_key(&w, "max_score");
    json_num(&w, r->max_score);
    json_key(&w, "tests");
    json_arr_begin(&w);
    size_t emitted = 0;
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        if (!counted(c)) continue;
        long parts = integral && g > 0 ? (long)c->max_score / g : 1;
        double share = c->max_score / (double)parts;
        bool pass = c->outcome == OUTCOME_PASS;
        char *story = pass ? NULL : check_story(c, MESSAGE_CAP);
        for (long k = 0; k < parts; k++) {
            json_obj_begin(&w);
            json_key(&w, "name");
            char *name = parts == 1 ? xasprintf("%s: %s", c->name, c->title ? c->title : "")
                                    : xasprintf("%s: %s [%ld/%ld]", c->name, c->title ? c->title : "", k + 1, parts);
            json_str(&w, name);
            free(name);
            json_key(&w, "status");
            json_str(&w, pass ? "pass" : "fail");
            json_key(&w, "score");
            json_num(&w, pass ? share : 0);
            json_key(&w, "message");
            json_str(&w, k == 0 && story ? story : "");
            json_key(&w, "test_code");
            char *code = xasprintf("grader grade %s --only %s", r->exercise, c->name);
            json_str(&w, code);
            free(code);
            json_key(&w, "filename");
            json_str(&w, "");
            json_key(&w, "line_no");
            json_int(&w, 0);
            json_key(&w, "duration");
            json_int(&w, k == 0 ? c->duration_ms : 0);
            json_obj_end(&w);
            emitted++;
        }
        free(story);
    }
    if (!emitted) {
        /* the reporter breaks on an empty list: say why there is nothing */
        json_obj_begin(&w);
        json_key(&w, "name");
        json_str(&w, "grading");
        json_key(&w, "status");
        json_str(&w, r->outcome == OUTCOME_PASS ? "pass" : "error");
        json_key(&w, "score");
        json_int(&w, 0);
        json_key(&w, "message");
        json_str(&w, r->error ? r->error : _("no graded check"));
        json_key(&w, "test_code");
        json_str(&w, "");
        json_key(&w, "filename");
        json_str(&w, "");
        json_key(&w, "line_no");
        json_int(&w, 0);
        json_key(&w, "duration");
        json_int(&w, r->duration_ms);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_obj_end(&w);
    sbuf_putc(out, '\n');
}

/* --- Gradescope ------------------------------------------------------------------ */

void report_gradescope(const report *r, const report_opts *o, sbuf *out)
{
    (void)o;
    json_writer w;
    json_init(&w, out, true);
    json_obj_begin(&w);
    json_key(&w, "score");
    json_num(&w, r->score);
    json_key(&w, "execution_time");
    json_num(&w, (double)(r->duration_ms / 1000));
    json_key(&w, "output_format");
    json_str(&w, "md");
    json_key(&w, "test_output_format");
    json_str(&w, "md");
    json_key(&w, "visibility");
    json_str(&w, "visible");
    json_key(&w, "output");
    sbuf summary = {0};
    sbuf_printf(&summary, "**%s** — %g/%g", r->title ? r->title : r->exercise, r->score, r->max_score);
    if (r->error) sbuf_printf(&summary, _("\n\nThe grading could not finish (not your fault): %s"), r->error);
    json_str(&w, summary.data);
    sbuf_free(&summary);
    json_key(&w, "tests");
    json_arr_begin(&w);
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        if (!counted(c) && c->outcome != OUTCOME_ERROR) continue;
        json_obj_begin(&w);
        json_key(&w, "name");
        char *name = xasprintf("%s: %s", c->name, c->title ? c->title : "");
        json_str(&w, name);
        free(name);
        json_key(&w, "score");
        json_num(&w, c->score);
        json_key(&w, "max_score");
        json_num(&w, c->graded ? c->max_score : 0);
        json_key(&w, "status");
        json_str(&w, c->outcome == OUTCOME_PASS ? "passed" : "failed");
        json_key(&w, "output");
        char *story = c->outcome == OUTCOME_PASS ? xstrdup("") : check_story(c, MESSAGE_CAP);
        json_str(&w, story);
        free(story);
        json_key(&w, "output_format");
        json_str(&w, "md");
        json_key(&w, "visibility");
        json_str(&w, "visible");
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_obj_end(&w);
    sbuf_putc(out, '\n');
}

/* --- JUnit XML ---------------------------------------------------------------------- */

static void xml_text(sbuf *b, const char *s)
{
    text_put(b, TEXT_XML, s);
}

void report_junit(const report *r, const report_opts *o, sbuf *out)
{
    (void)o;
    size_t failures = 0, errors = 0, skipped = 0;
    for (size_t i = 0; i < r->checks.len; i++) {
        outcome oc = r->checks.items[i].outcome;
        failures += oc == OUTCOME_FAIL;
        errors += oc == OUTCOME_ERROR;
        skipped += oc == OUTCOME_SKIPPED;
    }
    sbuf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    sbuf_puts(out, "  <testsuite name=\"");
    xml_text(out, r->exercise);
    sbuf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
                r->checks.len, failures, errors + (r->error ? 1 : 0), skipped, (double)r->duration_ms / 1000);
    if (r->error) {
        sbuf_puts(out, "    <testcase name=\"grading\" classname=\"grader\"><error message=\"");
        xml_text(out, r->error);
        sbuf_puts(out, "\"/></testcase>\n");
    }
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        sbuf_puts(out, "    <testcase name=\"");
        xml_text(out, c->name);
        sbuf_puts(out, "\" classname=\"");
        xml_text(out, r->exercise);
        sbuf_printf(out, "\" time=\"%.3f\"", (double)c->duration_ms / 1000);
        if (c->outcome == OUTCOME_PASS) {
            sbuf_puts(out, "/>\n");
            continue;
        }
        sbuf_puts(out, ">\n      ");
        const char *tag = c->outcome == OUTCOME_FAIL ? "failure" : c->outcome == OUTCOME_ERROR ? "error" : "skipped";
        sbuf_printf(out, "<%s message=\"", tag);
        xml_text(out, c->message);
        sbuf_puts(out, "\">");
        char *story = check_story(c, MESSAGE_CAP);
        xml_text(out, story);
        free(story);
        sbuf_printf(out, "</%s>\n    </testcase>\n", tag);
    }
    sbuf_puts(out, "  </testsuite>\n</testsuites>\n");
}

/* --- Markdown ------------------------------------------------------------------------- */

static void md_cell(sbuf *b, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '|') sbuf_puts(b, "\\|");
        else if (*p == '\n') sbuf_putc(b, ' ');
        else sbuf_putc(b, *p);
    }
}

void report_markdown(const report *r, const report_opts *o, sbuf *out)
{
    (void)o;
    const char *verdict = r->outcome == OUTCOME_PASS ? _("✅ pass") : r->outcome == OUTCOME_FAIL ? _("❌ fail") : _("⚠️ error");
    sbuf_printf(out, _("## %s — %s\n\n**Score: %g/%g** %s\n\n"), r->exercise, r->title ? r->title : "", r->score,
                r->max_score, verdict);
    if (r->error) sbuf_printf(out, _("> **Error** (not the student's fault): %s\n\n"), r->error);
    if (r->checks.len) sbuf_puts(out, _("| | check | points | what it proves |\n|---|---|---|---|\n"));
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        const char *mark = c->outcome == OUTCOME_PASS ? "✅" : c->outcome == OUTCOME_FAIL ? "❌"
                         : c->outcome == OUTCOME_ERROR ? "⚠️" : "⏭️";
        sbuf_printf(out, "| %s | `%s` | ", mark, c->name);
        if (c->outcome == OUTCOME_SKIPPED) sbuf_puts(out, _("skipped"));
        else if (c->outcome == OUTCOME_ERROR) sbuf_puts(out, _("error"));
        else sbuf_printf(out, "%g/%g", c->score, c->max_score);
        sbuf_puts(out, " | ");
        md_cell(out, c->title);
        sbuf_puts(out, " |\n");
    }
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        if (c->outcome != OUTCOME_FAIL && c->outcome != OUTCOME_ERROR) continue;
        sbuf_printf(out, "\n### %s `%s`\n\n", c->outcome == OUTCOME_FAIL ? "❌" : "⚠️", c->name);
        if (c->message) sbuf_printf(out, "%s\n\n", c->message);
        for (size_t k = 0; k < c->findings.len && k < 5; k++) {
            const finding *f = &c->findings.items[k];
            const kind_info *ki = kind_lookup(f->kind);
            sbuf_printf(out, "- **%s** (%s)", ki ? ki->title : f->kind, f->tool);
            if (f->file && f->line > 0) sbuf_printf(out, _(" at `%s:%d`"), f->file, f->line);
            sbuf_printf(out, ": %s\n", f->message);
            if (f->file && r->source && !strcmp(f->file, r->source)) {
                char *ex = source_excerpt(r->source_text, f->line, 2, false);
                if (ex) sbuf_printf(out, "\n  ```c\n%s  ```\n", ex);
                free(ex);
            }
        }
        if (c->hint) sbuf_printf(out, "\n> 💡 %s\n", c->hint);
        if (c->replay) sbuf_printf(out, _("\nReplay: `%s`\n"), c->replay);
    }
}
