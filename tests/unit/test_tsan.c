/* test_tsan.c - tsan_parse on real ThreadSanitizer output (tests/fixtures/tsan,
 * made by tests/fixtures/regen.sh), and text_stabilize. */
#include "fixture.h"
#include "parse.h"
#include "symbolize.h"

#include <ctype.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static parse_out parse_text(const char *text)
{
    parse_out out = {0};
    tsan_parse(text, strlen(text), &out);
    return out;
}

/* Parses tsan/NAME.txt. */
static parse_out parse_fixture(const char *name)
{
    char *rel = xasprintf("tsan/%s.txt", name);
    char *text = fixture_read(rel, NULL);
    parse_out out = parse_text(text);
    free(text);
    free(rel);
    return out;
}

/* Parses tsan/NAME.txt and tidies it as the grader does for student file SRC. */
static parse_out parse_tidy(const char *name, const char *src)
{
    parse_out out = parse_fixture(name);
    char *dir = fixture_src_dir();
    stacks_tidy(&out.found, dir, src);
    free(dir);
    return out;
}

static void expect_frame(const frame *f, const char *fn, const char *file, int line)
{
    cr_assert_str_eq(f->function ? f->function : "(null)", fn);
    cr_assert_str_eq(f->file ? f->file : "(null)", file);
    cr_assert_eq(f->line, line, "%s: line %d, wanted %d", fn, f->line, line);
}

static void expect_located(const finding *f, const char *file, int line, const char *fn)
{
    cr_assert_not_null(f->file, "%s finding has no location", f->kind);
    cr_assert_str_eq(f->file, file);
    cr_assert_eq(f->line, line, "%s located at line %d, wanted %d", f->kind, f->line,
                 line);
    cr_assert_str_eq(f->function, fn);
}

/* True when s has a raw address (0x and a hex digit) or a number of 4+ digits (a pid or
 * tid). */
static bool unstable(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (p[0] == '0' && p[1] == 'x' && isxdigit((unsigned char)p[2])) return true;
        size_t n = 0;
        while (isdigit((unsigned char)p[n])) n++;
        if (n >= 4) return true;
        if (n) p += n - 1;
    }
    return false;
}

/* A global counter race keeps the two access stacks (thread creations are dropped). */
Test(tsan, race_global_stacks)
{
    parse_out o = parse_fixture("race_global");
    int line = fixture_line("tsan_race_global.c", "race");
    cr_assert_eq(o.found.len, 1);
    finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "data-race");
    cr_assert_str_eq(f->tool, "tsan");
    cr_assert_eq(f->stacks.len, 2);
    cr_assert_str_eq(f->stacks.items[0].title, "Write (4 bytes) by a thread");
    cr_assert_str_eq(f->stacks.items[1].title, "Write (4 bytes) by a thread");
    cr_assert_eq(f->stacks.items[0].frames.len, 1);
    expect_frame(&f->stacks.items[0].frames.items[0], "bump", "tsan_race_global.c", line);
    expect_frame(&f->stacks.items[1].frames.items[0], "bump", "tsan_race_global.c", line);
    parse_out_free(&o);
}

/* The race message names the variable and both accesses with their lines, without
 * addresses or ids. */
Test(tsan, race_global_message)
{
    parse_out o = parse_fixture("race_global");
    const char *m = o.found.items[0].message;
    char *access = xasprintf("a write (4 bytes) by a thread at tsan_race_global.c:%d",
                             fixture_line("tsan_race_global.c", "race"));
    cr_assert(
        str_starts(m, "two threads use the global variable 'counter' at the same time: "),
        "%s", m);
    cr_assert(strstr(m, access), "%s", m);
    cr_assert(str_ends(m, ", with nothing ordering them"), "%s", m);
    cr_assert_not(unstable(m), "unstable message: %s", m);
    free(access);
    parse_out_free(&o);
}

/* After stacks_tidy the race points at the student's line. */
Test(tsan, race_global_tidy_locates)
{
    parse_out o = parse_tidy("race_global", "tsan_race_global.c");
    expect_located(&o.found.items[0], "tsan_race_global.c",
                   fixture_line("tsan_race_global.c", "race"), "bump");
    parse_out_free(&o);
}

