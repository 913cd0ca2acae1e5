/* test_scan.c - `grader scan`: detector lists, how findings of different
 * tools and runs merge into problems, and the text and JSON reports. */
#include "scan.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A report of one file, race.c, with the runs listed as "tsan", "pct:7"... */
static scan_report *report_of(const char *const *runs, size_t n)
{
    scan_report *r = xmalloc(sizeof *r);
    r->files = xmalloc(sizeof *r->files);
    r->files[0] = xstrdup("race.c");
    r->nfiles = 1;
    r->seed = 1;
    r->timeout_ms = 10000;
    for (size_t i = 0; i < n; i++) {
        scan_run *run = VEC_PUSH(&r->runs);
        char name[16];
        unsigned long long seed = 1;
        sscanf(runs[i], "%15[^:]:%llu", name, &seed);
        run->det = (scan_detector)__builtin_ctz((unsigned)scan_detectors_parse(name));
        run->seed = seed;
        run->depth = run->det == DET_PCT ? 2 : 0;
    }
    return r;
}

/* A finding of kind at file:line, with one stack whose first frame is
 * there too (and a second frame at line2 when > 0). */
static void add(findings *fs, const char *kind, const char *tool, const char *msg,
                int line, int line2)
{
    finding *f = findings_add(fs, kind, tool, msg);
    stack *s = finding_add_stack(f, "here");
    stack_add_frame(s, "work", line ? "race.c" : NULL, line);
    if (line2 > 0)
        stack_add_frame(finding_add_stack(f, "there"), "work", "race.c", line2);
    finding_locate(f, "race.c");
}

Test(scan, detectors_parse)
{
    cr_assert_eq(scan_detectors_parse("tsan"), 1 << DET_TSAN);
    cr_assert_eq(scan_detectors_parse("stress,native"),
                 1 << DET_PCT | 1 << DET_RANDOM | 1 << DET_NATIVE);
    cr_assert_eq(scan_detectors_parse("all"), (1 << DET_COUNT) - 1);
    cr_assert_eq(scan_detectors_parse("tsan,valgrind"), -1);
}

/* The same race seen by TSan and Helgrind (other messages, a common line)
 * is one problem, seen by both; a race elsewhere is another. */
Test(scan, same_kind_same_line_merges_across_tools)
{
    const char *runs[] = {"tsan", "helgrind"};
    scan_report *r = report_of(runs, 2);
    findings a = {0}, b = {0};
    add(&a, "data-race", "tsan", "a write by T1 and a read by T2", 12, 20);
    add(&b, "data-race", "helgrind", "Possible data race during read", 20, 12);
    add(&b, "data-race", "helgrind", "Possible data race during write", 30, 0);
    scan_merge(r, &r->runs.items[0], &a, NULL);
    scan_merge(r, &r->runs.items[1], &b, NULL);
    scan_order(r);
    cr_assert_eq(r->found.len, 2);
    const scan_finding *p = &r->found.items[0];
    cr_assert_str_eq(p->f.tool, "tsan");
    cr_assert_str_eq(p->f.message, "a write by T1 and a read by T2");
    cr_assert_eq(p->seen[DET_TSAN], 1);
    cr_assert_eq(p->seen[DET_HELGRIND], 1);
    cr_assert_eq(r->found.items[1].f.line, 30);
    cr_assert_eq(scan_exit_status(r), 1);
    scan_report_free(r);
}

/* A problem counts once per run however many findings of that run it
 * merges; stress runs keep their seeds, in order, and the first schedule. */
