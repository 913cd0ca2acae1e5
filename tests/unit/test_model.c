/* test_model.c - the result model: merging, locating, sorting findings,
 * report totals and the check JSON round trip. */
#include "model.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static finding *add_at(findings *fs, const char *kind, const char *msg, const char *file,
                       int line)
{
    finding *f = findings_add(fs, kind, "tsan", msg);
    f->file = xstrdup(file);
    f->line = line;
    return f;
}

/* Two findings with the same kind, tool, location and message become one seen twice. */
Test(model, merge_dedups_and_counts)
{
    findings dst = {0}, src = {0};
    add_at(&src, "data-race", "race on x", "a.c", 3);
    add_at(&src, "data-race", "race on x", "a.c", 3);
    findings_merge(&dst, &src);
    cr_assert_eq(dst.len, 1);
    cr_assert_eq(dst.items[0].count, 2);
    cr_assert_eq(src.len, 0, "src is emptied");
    cr_assert_null(src.items);
    findings_free(&dst);
}

/* A different line, message, kind or tool keeps findings apart. */
Test(model, merge_keeps_distinct)
{
    findings dst = {0}, src = {0};
    add_at(&src, "data-race", "race on x", "a.c", 3);
    add_at(&src, "data-race", "race on x", "a.c", 4);
    add_at(&src, "data-race", "race on y", "a.c", 3);
    add_at(&src, "thread-leak", "race on x", "a.c", 3);
    findings_add(&src, "data-race", "helgrind", "race on x");
    findings_merge(&dst, &src);
    cr_assert_eq(dst.len, 5);
    for (size_t i = 0; i < dst.len; i++) cr_assert_eq(dst.items[i].count, 1);
    findings_free(&dst);
}

/* Counts add up across merges into a list that already holds the finding. */
Test(model, merge_adds_existing_counts)
{
    findings dst = {0}, src = {0}, more = {0};
    add_at(&src, "crash", "boom", "b.c", 9)->count = 3;
    findings_merge(&dst, &src);
    add_at(&more, "crash", "boom", "b.c", 9)->count = 2;
    add_at(&more, "crash", "other", "b.c", 9);
    findings_merge(&dst, &more);
    cr_assert_eq(dst.len, 2);
    cr_assert_eq(dst.items[0].count, 5);
    cr_assert_str_eq(dst.items[1].message, "other");
    findings_free(&dst);
}

/* findings_copy deep-copies (the copy survives the original) and merges duplicates. */
Test(model, copy_is_deep)
{
    findings a = {0}, b = {0};
    finding *f = add_at(&a, "data-race", "m", "x.c", 2);
    stack_add_frame(finding_add_stack(f, "T1"), "fn", "x.c", 2);
    findings_copy(&b, &a);
    findings_copy(&b, &a);
    findings_free(&a);
    cr_assert_eq(b.len, 1);
    cr_assert_eq(b.items[0].count, 2);
    cr_assert_str_eq(b.items[0].stacks.items[0].title, "T1");
    cr_assert_str_eq(b.items[0].stacks.items[0].frames.items[0].function, "fn");
    findings_free(&b);
}

/* finding_locate prefers the student's file over an earlier frame with a line. */
Test(model, locate_prefers_student_file)
{
    findings fs = {0};
    finding *f = findings_add(&fs, "data-race", "tsan", "m");
    stack *s = finding_add_stack(f, "Write");
    stack_add_frame(s, "memcpy", "libc.c", 40);
    stack_add_frame(s, "helper", "driver.c", 12);
    stack_add_frame(finding_add_stack(f, "Read"), "worker", "threads.c", 27);
    finding_locate(f, "threads.c");
    cr_assert_str_eq(f->file, "threads.c");
    cr_assert_eq(f->line, 27);
    cr_assert_str_eq(f->function, "worker");
    findings_free(&fs);
}

/* Without a student frame, the first frame with a known line is used; lineless frames are
 * skipped. */
Test(model, locate_falls_back_to_first_known_line)
{
    findings fs = {0};
    finding *f = findings_add(&fs, "crash", "tsan", "m");
    stack *s = finding_add_stack(f, NULL);
    stack_add_frame(s, "pthread_create", NULL, 0);
    stack_add_frame(s, "start", "crt.c", 0);
    stack_add_frame(s, "main", "driver.c", 8);
    finding_locate(f, "threads.c");
    cr_assert_str_eq(f->file, "driver.c");
    cr_assert_eq(f->line, 8);
    findings_free(&fs);
}

/* A location given explicitly is kept. */
Test(model, locate_keeps_explicit_location)
{
    findings fs = {0};
    finding *f = add_at(&fs, "wrong-result", "m", "threads.c", 5);
    stack_add_frame(finding_add_stack(f, NULL), "worker", "threads.c", 27);
    finding_locate(f, "threads.c");
    cr_assert_eq(f->line, 5);
    findings_free(&fs);
}

