/* test_report_html.c - the events that explain a schedule's failure
 * (trace_marks), their marks in the text table, and the HTML report on
 * hand-built reports: everything from a run escaped, the timeline's lanes,
 * marks and source links. */
#include "report.h"
#include "trace.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmpdir;

static void make_dir(void)
{
    tmpdir = dir_temp("html-test");
}

static void remove_dir(void)
{
    dir_remove(tmpdir);
    free(tmpdir);
}

/* Appends an event of process 1; a lane per new thread name. */
static void ev(trace *t, const char *tid, const char *op, const char *obj,
               const char *result, const char *peer, int line, const char *function)
{
    trace_event *e = VEC_PUSH(&t->events);
    e->seq = (long)t->events.len;
    e->step = (long)t->events.len;
    e->pid = 1;
    snprintf(e->tid, sizeof e->tid, "%s", tid);
    snprintf(e->op, sizeof e->op, "%s", op);
    snprintf(e->obj, sizeof e->obj, "%s", obj);
    snprintf(e->result, sizeof e->result, "%s", result);
    snprintf(e->peer, sizeof e->peer, "%s", peer);
    e->file = line ? xstrdup("bank.c") : NULL;
    e->line = line;
    e->function = xstrdup(function);
    for (size_t i = 0; i < t->nthreads; i++)
        if (!strcmp(t->threads[i], tid)) return;
    t->threads = xrealloc(t->threads, sizeof *t->threads * (t->nthreads + 1));
    t->threads[t->nthreads++] = xstrdup(tid);
}

static finding *add_finding(findings *fs, const char *kind, const char *function,
                            int line)
{
    finding *f = findings_add(fs, kind, "driver", "it went wrong");
    f->file = xstrdup("bank.c");
    f->line = line;
    f->function = xstrdup(function);
    f->has_seed = true;
    f->seed = 5;
    return f;
}

/* Check-then-act: T1 lets go of M1 between its check and its act, loses its
 * turn, T2 takes M1. */
static void check_then_act(trace *t)
{
    ev(t, "T1", "lock", "M1", "acquired", "", 56, "bank_balance");
    ev(t, "T1", "unlock", "M1", "ok", "", 58, "bank_balance");
    ev(t, "T1", "preempt", "", "change-point", "", 66, "bank_withdraw");
    ev(t, "T2", "lock", "M1", "acquired", "", 66, "bank_withdraw");
    ev(t, "T2", "unlock", "M1", "ok", "", 68, "bank_withdraw");
    ev(t, "T1", "lock", "M1", "acquired", "", 66, "bank_withdraw");
    ev(t, "T1", "unlock", "M1", "ok", "", 68, "bank_withdraw");
}

Test(trace_marks, atomicity_window)
{
    trace t = {0};
    findings fs = {0};
    check_then_act(&t);
    add_finding(&fs, "invariant", "bank_withdraw", 64);
    trace_mark *m = trace_marks(&t, &fs);
    cr_assert_eq(m[2].kind, TRACE_MARK_PREEMPT);
    cr_assert(
        strstr(m[2].note,
               "T1 loses its turn between unlock M1 (bank.c:58) and lock M1 (bank.c:66)"),
        "%s", m[2].note);
    cr_assert_eq(m[1].kind, TRACE_MARK_WINDOW);
    cr_assert_eq(m[3].kind, TRACE_MARK_INTRUDER);
    cr_assert_eq(m[5].kind, TRACE_MARK_WINDOW);
    cr_assert_eq(m[0].kind, TRACE_MARK_NONE);
    cr_assert_eq(m[4].kind, TRACE_MARK_NONE);
    trace_marks_free(m, t.events.len);
    findings_free(&fs);
    trace_free(&t);
}

/* The same interleaving is not a broken atomicity when nothing says so. */
Test(trace_marks, atomicity_needs_a_finding)
{
    trace t = {0};
    findings fs = {0};
    check_then_act(&t);
    add_finding(&fs, "not-concurrent", "bank_withdraw", 66);
    trace_mark *m = trace_marks(&t, &fs);
    for (size_t i = 0; i < t.events.len; i++)
        cr_assert_lt(m[i].kind, TRACE_MARK_CRITICAL, "event %zu", i);
    cr_assert_eq(m[2].kind, TRACE_MARK_AT_FINDING);
    cr_assert_eq(m[3].kind, TRACE_MARK_AT_FINDING);
    trace_marks_free(m, t.events.len);
    findings_free(&fs);
    trace_free(&t);
}