Test(scan, counted_once_per_run_with_seeds)
{
    const char *runs[] = {"pct:9", "pct:3"};
    scan_report *r = report_of(runs, 2);
    for (size_t i = 0; i < 2; i++) {
        findings fs = {0};
        add(&fs, "deadlock", "stress", "T1 waits for M2", 14, 25);
        add(&fs, "deadlock", "stress", "T2 waits for M1", 25, 14);
        trace t = {0};
        trace_event *e = VEC_PUSH(&t.events);
        snprintf(e->op, sizeof e->op, "%s", i ? "second" : "first");
        scan_merge(r, &r->runs.items[i], &fs, &t);
        trace_free(&t);
    }
    scan_order(r);
    cr_assert_eq(r->found.len, 1);
    const scan_finding *p = &r->found.items[0];
    cr_assert_eq(p->seen[DET_PCT], 2);
    cr_assert_eq(p->f.count, 4);
    cr_assert_eq(p->nseeds, 2);
    cr_assert_eq(p->seeds[0], 3);
    cr_assert_eq(p->seeds[1], 9);
    cr_assert_str_eq(p->schedule.events.items[0].op, "first");
    scan_report_free(r);
}

/* Timeouts are one problem wherever each run hung; a crash without a
 * stack is the located crash of the same signal; the problem is told by
 * the finding placed in the program's files. */
Test(scan, timeouts_and_crashes)
{
    const char *runs[] = {"helgrind", "pct:1", "native"};
    scan_report *r = report_of(runs, 3);
    findings a = {0}, b = {0}, c = {0};
    findings_add(&a, "timeout", "sandbox", "did not finish within 40 s");
    findings_add(&a, "crash", "sandbox", "the program was killed by SIGABRT, abort()");
    add(&b, "timeout", "sandbox",
        "did not finish within 10 s; main thread waits at race.c:8", 8, 0);
    add(&b, "crash", "stress", "the assertion `n > 0` failed in thread T0", 40, 0);
    findings_add(&c, "crash", "sandbox", "the program was killed by SIGSEGV");
    scan_merge(r, &r->runs.items[0], &a, NULL);
    scan_merge(r, &r->runs.items[1], &b, NULL);
    scan_merge(r, &r->runs.items[2], &c, NULL);
    scan_order(r);
    cr_assert_eq(r->found.len, 3, "timeout, SIGABRT crash, SIGSEGV crash");
    const scan_finding *crash = &r->found.items[0], *segv = &r->found.items[1],
                       *hang = &r->found.items[2];
    cr_assert_str_eq(crash->f.kind, "crash");
    cr_assert_eq(crash->f.line, 40);
    cr_assert_str_eq(crash->f.tool, "helgrind");
    cr_assert_eq(crash->seen[DET_HELGRIND] + crash->seen[DET_PCT], 2);
    cr_assert(strstr(segv->f.message, "SIGSEGV"));
    cr_assert_str_eq(hang->f.kind, "timeout");
    cr_assert_eq(hang->f.line, 8);
    cr_assert_eq(hang->seen[DET_HELGRIND] + hang->seen[DET_PCT], 2);
    scan_report_free(r);
}

/* The text report names who saw a problem in how many runs, the seeds,
 * and the command that repeats the first schedule; the JSON report has the
 * finding's own fields plus seen_by and seeds. */