/* A heap race names the block, and the malloc stack stays out of the access stacks. */
Test(tsan, race_heap)
{
    parse_out o = parse_tidy("race_heap", "tsan_race_heap.c");
    cr_assert_eq(o.found.len, 1);
    finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "data-race");
    cr_assert(str_starts(f->message,
                         "two threads use a heap block of 4 bytes at the same time"),
              "%s", f->message);
    cr_assert_not(unstable(f->message), "%s", f->message);
    int malloc_line = fixture_line("tsan_race_heap.c", "malloc");
    for (size_t i = 0; i < f->stacks.len; i++)
        for (size_t j = 0; j < f->stacks.items[i].frames.len; j++)
            cr_assert_neq(f->stacks.items[i].frames.items[j].line, malloc_line,
                          "malloc stack kept");
    expect_located(f, "tsan_race_heap.c", fixture_line("tsan_race_heap.c", "store"),
                   "store");
    parse_out_free(&o);
}

/* A read/write race is told in source order, with who held a lock and who was main. */
Test(tsan, race_read_write_order)
{
    parse_out o = parse_tidy("race_rw", "tsan_race_rw.c");
    cr_assert_eq(o.found.len, 1);
    finding *f = &o.found.items[0];
    int w = fixture_line("tsan_race_rw.c", "write"),
        r = fixture_line("tsan_race_rw.c", "read");
    char *want = xasprintf(
        "two threads use the global variable 'value' at the same time: a write (4 bytes) "
        "by a thread holding a lock at tsan_race_rw.c:%d and a read (4 bytes) by the "
        "main thread at tsan_race_rw.c:%d, with nothing ordering them",
        w, r);
    cr_assert_str_eq(f->message, want);
    cr_assert_str_eq(f->stacks.items[0].title,
                     "Write (4 bytes) by a thread holding a lock");
    cr_assert_str_eq(f->stacks.items[1].title, "Read (4 bytes) by the main thread");
    expect_frame(&f->stacks.items[0].frames.items[0], "writer", "tsan_race_rw.c", w);
    expect_frame(&f->stacks.items[1].frames.items[0], "main", "tsan_race_rw.c", r);
    expect_located(f, "tsan_race_rw.c", w, "writer");
    free(want);
    parse_out_free(&o);
}

/* A two-mutex inversion: four acquisition stacks, the cycle in the message, the inner
 * lock located. */
Test(tsan, lock_order_two)
{
    parse_out o = parse_tidy("lock_order2", "tsan_lock_order2.c");
    cr_assert_eq(o.found.len, 1);
    finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "lock-order-inversion");
    cr_assert_eq(f->stacks.len, 6);
    cr_assert_str_eq(f->stacks.items[0].title,
                     "Mutex M1 acquired here while holding mutex M0 in thread T1");
    cr_assert_str_eq(f->stacks.items[1].title,
                     "Mutex M0 previously acquired by the same thread here");
    cr_assert(strstr(f->message, "Cycle in lock order graph: M0"), "%s", f->message);
    cr_assert(strstr(f->message, "=> M1"), "%s", f->message);
    cr_assert_not(unstable(f->message), "%s", f->message);
    expect_located(f, "tsan_lock_order2.c",
                   fixture_line("tsan_lock_order2.c", "forward-inner"), "forward");
    expect_frame(&f->stacks.items[2].frames.items[0], "backward", "tsan_lock_order2.c",
                 fixture_line("tsan_lock_order2.c", "backward-inner"));
    parse_out_free(&o);
}

/* A three-mutex cycle keeps every acquisition, with inlined callers as frames. */
Test(tsan, lock_order_three)
{
    parse_out o = parse_fixture("lock_order3");
    cr_assert_eq(o.found.len, 1);
    finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "lock-order-inversion");
    cr_assert(strstr(f->message, "=> M2"), "%s", f->message);
    cr_assert_eq(f->stacks.len, 9);
    cr_assert_str_eq(f->stacks.items[4].title,
                     "Mutex M0 acquired here while holding mutex M2 in thread T3");
    stack *s = &f->stacks.items[4];
    cr_assert_eq(s->frames.len, 3);
    expect_frame(&s->frames.items[0], "pthread_mutex_lock", "(null)", 0);
    expect_frame(&s->frames.items[1], "lock_pair", "tsan_lock_order3.c",
                 fixture_line("tsan_lock_order3.c", "inner"));
    cr_assert_str_eq(s->frames.items[2].function, "ca");
    parse_out_free(&o);
}

/* A thread leak counts the similar leaks and points at the create call. */
Test(tsan, thread_leak)
{
    parse_out o = parse_tidy("thread_leak", "tsan_thread_leak.c");
    cr_assert_eq(o.found.len, 1);
    finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "thread-leak");
    cr_assert(strstr(f->message, "never joined"), "%s", f->message);
    cr_assert(strstr(f->message, "(and 2 more like it)"), "%s", f->message);
    cr_assert_not(unstable(f->message), "%s", f->message);
    expect_located(f, "tsan_thread_leak.c", fixture_line("tsan_thread_leak.c", "create"),
                   "main");
    parse_out_free(&o);
}