/* Sorting puts the vocabulary's most explanatory kinds first, unknown kinds last, stably.
 */
Test(model, sort_by_vocabulary_stable)
{
    findings fs = {0};
    findings_add(&fs, "wrong-result", "driver", "w1");
    findings_add(&fs, "made-up", "driver", "u");
    findings_add(&fs, "data-race", "tsan", "r1");
    findings_add(&fs, "wrong-result", "driver", "w2");
    findings_add(&fs, "deadlock", "driver", "d");
    findings_add(&fs, "data-race", "tsan", "r2");
    findings_sort(&fs);
    const char *want[] = {"d", "r1", "r2", "w1", "w2", "u"};
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        cr_assert_str_eq(fs.items[i].message, want[i]);
    findings_free(&fs);
}

/* kind_lookup knows the vocabulary and nothing else; outcomes parse by name. */
Test(model, vocabulary_and_outcomes)
{
    cr_assert_not_null(kind_lookup("lock-order-inversion"));
    cr_assert_str_eq(kind_lookup("data-race")->title, "data race");
    cr_assert_null(kind_lookup("race"));
    cr_assert_null(kind_lookup(NULL));
    cr_assert_eq(outcome_parse("skipped"), OUTCOME_SKIPPED);
    cr_assert_eq(outcome_parse("PASS"), -1);
    cr_assert_eq(outcome_parse(NULL), -1);
    cr_assert_str_eq(outcome_name(OUTCOME_ERROR), "error");
}

static void add_check(report *r, outcome o, double score, double max, bool graded)
{
    check_result *c = VEC_PUSH(&r->checks);
    c->name = xasprintf("c%zu", r->checks.len);
    c->outcome = o;
    c->score = score;
    c->max_score = max;
    c->graded = graded;
}

/* Error and skipped-for-error checks leave max_score; skipped-after-failure scores 0 of
 * its max. */
Test(model, total_excludes_error_checks)
{
    report *r = xmalloc(sizeof *r);
    add_check(r, OUTCOME_PASS, 3, 3, true);
    add_check(r, OUTCOME_FAIL, 1, 4, true);
    add_check(r, OUTCOME_ERROR, 0, 5, false);
    add_check(r, OUTCOME_SKIPPED, 0, 2, false);
    add_check(r, OUTCOME_SKIPPED, 0, 6, true);
    report_total(r);
    cr_assert_float_eq(r->score, 4, 1e-9);
    cr_assert_float_eq(r->max_score, 13, 1e-9);
    cr_assert_eq(r->outcome, OUTCOME_ERROR);
    report_free(r);
}

/* A graded skip (after a failure) alone makes the report fail. */
Test(model, total_skip_after_failure_fails)
{
    report *r = xmalloc(sizeof *r);
    add_check(r, OUTCOME_PASS, 2, 2, true);
    add_check(r, OUTCOME_SKIPPED, 0, 3, true);
    report_total(r);
    cr_assert_float_eq(r->score, 2, 1e-9);
    cr_assert_float_eq(r->max_score, 5, 1e-9);
    cr_assert_eq(r->outcome, OUTCOME_FAIL);
    report_free(r);
}

/* All passing gives pass; a grading-level error turns it into error. */
Test(model, total_pass_and_report_error)
{
    report *r = xmalloc(sizeof *r);
    add_check(r, OUTCOME_PASS, 2, 2, true);
    add_check(r, OUTCOME_PASS, 1.5, 1.5, true);
    report_total(r);
    cr_assert_eq(r->outcome, OUTCOME_PASS);
    cr_assert_float_eq(r->score, 3.5, 1e-9);
    r->error = xstrdup("bad spec");
    report_total(r);
    cr_assert_eq(r->outcome, OUTCOME_ERROR);
    report_free(r);
}

static void fill_check(check_result *c)
{
    c->name = xstrdup("counter");
    c->title = xstrdup("the counter is exact");
    c->outcome = OUTCOME_FAIL;
    c->score = 2.5;
    c->max_score = 10;
    c->graded = false;
    c->message = xstrdup("got 3\nwanted 4 \xe2\x9c\x97");
    c->hint = xstrdup("lock \"it\"");
    c->has_seed = true;
    c->seed = 2147483646u;
    c->duration_ms = 1234;
    c->replay = xstrdup("grader grade threads . --only counter");
    finding *f = findings_add(&c->findings, "data-race", "helgrind", "race on counter");
    f->file = xstrdup("threads.c");
    f->line = 12;
    f->function = xstrdup("worker");
    f->count = 3;
    stack *s = finding_add_stack(f, "Write by thread #2");
    stack_add_frame(s, "worker", "threads.c", 12);
    stack_add_frame(s, NULL, NULL, 0);
    finding_add_stack(f, NULL);
    findings_add(&c->findings, "wrong-result", "driver", "");
}

