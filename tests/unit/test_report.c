/* test_report.c - the text and JSON reporters on a hand-built report, and
 * source excerpts. */
#include "report.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *tmpdir;

static void make_dir(void)
{
    tmpdir = dir_temp("report-test");
}

static void remove_dir(void)
{
    dir_remove(tmpdir);
    free(tmpdir);
}

/* A file in the test's temporary directory (caller frees the path). */
static char *write_file(const char *name, const char *text)
{
    char *p = path_join(tmpdir, name);
    cr_assert_eq(file_write(p, text, strlen(text)), 0);
    return p;
}

static check_result *add_check(report *r, const char *name, outcome o, double score,
                               double max)
{
    check_result *c = VEC_PUSH(&r->checks);
    c->name = xstrdup(name);
    c->title = xasprintf("title of %s", name);
    c->outcome = o;
    c->score = score;
    c->max_score = max;
    c->graded = o != OUTCOME_ERROR;
    return c;
}

static void add_race(check_result *c)
{
    finding *f = findings_add(&c->findings, "data-race", "tsan",
                              "two threads use the global variable 'n'");
    f->file = xstrdup("threads.c");
    f->line = 3;
    f->function = xstrdup("worker");
    stack *s = finding_add_stack(f, "Write by a thread");
    stack_add_frame(s, "worker", "threads.c", 3);
    stack_add_frame(s, "helper", "libc.so.6", 0);
}

/* threads: build passes, counter fails with a race, stress is skipped after it, timing
 * errs. */
static report *sample(void)
{
    report *r = xmalloc(sizeof *r);
    r->exercise = xstrdup("threads");
    r->title = xstrdup("Counting threads");
    r->source = xstrdup("threads.c");
    r->source_path =
        write_file("threads.c", "int n;\nvoid *worker(void *a)\n{ n++; return a; }\n");
    r->source_text = xstrdup("int n;\nvoid *worker(void *a)\n{ n++; return a; }\n");
    r->seed = 7;
    r->duration_ms = 1500;
    add_check(r, "build", OUTCOME_PASS, 1, 1);
    check_result *c = add_check(r, "counter", OUTCOME_FAIL, 1, 4);
    c->message = xstrdup("the counter is off");
    c->hint = xstrdup("use a mutex");
    c->replay = xstrdup("grader grade threads sub --only counter --seed 7");
    add_race(c);
    add_check(r, "stress", OUTCOME_SKIPPED, 0, 2)->message =
        xstrdup("skipped: counter failed");
    add_check(r, "timing", OUTCOME_ERROR, 0, 3)->message = xstrdup("the grader failed");
    report_total(r);
    return r;
}

static char *render(const report *r, bool color, int verbose, report_fn fn)
{
    report_opts o = {.color = color, .verbose = verbose};
    sbuf b = {0};
    fn(r, &o, &b);
    return sbuf_take(&b);
}

static void expect_has(const char *text, const char *part)
{
    cr_assert(strstr(text, part), "missing '%s' in:\n%s", part, text);
}

/* Without colour the text has no escape sequence; with colour it has some. */
Test(report, text_colour_flag, .init = make_dir, .fini = remove_dir)
{
    report *r = sample();
    char *plain = render(r, false, 0, report_text);
    char *colour = render(r, true, 0, report_text);
    cr_assert_null(strchr(plain, '\033'), "%s", plain);
    cr_assert_not_null(strstr(colour, "\033["));
    free(plain), free(colour);
    report_free(r);
}

/* The text report: header, one summary line per check, the failing check's story, the
 * score. */
Test(report, text_summary_and_score, .init = make_dir, .fini = remove_dir)
{
    report *r = sample();
    char *t = render(r, false, 0, report_text);
    cr_assert(str_starts(t, "threads — Counting threads\n"), "%s", t);
    char *sub = xasprintf("submission: %s   seed: 7\n", r->source_path);
    expect_has(t, sub);
    expect_has(t, "  ✓ build         1/1  title of build\n");
    expect_has(t, "  ✗ counter       1/4  title of counter\n");
    expect_has(t, "  - stress    skipped  title of stress\n");
    expect_has(t, "  ! timing      error  title of timing\n");
    cr_assert(str_ends(t, "\nScore: 2/7  ERROR  (1.5 s)\n"), "%s", t);
    free(sub), free(t);
    report_free(r);
}