/* An unlock of an unlocked mutex is mutex misuse located at the unlock call. */
Test(tsan, unlock_unlocked)
{
    parse_out o = parse_tidy("unlock_unlocked", "tsan_unlock_unlocked.c");
    cr_assert_eq(o.found.len, 1);
    finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "mutex-misuse");
    cr_assert(str_starts(f->message, "unlock of an unlocked mutex"), "%s", f->message);
    cr_assert_not(unstable(f->message), "%s", f->message);
    expect_located(f, "tsan_unlock_unlocked.c",
                   fixture_line("tsan_unlock_unlocked.c", "unlock"), "release");
    parse_out_free(&o);
}

/* Destroying a locked mutex is located at the destroy; the lock's stack is kept too. */
Test(tsan, destroy_locked)
{
    parse_out o = parse_tidy("destroy_locked", "tsan_destroy_locked.c");
    cr_assert_eq(o.found.len, 1);
    finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "mutex-misuse");
    cr_assert(str_starts(f->message, "destroy of a locked mutex"), "%s", f->message);
    expect_located(f, "tsan_destroy_locked.c",
                   fixture_line("tsan_destroy_locked.c", "destroy"), "main");
    bool lock_seen = false;
    for (size_t i = 0; i < f->stacks.len; i++)
        lock_seen |= f->stacks.items[i].frames.len &&
                     f->stacks.items[i].frames.items[0].line ==
                         fixture_line("tsan_destroy_locked.c", "lock");
    cr_assert(lock_seen, "the stack of the lock is kept");
    parse_out_free(&o);
}

/* The ERROR: SEGV block (outside the separators) is a crash with the faulting frames. */
Test(tsan, segv_crash)
{
    parse_out o = parse_fixture("segv");
    cr_assert_eq(o.found.len, 1);
    finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "crash");
    cr_assert(str_starts(f->message, "SEGV on unknown address"), "%s", f->message);
    cr_assert_eq(f->stacks.len, 1);
    cr_assert_str_eq(f->stacks.items[0].title, "Where it happened");
    cr_assert_eq(f->stacks.items[0].frames.len, 5);
    expect_frame(&f->stacks.items[0].frames.items[0], "poke", "tsan_segv.c",
                 fixture_line("tsan_segv.c", "write"));
    cr_assert_str_eq(f->stacks.items[0].frames.items[1].function, "main");
    parse_out_free(&o);
}

/* After tidying, the crash points at the NULL write and libc frames are gone. */
Test(tsan, segv_tidy_locates)
{
    parse_out o = parse_tidy("segv", "tsan_segv.c");
    finding *f = &o.found.items[0];
    expect_located(f, "tsan_segv.c", fixture_line("tsan_segv.c", "write"), "poke");
    cr_assert_eq(f->stacks.items[0].frames.len, 2);
    parse_out_free(&o);
}

/* The crash message carries no address, pid or thread id. */
Test(tsan, segv_message_stable)
{
    parse_out o = parse_fixture("segv");
    const char *m = o.found.items[0].message;
    cr_assert_not(unstable(m), "unstable message: %s", m);
    parse_out_free(&o);
}

static void expect_message(const char *name, const char *want)
{
    parse_out o = parse_fixture(name);
    cr_assert_eq(o.found.len, 1, "%s", name);
    cr_assert_str_eq(o.found.items[0].message, want, "%s", name);
    parse_out_free(&o);
}

/* Misuse, crash and leak messages read as sentences, without leftover section headers. */
Test(tsan, messages_without_header_debris)
{
    expect_message("unlock_unlocked", "unlock of an unlocked mutex (or by a wrong "
                                      "thread). Location is global 'm' of size 40.");
    expect_message("destroy_locked",
                   "destroy of a locked mutex. Location is stack of main thread.");
    expect_message("segv", "SEGV on unknown address 0x\xe2\x80\xa6");
    expect_message("thread_leak", "Thread T1 (finished) created by main thread and was "
                                  "never joined (and 2 more like it)");
}

/* Several reports in one output give several findings, in order. */
Test(tsan, multiple_reports)
{
    parse_out o = parse_tidy("multi", "tsan_multi.c");
    cr_assert_eq(o.found.len, 2);
    cr_assert_str_eq(o.found.items[0].kind, "data-race");
    cr_assert_str_eq(o.found.items[1].kind, "thread-leak");
    expect_located(&o.found.items[0], "tsan_multi.c",
                   fixture_line("tsan_multi.c", "race"), "hit");
    expect_located(&o.found.items[1], "tsan_multi.c",
                   fixture_line("tsan_multi.c", "leak"), "main");
    cr_assert(strstr(o.found.items[0].message, "'hits'"), "%s", o.found.items[0].message);
    parse_out_free(&o);
}