Test(trace_marks, wait_for_cycle)
{
    trace t = {0};
    ev(&t, "T1", "lock", "M1", "acquired", "", 73, "bank_transfer");
    ev(&t, "T2", "lock", "M2", "acquired", "", 73, "bank_transfer");
    ev(&t, "T1", "lock", "M2", "blocked", "T2", 74, "bank_transfer");
    ev(&t, "T2", "lock", "M1", "blocked", "T1", 74, "bank_transfer");
    ev(&t, "T0", "join", "", "blocked", "T1", 0, "main");
    trace_mark *m = trace_marks(&t, NULL);
    cr_assert_eq(m[2].kind, TRACE_MARK_CYCLE);
    cr_assert(strstr(m[2].note,
                     "T1 waits for M2, which T2 holds: a wait-for cycle (T1 → T2 → T1)"),
              "%s", m[2].note);
    cr_assert_eq(m[3].kind, TRACE_MARK_CYCLE);
    cr_assert_eq(m[0].kind, TRACE_MARK_HOLDS);
    cr_assert_eq(m[1].kind, TRACE_MARK_HOLDS);
    cr_assert_eq(m[4].kind, TRACE_MARK_STUCK,
                 "T0 waits for a thread of the cycle, outside it");
    trace_marks_free(m, t.events.len);
    trace_free(&t);
}

Test(trace_marks, self_deadlock)
{
    trace t = {0};
    ev(&t, "T0", "lock", "M1", "acquired", "", 69, "bank_transfer");
    ev(&t, "T0", "lock", "M1", "blocked", "T0", 70, "bank_transfer");
    trace_mark *m = trace_marks(&t, NULL);
    cr_assert_eq(m[1].kind, TRACE_MARK_CYCLE);
    cr_assert(strstr(m[1].note, "which it holds itself"), "%s", m[1].note);
    trace_marks_free(m, t.events.len);
    trace_free(&t);
}

Test(trace_marks, signal_to_nobody)
{
    trace t = {0};
    ev(&t, "T1", "signal", "C1", "nobody", "", 48, "queue_put");
    ev(&t, "T2", "lock", "M1", "acquired", "", 55, "queue_get");
    ev(&t, "T2", "wait", "C1", "waiting", "", 56, "queue_get");
    ev(&t, "T2", "unlock", "M1", "ok", "", 56, "queue_get");
    ev(&t, "T1", "exit", "", "ok", "", 0, "producer");
    trace_mark *m = trace_marks(&t, NULL);
    cr_assert_eq(m[0].kind, TRACE_MARK_LOST);
    cr_assert(strstr(m[0].note,
                     "this signal is lost, and T2 waits on C1 later (step 3), for ever"),
              "%s", m[0].note);
    cr_assert_eq(m[2].kind, TRACE_MARK_STUCK,
                 "the wait, not the unlock that belongs to it");
    cr_assert_eq(m[3].kind, TRACE_MARK_NONE);
    trace_marks_free(m, t.events.len);
    trace_free(&t);
}

/* The same wait while another thread still runs: not proven stuck, only
 * waiting when the run stopped. */
Test(trace_marks, waiting_when_stopped)
{
    trace t = {0};
    ev(&t, "T1", "signal", "C1", "nobody", "", 48, "queue_put");
    ev(&t, "T2", "lock", "M1", "acquired", "", 55, "queue_get");
    ev(&t, "T2", "wait", "C1", "waiting", "", 56, "queue_get");
    ev(&t, "T2", "unlock", "M1", "ok", "", 56, "queue_get");
    ev(&t, "T1", "lock", "M1", "acquired", "", 47, "queue_put");
    trace_mark *m = trace_marks(&t, NULL);
    cr_assert_eq(m[2].kind, TRACE_MARK_WAITING, "T1 still runs: T2 is not proven stuck");
    cr_assert(strstr(m[2].note, "T2 was waiting on C1 when the run stopped"), "%s",
              m[2].note);
    cr_assert(strstr(m[0].note, "still waiting when the run stops"), "%s", m[0].note);
    for (size_t i = 0; i < t.events.len; i++)
        cr_assert(!m[i].note ||
                      (!strstr(m[i].note, "for ever") && !strstr(m[i].note, "for good")),
                  "%s", m[i].note);
    trace_marks_free(m, t.events.len);
    trace_free(&t);
}

