/* report_ci.c - reports for other systems: GitHub Classroom, Gradescope,
 * JUnit XML, all from the one result model (Markdown: report_md.c).
 *
 * GitHub Classroom (autograding-grading-reporter@v1) reads
 *   {"version":1,"status":...,"max_score":N,"tests":[{name,status,score,
 *    message,test_code,filename,line_no,duration}]}
 * and shows two totals: the Classroom points (sum of scores) and a console
 * table computed as passed/tests * max_score. The two agree only when every
 * test is worth the same, so a check of P points becomes P/g tests of g
 * points each (g = the gcd of all check points): both views then show the
 * same score. Checks worth 0 points are left out. A check that could not be
 * graded (an error of the spec, the grader or the machine) keeps its points
 * in max_score and its tests say status "error" with the reason: the job
 * turns red and the maximum never silently shrinks.
 *
 * Gradescope (results.json, its documented spec) gets every check as a test,
 * the build too, with Markdown output (report_md.c) declared as "md", the
 * time in seconds as a fraction, and a check that could not be graded as a
 * failed test of its full points whose name and output say it is an error. */
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

/* --- GitHub Classroom ----------------------------------------------------------- */

/* Checks worth points appear in the CI reports; graded or not. */
static bool counted(const check_result *c)
{
    return c->max_score > 0;
}

/* A check that could not be graded: an error, or skipped after one. */
static bool errored(const check_result *c)
{
    return c->outcome == OUTCOME_ERROR || !c->graded;
}

static const char *top_status(const report *r)
{
    return r->outcome == OUTCOME_PASS   ? "pass"
           : r->outcome == OUTCOME_FAIL ? "fail"
                                        : "error";
}

/* The command that reruns c where the report is read (caller frees): its
 * replay with the program as invoked, else the rerun prefix and its name. */
static char *test_code(const report *r, const check_result *c, const report_opts *o)
{
    const char *prog = o->program ? o->program : "grader";
    if (c->replay && str_starts(c->replay, "grader "))
        return xasprintf("%s%s", prog, c->replay + 6);
    if (c->replay) return xstrdup(c->replay);
    if (o->rerun) return xasprintf("%s%s", o->rerun, c->name);
    return xasprintf("%s grade %s --only %s", prog, r->exercise, c->name);
}

/* What a Classroom test of c says: its story, or why it was not graded. */
static char *classroom_message(const check_result *c)
{
    if (c->outcome == OUTCOME_PASS) return xstrdup("");
    char *story = check_story(c, MESSAGE_CAP);
    if (!errored(c)) return story;
    char *m = xasprintf(
        _("not graded (an error of the exercise or of the grader, not of your code; "
          "ask for a regrade): %s"),
        story);
    free(story);
    return m;
}

static void classroom_test(json_writer *w, const char *name, const char *status,
                           double score, const char *message, const char *code,
                           int64_t ms)
{
    json_obj_begin(w);
    json_key(w, "name");
    json_str(w, name);
    json_key(w, "status");
    json_str(w, status);
    json_key(w, "score");
    json_num(w, score);
    json_key(w, "message");
    json_str(w, message);
    json_key(w, "test_code");
    json_str(w, code);
    json_key(w, "filename");
    json_str(w, "");
    json_key(w, "line_no");
    json_int(w, 0);
    json_key(w, "duration");
    json_int(w, ms);
    json_obj_end(w);
}

/* The tests of one check: P/g tests of g points each (see the top). */
static size_t classroom_check(json_writer *w, const report *r, const check_result *c,
                              long g, const report_opts *o, char **before)
{
    long parts = g > 0 ? (long)c->max_score / g : 1;
    double share = c->max_score / (double)parts;
    const char *status = errored(c)                   ? "error"
                         : c->outcome == OUTCOME_PASS ? "pass"
                                                      : "fail";
    char *story = classroom_message(c);
    if (*before && c->outcome != OUTCOME_PASS) { /* e.g. the compiler's errors */
        char *both = xasprintf("%s\n%s", *before, story);
        free(story);
        story = both;
        free(*before);
        *before = NULL;
    }
    char *code = test_code(r, c, o);
    for (long k = 0; k < parts; k++) {
        char *name = parts == 1 ? xasprintf("%s: %s", c->name, c->title ? c->title : "")
                                : xasprintf("%s: %s [%ld/%ld]", c->name,
                                            c->title ? c->title : "", k + 1, parts);
        /* the reporter prints an error test as its message alone */
        const char *msg = k == 0       ? story
                          : errored(c) ? _("not graded: see the first part")
                                       : "";
        classroom_test(w, name, status, c->outcome == OUTCOME_PASS ? share : 0, msg, code,
                       k == 0 ? c->duration_ms : 0);
        free(name);
    }
    free(code);
    free(story);
    return (size_t)parts;
}

/* The gcd of the points of every counted check, or 0 when one is not whole. */
static long classroom_unit(const report *r)
{
    long g = 0;
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        if (!counted(c)) continue;
        if (c->max_score != (double)(long)c->max_score) return 0;
        g = gcd(g, (long)c->max_score);
    }
    return g;
}