static char next_digit(char c)
{
    if (c == '9') return '0';
    if (c == 'f' || c == 'F') return 'a';
    return (char)(c + 1);
}

/* The same output as another run would print it: every address and every
 * number of 4+ digits (pids, tids) changed, everything else kept. */
static char *other_run(const char *s)
{
    char *t = xstrdup(s);
    for (char *p = t; *p;) {
        if (p[0] == '0' && p[1] == 'x' && isxdigit((unsigned char)p[2])) {
            for (p += 2; isxdigit((unsigned char)*p); p++) *p = next_digit(*p);
            continue;
        }
        char *q = p;
        while (isdigit((unsigned char)*q)) q++;
        if (q - p >= 4)
            for (; p < q; p++) *p = next_digit(*p);
        p = q > p ? q : p + 1;
    }
    return t;
}

static void expect_same_findings(const findings *a, const findings *b, const char *name)
{
    cr_assert_eq(a->len, b->len, "%s", name);
    for (size_t i = 0; i < a->len; i++) {
        cr_assert_str_eq(a->items[i].kind, b->items[i].kind, "%s", name);
        cr_assert_str_eq(a->items[i].message, b->items[i].message,
                         "%s: message changed between runs", name);
        cr_assert_eq(a->items[i].stacks.len, b->items[i].stacks.len, "%s", name);
        for (size_t j = 0; j < a->items[i].stacks.len; j++)
            cr_assert_str_eq(a->items[i].stacks.items[j].title,
                             b->items[i].stacks.items[j].title, "%s", name);
    }
}

/* Messages and stack titles are the same from run to run (other addresses, pids, tids).
 */
Test(tsan, messages_stable_across_runs)
{
    const char *names[] = {
        "race_global", "race_heap",       "race_rw",        "lock_order2", "lock_order3",
        "thread_leak", "unlock_unlocked", "destroy_locked", "segv",        "multi"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *rel = xasprintf("tsan/%s.txt", names[i]);
        char *text = fixture_read(rel, NULL);
        char *again = other_run(text);
        cr_assert_str_neq(text, again, "%s: nothing to change", names[i]);
        parse_out a = parse_text(text), b = parse_text(again);
        expect_same_findings(&a.found, &b.found, names[i]);
        parse_out_free(&a), parse_out_free(&b);
        free(text), free(again), free(rel);
    }
}

/* A report cut short (the program was killed) still yields its finding. */
Test(tsan, report_cut_short)
{
    char *text = fixture_read("tsan/race_global.txt", NULL);
    char *cut = strstr(text, "  Location is");
    cr_assert_not_null(cut);
    *cut = 0;
    parse_out o = parse_text(text);
    cr_assert_eq(o.found.len, 1);
    cr_assert_str_eq(o.found.items[0].kind, "data-race");
    cr_assert_eq(o.found.items[0].stacks.len, 2);
    cr_assert(strstr(o.found.items[0].message,
                     "two threads use the same memory at the same time"),
              "%s", o.found.items[0].message);
    parse_out_free(&o);
    free(text);
}

/* Text without reports gives nothing; a TSan failure marks the tool as broken. */
Test(tsan, garbage_and_tool_failure)
{
    parse_out o = parse_text("hello\n#0|not|a|frame\n\nworld");
    cr_assert_eq(o.found.len, 0);
    cr_assert_not(o.tool_failed);
    parse_out_free(&o);
    o = parse_text(
        "FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000-0x7f1000\n");
    cr_assert_eq(o.found.len, 0);
    cr_assert(o.tool_failed);
    cr_assert(strstr(sbuf_str(&o.notes), "ThreadSanitizer failed"), "%s",
              sbuf_str(&o.notes));
    parse_out_free(&o);
}

static void expect_stable(const char *in, const char *want)
{
    char *got = text_stabilize(in);
    cr_assert_str_eq(got, want);
    free(got);
}

/* text_stabilize drops "at ADDR", pid= and tid=, and masks other addresses. */
Test(tsan, text_stabilize_rules)
{
    expect_stable("Write of size 4 at 0x7b0400000000 by thread T2",
                  "Write of size 4 by thread T2");
    expect_stable("data race (pid=4432) here", "data race here");
    expect_stable("Thread T1 (tid=25819, finished) created",
                  "Thread T1 (finished) created");
    expect_stable("lock 0xdeadBEEF held", "lock 0x\xe2\x80\xa6 held");
    expect_stable("0x without digits, pid=x", "0x without digits, pid=x");
    expect_stable("format 0x1f", "format 0x\xe2\x80\xa6");
}