/* A wait guarded by `if`: woken spuriously, the thread goes on. */
Test(trace_marks, spurious_wake_goes_on)
{
    trace t = {0};
    ev(&t, "T5", "lock", "M1", "acquired", "", 43, "queue_put");
    ev(&t, "T5", "wait", "C2", "waiting", "", 45, "queue_put");
    ev(&t, "T5", "unlock", "M1", "ok", "", 45, "queue_put");
    ev(&t, "T5", "wake", "C2", "spurious", "", 45, "queue_put");
    ev(&t, "T5", "lock", "M1", "acquired", "", 45, "queue_put");
    ev(&t, "T5", "signal", "C1", "nobody", "", 52, "queue_put");
    ev(&t, "T5", "unlock", "M1", "ok", "", 53, "queue_put");
    trace_mark *m = trace_marks(&t, NULL);
    cr_assert_eq(m[3].kind, TRACE_MARK_SPURIOUS);
    cr_assert(strstr(m[3].note, "spurious wake-up"), "%s", m[3].note);
    cr_assert_eq(m[5].kind, TRACE_MARK_SPURIOUS,
                 "what it does next, past re-taking its mutex");
    cr_assert_eq(m[4].kind, TRACE_MARK_NONE);
    trace_marks_free(m, t.events.len);
    trace_free(&t);
}

/* Woken spuriously in a while loop: it waits again, nothing to mark. */
Test(trace_marks, spurious_wake_waits_again)
{
    trace t = {0};
    ev(&t, "T5", "wait", "C2", "waiting", "", 45, "queue_put");
    ev(&t, "T5", "wake", "C2", "spurious", "", 45, "queue_put");
    ev(&t, "T5", "lock", "M1", "acquired", "", 45, "queue_put");
    ev(&t, "T5", "wait", "C2", "waiting", "", 45, "queue_put");
    ev(&t, "T6", "lock", "M1", "acquired", "", 60, "queue_get");
    trace_mark *m = trace_marks(&t, NULL);
    cr_assert_lt(m[1].kind, TRACE_MARK_CRITICAL);
    trace_marks_free(m, t.events.len);
    trace_free(&t);
}

Test(trace_marks, swallowed_signal)
{
    trace t = {0};
    ev(&t, "T2", "wait", "C1", "waiting", "", 56, "queue_get");
    ev(&t, "T2", "unlock", "M1", "ok", "", 56, "queue_get");
    ev(&t, "T1", "signal", "C1", "ok", "T2", 48, "queue_put");
    ev(&t, "T2", "wake", "C1", "signal", "T1", 56, "queue_get");
    ev(&t, "T2", "lock", "M1", "acquired", "", 56, "queue_get");
    ev(&t, "T2", "wait", "C1", "waiting", "", 56, "queue_get");
    ev(&t, "T2", "unlock", "M1", "ok", "", 56, "queue_get");
    trace_mark *m = trace_marks(&t, NULL);
    cr_assert_eq(m[2].kind, TRACE_MARK_SWALLOWED);
    cr_assert_eq(m[3].kind, TRACE_MARK_SWALLOWED);
    cr_assert_eq(m[5].kind, TRACE_MARK_WAITING, "T1 may still signal: not proven stuck");
    trace_marks_free(m, t.events.len);
    trace_free(&t);
}

/* The text table shows a marked event even before its last rows, flagged,
 * with its note, and says how many events it folded. */
Test(trace_text, marks_and_folds)
{
    trace t = {0};
    findings fs = {0};
    check_then_act(&t);
    for (int i = 0; i < 6; i++) ev(&t, "T0", "lock", "M9", "acquired", "", 0, "main");
    add_finding(&fs, "invariant", "bank_withdraw", 64);
    sbuf b = {0};
    trace_text(&t, &fs, 3, &b);
    const char *s = sbuf_str(&b);
    cr_assert(strstr(s, "  (! what made it go wrong)\n"), "%s", s);
    cr_assert(strstr(s, "  … 1 earlier event folded\n"), "%s", s);
    cr_assert(strstr(s, " !     3  preempt change-point  |"), "%s", s);
    cr_assert(strstr(s, "bank.c:66  ← T1 loses its turn between unlock M1"), "%s", s);
    cr_assert(strstr(s, "  … 4 events folded\n"), "%s", s);
    sbuf_free(&b);
    findings_free(&fs);
    trace_free(&t);
}