/* A failing check shows message, finding with source excerpt, stacks, hint and replay. */
Test(report, text_failing_check_details, .init = make_dir, .fini = remove_dir)
{
    report *r = sample();
    char *t = render(r, false, 0, report_text);
    expect_has(t, "\n✗ counter (1/4) — title of counter\n  the counter is off\n");
    expect_has(t, "\n  data race (tsan) at threads.c:3 in worker\n    two threads use "
                  "the global variable 'n'\n");
    expect_has(t,
               "         2 | void *worker(void *a)\n    >    3 | { n++; return a; }\n");
    expect_has(t, "      Write by a thread\n        worker  threads.c:3\n        helper  "
                  "libc.so.6\n");
    expect_has(t, "\n  hint: use a mutex\n  replay: grader grade threads sub --only "
                  "counter --seed 7\n");
    expect_has(t, "\n! timing — title of timing\n  the grader failed\n");
    cr_assert_null(strstr(t, "skipped: counter failed"),
                   "skipped checks are not detailed");
    free(t);
    report_free(r);
}

/* Beyond five findings the rest are counted, unless verbose. */
Test(report, text_finding_limit, .init = make_dir, .fini = remove_dir)
{
    report *r = sample();
    check_result *c = &r->checks.items[1];
    for (int i = 0; i < 6; i++)
        findings_add(&c->findings, "wrong-result", "driver", "off by one");
    char *t = render(r, false, 0, report_text);
    char *v = render(r, false, 1, report_text);
    expect_has(t, "\n  … 2 more findings (use -v)\n");
    cr_assert_null(strstr(v, "more findings"));
    size_t n = 0;
    for (const char *p = v; (p = strstr(p, "wrong result (driver)")); p++) n++;
    cr_assert_eq(n, 6);
    free(t), free(v);
    report_free(r);
}

/* Passing checks with findings are detailed for build (its warnings) or when verbose. */
Test(report, text_passing_findings, .init = make_dir, .fini = remove_dir)
{
    report *r = sample();
    findings_add(&r->checks.items[0].findings, "build-warning", "build",
                 "unused variable");
    check_result *extra = add_check(r, "extra", OUTCOME_PASS, 1, 1);
    findings_add(&extra->findings, "busy-wait", "driver", "spun");
    char *t = render(r, false, 0, report_text);
    char *v = render(r, false, 1, report_text);
    expect_has(t, "compiler warning (build)");
    cr_assert_null(strstr(t, "busy waiting"), "%s", t);
    expect_has(v, "busy waiting (driver)");
    free(t), free(v);
    report_free(r);
}

/* A passing check with a message (a spec's t:note: information such as a
 * measurement) is shown with it; one without stays in the summary only. */
Test(report, text_passing_note, .init = make_dir, .fini = remove_dir)
{
    report *r = sample();
    add_check(r, "speed-up", OUTCOME_PASS, 0, 0)->message = xstrdup("a speed-up of 1.9");
    char *t = render(r, false, 0, report_text);
    expect_has(t, "\n✓ speed-up — title of speed-up\n  a speed-up of 1.9\n");
    cr_assert_null(strstr(t, "\n✓ build —"), "%s", t);
    free(t);
    report_free(r);
}

/* A grading-level error without checks is said plainly, without a score. */
Test(report, text_error_only)
{
    report *r = xmalloc(sizeof *r);
    r->exercise = xstrdup("threads");
    r->error = xstrdup("bad spec: line 3");
    report_total(r);
    char *t = render(r, false, 0, report_text);
    cr_assert_str_eq(
        t,
        "threads\n\nerror: bad spec: line 3\nThis is a problem of the exercise or of the "
        "grader's machine, not of your code.\n");
    free(t);
    report_free(r);
}

static bool key_in(const char *key, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(key, keys[i])) return true;
    return false;
}

/* obj has every key of need and no key outside need + may. */
static void expect_keys(const json_value *obj, const char *const *need, size_t nn,
                        const char *const *may, size_t nm)
{
    cr_assert_eq(obj->type, JSON_OBJ);
    for (size_t i = 0; i < nn; i++)
        cr_assert_not_null(json_get(obj, need[i]), "key %s missing", need[i]);
    for (size_t i = 0; i < obj->len; i++)
        cr_assert(key_in(obj->keys[i], need, nn) || key_in(obj->keys[i], may, nm),
                  "unexpected key %s", obj->keys[i]);
}

static json_value *render_json(const report *r)
{
    char *t = render(r, true, 0, report_json);
    cr_assert_null(strchr(t, '\033'));
    cr_assert(str_ends(t, "}\n"));
    char *err = NULL;
    json_value *v = json_parse(t, strlen(t), &err);
    cr_assert_not_null(v, "%s", err);
    free(t);
    return v;
}