Test(scan, reports)
{
    const char *runs[] = {"tsan", "pct:4", "pct:5", "random:6"};
    scan_report *r = report_of(runs, 4);
    r->args = xmalloc(sizeof *r->args * 2);
    r->args[0] = xstrdup("--rounds");
    r->args[1] = xstrdup("it's 3");
    r->nargs = 2;
    findings a = {0}, b = {0};
    add(&a, "data-race", "tsan", "two threads", 12, 0);
    add(&b, "data-race", "stress", "seen again", 12, 0);
    scan_merge(r, &r->runs.items[0], &a, NULL);
    scan_merge(r, &r->runs.items[2], &b, NULL);
    scan_order(r);
    report_opts o = {0};
    sbuf text = {0}, json = {0};
    scan_text(r, &o, &text);
    cr_assert(strstr(sbuf_str(&text), "data race (tsan 1/1, pct 1/2)"), "%s",
              sbuf_str(&text));
    cr_assert(strstr(sbuf_str(&text), "grader scan race.c --tools pct --depth 2 --seed 5 "
                                      "-n 1 -- --rounds 'it'\\''s 3'"),
              "%s", sbuf_str(&text));
    cr_assert(strstr(sbuf_str(&text), "1 problem found"));
    scan_json(r, &o, &json);
    json_value *v = json_parse(sbuf_str(&json), json.len, NULL);
    cr_assert_not_null(v);
    cr_assert_str_eq(json_get_str(v, "outcome"), "found");
    const json_value *f = json_get(v, "findings")->items[0];
    cr_assert_str_eq(json_get_str(f, "kind"), "data-race");
    cr_assert_eq(json_get_num(json_get(json_get(f, "seen_by"), "pct"), "of", 0), 2);
    cr_assert_eq(json_get(f, "seeds")->items[0]->num, 5);
    cr_assert_eq(json_get(v, "runs")->len, 4);
    json_free(v);
    sbuf_free(&text);
    sbuf_free(&json);
    scan_report_free(r);
}

/* One hang, however each tool saw it: TSan's timeout (listed first), a pct
 * schedule's deadlock and lost wake-up at a common line, and that run's own
 * timeout are one problem, told as the deadlock; TSan saw it only hang. A
 * lost wake-up elsewhere joins no deadlock. */
Test(scan, one_hang_one_problem)
{
    const char *runs[] = {"tsan", "pct:3", "random:4"};
    scan_report *r = report_of(runs, 3);
    findings a = {0}, b = {0}, c = {0};
    add(&a, "timeout", "tsan", "the program did not finish", 40, 0);
    add(&b, "timeout", "sandbox", "the program did not finish", 28, 0);
    add(&b, "lost-wakeup", "pct", "a wake-up was lost", 28, 0);
    add(&b, "deadlock", "pct", "threads wait on each other", 17, 28);
    add(&c, "lost-wakeup", "random", "a wake-up was lost", 60, 0);
    scan_merge(r, &r->runs.items[0], &a, NULL);
    scan_merge(r, &r->runs.items[1], &b, NULL);
    scan_merge(r, &r->runs.items[2], &c, NULL);
    scan_order(r);
    cr_assert_eq(r->found.len, 2);
    const scan_finding *p = &r->found.items[0];
    cr_assert_str_eq(p->f.kind, "deadlock");
    cr_assert_eq(p->seen[DET_TSAN], 1);
    cr_assert_eq(p->hung[DET_TSAN], 1);
    cr_assert_eq(p->seen[DET_PCT], 1);
    cr_assert_eq(p->hung[DET_PCT], 0);
    cr_assert_str_eq(r->found.items[1].f.kind, "lost-wakeup");
    cr_assert_eq(r->found.items[1].f.line, 60);
    scan_report_free(r);
}

/* A detector that could not run is an error of the scan, named in every
 * format, never "nothing found". */
Test(scan, failed_detector_is_an_error)
{
    const char *runs[] = {"tsan", "native"};
    scan_report *r = report_of(runs, 2);
    r->runs.items[0].error = xstrdup("ThreadSanitizer failed: CHECK failed\n");
    char *e = scan_error_text(r);
    cr_assert(e && strstr(e, "the tsan detector failed in its run"));
    cr_assert_eq(scan_exit_status(r), 2);
    report_opts o = {0};
    sbuf text = {0}, json = {0};
    scan_text(r, &o, &text);
    scan_json(r, &o, &json);
    cr_assert(!strstr(sbuf_str(&text), "nothing found"));
    cr_assert(strstr(sbuf_str(&text), "error: the tsan detector failed"));
    cr_assert(strstr(sbuf_str(&json), "\"error\": \"the tsan detector failed"));
    free(e);
    sbuf_free(&text), sbuf_free(&json);
    scan_report_free(r);
}