/* --- the HTML report --------------------------------------------------------------- */

static const char *const evil = "<img src=x onerror=alert(1)>\"'&</script>";

static char *write_file(const char *name, const char *text)
{
    char *p = path_join(tmpdir, name);
    cr_assert_eq(file_write(p, text, strlen(text)), 0);
    return p;
}

/* A report of bank with a failed check whose schedule is check_then_act,
 * the source 70 lines long. */
static report *bank_report(void)
{
    report *r = xmalloc(sizeof *r);
    r->exercise = xstrdup("bank");
    r->title = xstrdup("A safe bank");
    r->source = xstrdup("bank.c");
    sbuf src = {0};
    for (int i = 1; i <= 70; i++)
        sbuf_printf(&src, i == 66 ? "    pthread_mutex_lock(&a->mutex);\n" : "// %d\n",
                    i);
    r->source_path = write_file("bank.c", src.data);
    r->source_text = xstrdup(src.data);
    sbuf_free(&src);
    check_result *c = VEC_PUSH(&r->checks);
    c->name = xstrdup("never-negative");
    c->title = xstrdup("No balance goes below 0");
    c->outcome = OUTCOME_FAIL;
    c->max_score = 10;
    c->graded = true;
    add_finding(&c->findings, "invariant", "bank_withdraw", 64);
    check_then_act(&c->schedule);
    report_total(r);
    return r;
}

static char *html_of(const report *r)
{
    report_opts o = {0};
    sbuf b = {0};
    report_html(r, &o, &b);
    return sbuf_take(&b);
}

static size_t count(const char *s, const char *part)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, part)); p++) n++;
    return n;
}

Test(report_html, timeline_lanes_marks_links, .init = make_dir, .fini = remove_dir)
{
    report *r = bank_report();
    char *h = html_of(r);
    cr_assert(strstr(h, "<th class=\"lane\" title=\"T1\">T1</th><th class=\"lane\" "
                        "title=\"T2\">T2</th>"),
              "%s", h);
    cr_assert(strstr(h, "<tr class=\"ev crit mk-preempt\" id=\"c0-e2\">"), "%s", h);
    cr_assert(
        strstr(
            h,
            "<a class=\"chip k-turn\" href=\"#src-L66\" title=\"T1: preempt change-point "
            "(step 3, "
            "event 3, in bank_withdraw)\n66 | pthread_mutex_lock(&amp;a-&gt;mutex);\">"),
        "%s", h);
    cr_assert(strstr(h, "<tr class=\"ev crit mk-intruder\" id=\"c0-e3\">"), "%s", h);
    cr_assert(strstr(h, "<div class=\"sl ev\" id=\"src-L66\">"),
              "the cited line is flagged: %s", h);
    cr_assert(strstr(h, "<div class=\"sl fl\" id=\"src-L64\">"),
              "the finding's line is flagged: %s", h);
    cr_assert(strstr(h, "<tr class=\"end\"><td class=\"step\">✗</td>"), "%s", h);
    cr_assert(strstr(h, "<a href=\"#c0-e2\">step 3, T1</a>: T1 loses its turn"), "%s", h);
    cr_assert_eq(count(h, "<script"), 1);
    free(h);
    report_free(r);
}

/* Every string that comes from a run is escaped: names, messages, stacks,
 * trace fields, the source, invalid UTF-8 and control characters. */