/* The JSON report has the fixed top-level keys with the report's values. */
Test(report, json_top_level, .init = make_dir, .fini = remove_dir)
{
    report *r = sample();
    json_value *v = render_json(r);
    static const char *const need[] = {"grader", "api",       "exercise",    "outcome",
                                       "score",  "max_score", "duration_ms", "checks"};
    static const char *const may[] = {"seed", "error"};
    expect_keys(v, need, ARRAY_LEN(need), may, ARRAY_LEN(may));
    cr_assert_str_eq(json_get_str(v, "grader"), GRADER_VERSION);
    cr_assert_float_eq(json_get_num(v, "api", 0), GRADER_API, 1e-9);
    cr_assert_str_eq(json_get_str(v, "exercise"), "threads");
    cr_assert_str_eq(json_get_str(v, "outcome"), "error");
    cr_assert_float_eq(json_get_num(v, "score", -1), 2, 1e-9);
    cr_assert_float_eq(json_get_num(v, "max_score", -1), 7, 1e-9);
    cr_assert_float_eq(json_get_num(v, "duration_ms", -1), 1500, 1e-9);
    cr_assert_eq(json_get(v, "checks")->len, 4);
    json_free(v);
    report_free(r);
}

/* Checks, findings and stack frames carry their fixed keys and values. */
Test(report, json_checks_and_findings, .init = make_dir, .fini = remove_dir)
{
    report *r = sample();
    json_value *v = render_json(r);
    const json_value *c = json_get(v, "checks")->items[1];
    static const char *const cneed[] = {"name",    "outcome", "score",   "max_score",
                                        "message", "hint",    "findings"};
    static const char *const cmay[] = {"title", "graded", "seed", "replay",
                                       "duration_ms"};
    expect_keys(c, cneed, ARRAY_LEN(cneed), cmay, ARRAY_LEN(cmay));
    cr_assert_str_eq(json_get_str(c, "name"), "counter");
    cr_assert_str_eq(json_get_str(c, "outcome"), "fail");
    cr_assert_str_eq(json_get_str(c, "hint"), "use a mutex");
    const json_value *f = json_get(c, "findings")->items[0];
    static const char *const fneed[] = {"kind",     "tool",    "file",  "line",
                                        "function", "message", "stacks"};
    static const char *const fmay[] = {"stack_titles", "seed", "count"};
    expect_keys(f, fneed, ARRAY_LEN(fneed), fmay, ARRAY_LEN(fmay));
    cr_assert_str_eq(json_get_str(f, "kind"), "data-race");
    cr_assert_str_eq(json_get_str(f, "file"), "threads.c");
    cr_assert_float_eq(json_get_num(f, "line", 0), 3, 1e-9);
    const json_value *frame0 = json_get(f, "stacks")->items[0]->items[0];
    cr_assert_str_eq(json_get_str(frame0, "function"), "worker");
    cr_assert_float_eq(json_get_num(frame0, "line", 0), 3, 1e-9);
    cr_assert_str_eq(json_get_str(json_get(v, "checks")->items[3], "outcome"), "error");
    json_free(v);
    report_free(r);
}

/* A grading-level error appears as "error" in the JSON report. */
Test(report, json_error_key)
{
    report *r = xmalloc(sizeof *r);
    r->error = xstrdup("no tools");
    report_total(r);
    json_value *v = render_json(r);
    cr_assert_str_eq(json_get_str(v, "error"), "no tools");
    cr_assert_str_eq(json_get_str(v, "exercise"), "");
    cr_assert_eq(json_get(v, "checks")->len, 0);
    json_free(v);
    report_free(r);
}

/* Excerpts number the lines around the mark, flag it, and make tabs and control bytes
 * harmless. */
Test(report, source_excerpt_lines, .init = make_dir, .fini = remove_dir)
{
    const char *p = "one\n\ttwo\x01\nthree\nfour\nfive\n";
    char *ex = source_excerpt(p, 3, 1, false);
    cr_assert_str_eq(ex, "         2 |  two?\n    >    3 | three\n         4 | four\n");
    free(ex);
    ex = source_excerpt(p, 1, 2, true);
    cr_assert(str_starts(ex, "    \033[1m>    1 | one\033[0m\n"), "%s", ex);
    free(ex);
    cr_assert_null(source_excerpt(p, 0, 2, false));
    cr_assert_null(source_excerpt(p, 99, 2, false));
    cr_assert_null(source_excerpt(NULL, 1, 2, false));
    cr_assert_null(source_excerpt("", 1, 2, false));
}

/* Very long source lines are cut at 160 characters. */
Test(report, source_excerpt_long_line, .init = make_dir, .fini = remove_dir)
{
    char line[301];
    memset(line, 'x', 300);
    line[300] = 0;
    char *ex = source_excerpt(line, 1, 0, false);
    cr_assert_eq(strlen(ex), strlen("    >    1 | ") + 160 + 1);
    free(ex);
}

/* Reporters are found by name, every listed one included. */
Test(report, registry)
{
    cr_assert_eq(reporter_lookup("json")->write, report_json);
    cr_assert_eq(reporter_lookup("text")->write, report_text);
    cr_assert_null(reporter_lookup("no-such-format"));
    size_t n;
    const reporter *all = reporter_all(&n);
    cr_assert_geq(n, 2);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(reporter_lookup(all[i].name), &all[i], "%s", all[i].name);
}