static void expect_same_finding(const finding *a, const finding *b)
{
    cr_assert_str_eq(a->kind, b->kind);
    cr_assert_str_eq(a->tool, b->tool);
    cr_assert_str_eq(a->message, b->message);
    cr_assert_eq(a->line, b->line);
    cr_assert_eq(a->count, b->count);
    cr_assert_eq(a->stacks.len, b->stacks.len);
}

/* check_from_json reads back everything check_to_json wrote. */
Test(model, check_json_round_trip)
{
    check_result c = {0}, back;
    fill_check(&c);
    sbuf b = {0};
    json_writer w;
    json_init(&w, &b, false);
    check_to_json(&w, &c);
    json_value *v = json_parse(b.data, b.len, NULL);
    cr_assert_not_null(v);
    cr_assert_eq(check_from_json(v, &back), 0);
    cr_assert_str_eq(back.name, c.name);
    cr_assert_str_eq(back.title, c.title);
    cr_assert_eq(back.outcome, OUTCOME_FAIL);
    cr_assert_float_eq(back.score, 2.5, 1e-9);
    cr_assert_float_eq(back.max_score, 10, 1e-9);
    cr_assert_eq(back.graded, false);
    cr_assert_str_eq(back.message, c.message);
    cr_assert_str_eq(back.hint, c.hint);
    cr_assert(back.has_seed);
    cr_assert_eq(back.seed, c.seed);
    cr_assert_eq(back.duration_ms, 1234);
    cr_assert_str_eq(back.replay, c.replay);
    cr_assert_eq(back.findings.len, 2);
    expect_same_finding(&back.findings.items[0], &c.findings.items[0]);
    expect_same_finding(&back.findings.items[1], &c.findings.items[1]);
    json_free(v);
    sbuf_free(&b);
    check_result_free(&c);
    check_result_free(&back);
}

/* Stacks keep their titles and frames through JSON; empty strings come back as NULL. */
Test(model, finding_json_round_trip_stacks)
{
    check_result c = {0}, back;
    fill_check(&c);
    sbuf b = {0};
    json_writer w;
    json_init(&w, &b, true);
    check_to_json(&w, &c);
    json_value *v = json_parse(b.data, b.len, NULL);
    cr_assert_eq(check_from_json(v, &back), 0);
    const finding *f = &back.findings.items[0];
    cr_assert_str_eq(f->file, "threads.c");
    cr_assert_str_eq(f->function, "worker");
    cr_assert_str_eq(f->stacks.items[0].title, "Write by thread #2");
    cr_assert_null(f->stacks.items[1].title);
    cr_assert_eq(f->stacks.items[0].frames.len, 2);
    const frame *fr = &f->stacks.items[0].frames.items[0];
    cr_assert_str_eq(fr->function, "worker");
    cr_assert_str_eq(fr->file, "threads.c");
    cr_assert_eq(fr->line, 12);
    cr_assert_null(f->stacks.items[0].frames.items[1].function);
    cr_assert_null(back.findings.items[1].file);
    cr_assert_eq(back.findings.items[1].has_seed, false);
    json_free(v);
    sbuf_free(&b);
    check_result_free(&c);
    check_result_free(&back);
}

static int from_text(const char *text, check_result *c)
{
    json_value *v = json_parse(text, strlen(text), NULL);
    cr_assert_not_null(v, "%s", text);
    int rc = check_from_json(v, c);
    json_free(v);
    return rc;
}

/* A check without a name or with an unknown outcome is refused; defaults fill the rest.
 */
Test(model, check_from_json_validates)
{
    check_result c;
    cr_assert_eq(from_text("{\"outcome\":\"pass\"}", &c), -1);
    cr_assert_eq(from_text("{\"name\":\"x\",\"outcome\":\"great\"}", &c), -1);
    cr_assert_eq(from_text("[1]", &c), -1);
    cr_assert_eq(from_text("{\"name\":\"x\",\"outcome\":\"pass\",\"findings\":[{"
                           "\"message\":\"no kind\"},"
                           "{\"kind\":\"crash\"}]}",
                           &c),
                 0);
    cr_assert_eq(c.graded, true, "graded defaults to true");
    cr_assert_eq(c.findings.len, 1, "a finding without a kind is dropped");
    cr_assert_str_eq(c.findings.items[0].tool, "driver");
    cr_assert_eq(c.findings.items[0].count, 1);
    check_result_free(&c);
}

/* The JSON form leaves out seed and count when there is nothing to say. */
Test(model, finding_json_omits_absent_fields)
{
    findings fs = {0};
    findings_add(&fs, "crash", "driver", "boom");
    sbuf b = {0};
    json_writer w;
    json_init(&w, &b, false);
    finding_to_json(&w, &fs.items[0]);
    cr_assert_str_eq(
        b.data,
        "{\"kind\":\"crash\",\"tool\":\"driver\",\"file\":\"\",\"line\":0,"
        "\"function\":\"\",\"message\":\"boom\",\"stacks\":[],\"stack_titles\":[]}");
    sbuf_free(&b);
    findings_free(&fs);
}