Test(report_html, escapes_everything, .init = make_dir, .fini = remove_dir)
{
    report *r = bank_report();
    char **fields[] = {&r->exercise,
                       &r->title,
                       &r->error,
                       &r->checks.items[0].name,
                       &r->checks.items[0].title,
                       &r->checks.items[0].message,
                       &r->checks.items[0].hint,
                       &r->checks.items[0].replay};
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        free(*fields[i]), *fields[i] = xstrdup(evil);
    free(r->source_path);
    r->source_path =
        write_file("bank.c", "<img src=x onerror=alert(1)>\n\x01\xff\xc3(\n");
    free(r->source_text);
    r->source_text = xstrdup("<img src=x onerror=alert(1)>\n\x01\xff\xc3(\n");
    finding *f = findings_add(&r->checks.items[0].findings, evil, evil, evil);
    f->function = xstrdup(evil);
    stack_add_frame(finding_add_stack(f, evil), evil, evil, 3);
    f->has_seed = true;
    trace_event *e = &r->checks.items[0].schedule.events.items[0];
    snprintf(e->tid, sizeof e->tid, "<u>");
    snprintf(e->op, sizeof e->op, "<img src=x>");
    snprintf(e->obj, sizeof e->obj, "\"'<>");
    free(e->function), e->function = xstrdup(evil);
    free(r->checks.items[0].schedule.threads[0]),
        r->checks.items[0].schedule.threads[0] = xstrdup("<i>");
    char *h = html_of(r);
    cr_assert_null(strstr(h, "<img"), "%s", h);
    cr_assert_null(strstr(h, "<u>"), "%s", h);
    cr_assert_null(strstr(h, "<i>"), "%s", h);
    cr_assert_eq(count(h, "<script"), 1, "%s", h);
    cr_assert_eq(count(h, "</script>"), 1, "%s", h);
    cr_assert_gt(
        count(h, "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&lt;/script&gt;"), 8,
        "%s", h);
    cr_assert(strstr(h, "<code>?\xEF\xBF\xBD\xEF\xBF\xBD(</code>"),
              "control and invalid bytes: %s", h);
    free(h);
    report_free(r);
}

/* Without a schedule or a readable source the page still has every part it can. */
Test(report_html, no_source_no_schedule, .init = make_dir, .fini = remove_dir)
{
    report *r = bank_report();
    free(r->source_path);
    r->source_path = NULL;
    free(r->source_text);
    r->source_text = NULL;
    trace_free(&r->checks.items[0].schedule);
    char *h = html_of(r);
    cr_assert(str_starts(h, "<!DOCTYPE html>\n"), "%s", h);
    cr_assert(strstr(h, "<section class=\"check o-fail\" id=\"check-0\">"), "%s", h);
    cr_assert_null(strstr(h, "class=\"timeline\""), "%s", h);
    cr_assert_null(strstr(h, "href=\"#src-L"), "no link to a file that is not shown: %s",
                   h);
    cr_assert(str_ends(h, "</html>\n"), "%s", h);
    free(h);
    report_free(r);
}

/* Appends an event of process pid to a trace whose lanes are named by
 * process ("P1:T0"). */
static void pev(trace *t, int pid, const char *tid, const char *op, const char *result,
                const char *peer)
{
    ev(t, tid, op, "", result, peer, 0, "main");
    trace_event *e = &t->events.items[t->events.len - 1];
    e->pid = pid;
    char name[32];
    snprintf(name, sizeof name, "P%d:%s", pid, tid);
    free(t->threads[--t->nthreads]); /* ev named a lane by the thread alone */
    for (size_t i = 0; i < t->nthreads; i++)
        if (!strcmp(t->threads[i], name)) return;
    t->threads[t->nthreads++] = xstrdup(name);
}

/* With several processes, lanes are grouped under one header per process. */
Test(report_html, process_lanes, .init = make_dir, .fini = remove_dir)
{
    report *r = bank_report();
    trace *t = &r->checks.items[0].schedule;
    trace_free(t);
    pev(t, 1, "T0", "create", "ok", "T1");
    pev(t, 1, "T1", "exit", "ok", "");
    pev(t, 1, "T0", "fork", "ok", "");
    pev(t, 2, "T0", "sleep", "ok", "");
    pev(t, 1, "T0", "join", "ok", "T1");
    char *h = html_of(r);
    cr_assert_eq(t->nthreads, 3);
    cr_assert(
        strstr(h, "<tr class=\"procs\"><th class=\"step\"></th><th colspan=\"2\">process "
                  "1</th><th colspan=\"1\">process 2 "
                  "(forked)</th>"),
        "%s", h);
    cr_assert(strstr(h, "<th class=\"lane\" title=\"P2:T0\">P2:T0</th>"), "%s", h);
    /* T1 is not alive before its creation, the child before its first event */
    cr_assert(strstr(h, "id=\"c0-e0\"><td class=\"step\">1</td><td class=\"a\"><span "
                        "class=\"chip k-thr\""),
              "%s", h);
    cr_assert(strstr(h, "create T1</span></td><td class=\"a\"></td><td class=\"\"></td>"),
              "%s", h);
    cr_assert(strstr(h, "exit</span></td><td class=\"\"></td>"),
              "T1's lane ends at its exit: %s", h);
    free(h);
    report_free(r);
}