void report_classroom(const report *r, const report_opts *o, sbuf *out)
{
    long g = classroom_unit(r);
    json_writer w;
    json_init(&w, out, false);
    json_obj_begin(&w);
    json_key(&w, "version");
    json_int(&w, 1);
    json_key(&w, "status");
    json_str(&w, top_status(r));
    json_key(&w, "max_score");
    json_num(&w, r->max_score + report_ungraded_points(r));
    json_key(&w, "tests");
    json_arr_begin(&w);
    /* a failed check worth no points (the build) is told in the first
     * failed test, so that its output is seen */
    char *before = NULL;
    for (size_t i = 0; i < r->checks.len && !before; i++) {
        const check_result *c = &r->checks.items[i];
        if (!counted(c) && c->outcome == OUTCOME_FAIL)
            before = check_story(c, MESSAGE_CAP);
    }
    size_t emitted = 0;
    for (size_t i = 0; i < r->checks.len; i++)
        if (counted(&r->checks.items[i]))
            emitted += classroom_check(&w, r, &r->checks.items[i], g, o, &before);
    free(before);
    if (!emitted) /* the reporter breaks on an empty list: say why there is nothing */
        classroom_test(&w, "grading", r->outcome == OUTCOME_PASS ? "pass" : "error", 0,
                       r->error ? r->error : _("no graded check"), "", r->duration_ms);
    json_arr_end(&w);
    json_obj_end(&w);
    sbuf_putc(out, '\n');
}

/* --- Gradescope ------------------------------------------------------------------ */

/* The top-level output: the score, and every error said as such. */
static char *gradescope_summary(const report *r)
{
    sbuf b = {0};
    sbuf_puts(&b, "**");
    text_put(&b, TEXT_MD, r->title ? r->title : r->exercise);
    sbuf_printf(&b, "**: %g/%g", r->score, r->max_score + report_ungraded_points(r));
    double ungraded = report_ungraded_points(r);
    if (ungraded > 0)
        sbuf_printf(
            &b,
            _("\n\n⚠️ %g points could not be graded because of an error of the "
              "exercise or of "
              "the grader, not of your code: ask for a regrade."),
            ungraded);
    if (r->error) {
        sbuf_puts(&b, _("\n\n⚠️ The grading could not finish (not your fault): "));
        text_put(&b, TEXT_MD, r->error);
    }
    return sbuf_take(&b);
}

static void gradescope_test(json_writer *w, const report *r, const check_result *c,
                            size_t number)
{
    json_obj_begin(w);
    json_key(w, "name");
    char *name = xasprintf("%s: %s%s", c->name, c->title ? c->title : "",
                           errored(c) ? _(" (not graded: error)") : "");
    json_str(w, name);
    free(name);
    json_key(w, "number");
    char *num = xasprintf("%zu", number);
    json_str(w, num);
    free(num);
    json_key(w, "score");
    json_num(w, c->outcome == OUTCOME_PASS ? c->score : 0);
    json_key(w, "max_score");
    json_num(w, c->max_score);
    json_key(w, "status");
    json_str(w, c->outcome == OUTCOME_PASS ? "passed" : "failed");
    json_key(w, "output");
    sbuf story = {0};
    if (c->outcome != OUTCOME_PASS || c->findings.len) report_md_check(r, c, &story);
    json_str(w, sbuf_str(&story));
    sbuf_free(&story);
    json_key(w, "output_format");
    json_str(w, "md");
    json_key(w, "tags");
    json_arr_begin(w);
    json_str(w, errored(c) ? "error" : outcome_name(c->outcome));
    json_arr_end(w);
    json_key(w, "visibility");
    json_str(w, "visible");
    json_obj_end(w);
}

void report_gradescope(const report *r, const report_opts *o, sbuf *out)
{
    (void)o;
    json_writer w;
    json_init(&w, out, true);
    json_obj_begin(&w);
    json_key(&w, "score");
    json_num(&w, r->score);
    json_key(&w, "execution_time");
    json_num(&w, (double)r->duration_ms / 1000.0);
    json_key(&w, "output");
    char *summary = gradescope_summary(r);
    json_str(&w, summary);
    free(summary);
    json_key(&w, "output_format");
    json_str(&w, "md");
    json_key(&w, "test_output_format");
    json_str(&w, "md");
    json_key(&w, "test_name_format");
    json_str(&w, "text");
    json_key(&w, "visibility");
    json_str(&w, "visible");
    json_key(&w, "stdout_visibility");
    json_str(&w, "visible");
    json_key(&w, "tests");
    json_arr_begin(&w);
    for (size_t i = 0; i < r->checks.len; i++)
        gradescope_test(&w, r, &r->checks.items[i], i + 1);
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
    sbuf_printf(out,
                "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
                "time=\"%.3f\">\n",
                r->checks.len, failures, errors + (r->error ? 1 : 0), skipped,
                (double)r->duration_ms / 1000);
    if (r->error) {
        sbuf_puts(
            out, "    <testcase name=\"grading\" classname=\"grader\"><error message=\"");
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
        const char *tag = c->outcome == OUTCOME_FAIL    ? "failure"
                          : c->outcome == OUTCOME_ERROR ? "error"
                                                        : "skipped";
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
