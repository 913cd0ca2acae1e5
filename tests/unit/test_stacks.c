/* test_stacks.c - stacks_parse on real eu-stack -s -i output of hanging
 * programs (tests/fixtures/eustack, made by tests/fixtures/regen.sh). */
#include "fixture.h"
#include "stacks.h"
#include "symbolize.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

typedef struct parsed {
    findings fs; /* one finding holding a stack per thread */
    sbuf summary;
    int threads;
} parsed;

static parsed parse_fixture(const char *name)
{
    char *rel = xasprintf("eustack/%s.txt", name);
    char *text = fixture_read(rel, NULL);
    parsed p = {0};
    finding *f = findings_add(&p.fs, "timeout", "driver", "stuck");
    p.threads = stacks_parse(text, f, &p.summary);
    free(text);
    free(rel);
    return p;
}

static void parsed_free(parsed *p)
{
    findings_free(&p->fs);
    sbuf_free(&p->summary);
}

static const stack *thread_stack(const parsed *p, size_t i)
{
    cr_assert_lt(i, p->fs.items[0].stacks.len);
    return &p->fs.items[0].stacks.items[i];
}

/* The frame of thread i whose function is fn. */
static const frame *frame_named(const parsed *p, size_t i, const char *fn)
{
    const stack *s = thread_stack(p, i);
    for (size_t k = 0; k < s->frames.len; k++)
        if (s->frames.items[k].function && !strcmp(s->frames.items[k].function, fn))
            return &s->frames.items[k];
    cr_assert_fail("no frame %s in thread %zu", fn, i);
    return NULL;
}

/* Every TID block is a thread with its own stack. */
Test(stacks, deadlock_thread_count)
{
    parsed p = parse_fixture("deadlock");
    cr_assert_eq(p.threads, 3);
    cr_assert_eq(p.fs.items[0].stacks.len, 3);
    parsed_free(&p);
}

/* Each stack is titled with who the thread is and what it waits for. */
Test(stacks, deadlock_titles)
{
    parsed p = parse_fixture("deadlock");
    cr_assert_str_eq(thread_stack(&p, 0)->title, "main thread, waiting in pthread_join");
    cr_assert_str_eq(thread_stack(&p, 1)->title, "thread 1, waiting for a mutex");
    cr_assert_str_eq(thread_stack(&p, 2)->title, "thread 2, waiting for a mutex");
    parsed_free(&p);
}

/* Frames get the function and the source file:line printed under them. */
Test(stacks, deadlock_frames)
{
    parsed p = parse_fixture("deadlock");
    char *dir = fixture_src_dir();
    char *path = path_join(dir, "eustack_deadlock.c");
    const frame *ab = frame_named(&p, 1, "ab");
    cr_assert_str_eq(ab->file, path);
    cr_assert_eq(ab->line, fixture_line("eustack_deadlock.c", "ab-wait"));
    const frame *ba = frame_named(&p, 2, "ba");
    cr_assert_eq(ba->line, fixture_line("eustack_deadlock.c", "ba-wait"));
    const frame *main_fr = frame_named(&p, 0, "main");
    cr_assert_eq(main_fr->line, fixture_line("eustack_deadlock.c", "join"));
    cr_assert_not_null(thread_stack(&p, 0)->frames.items[0].file,
                       "libc frames keep their files too");
    cr_assert_gt(thread_stack(&p, 0)->frames.items[0].line, 0);
    const frame *start = frame_named(&p, 0, "_start");
    cr_assert_null(start->file, "a frame without a source line has no file");
    cr_assert_eq(start->line, 0);
    free(dir);
    free(path);
    parsed_free(&p);
}

/* The summary has a line per thread with where it waits in the program. */
Test(stacks, deadlock_summary)
{
    parsed p = parse_fixture("deadlock");
    char *want =
        xasprintf("\n  main thread: waiting in pthread_join at eustack_deadlock.c:%d"
                  "\n  1 thread: waiting for a mutex at eustack_deadlock.c:%d"
                  "\n  1 thread: waiting for a mutex at eustack_deadlock.c:%d",
                  fixture_line("eustack_deadlock.c", "join"),
                  fixture_line("eustack_deadlock.c", "ab-wait"),
                  fixture_line("eustack_deadlock.c", "ba-wait"));
    cr_assert_str_eq(sbuf_str(&p.summary), want);
    free(want);
    parsed_free(&p);
}

/* Cond waits vs a spinning "writer" (not a blocking write); alike threads share a line.
 */
Test(stacks, waiting_kinds_and_grouping)
{
    parsed p = parse_fixture("waiting");
    cr_assert_eq(p.threads, 4);
    cr_assert_str_eq(thread_stack(&p, 1)->title,
                     "thread 1, waiting on a condition variable");
    cr_assert_str_eq(thread_stack(&p, 2)->title,
                     "thread 2, waiting on a condition variable");
    cr_assert_str_eq(thread_stack(&p, 3)->title, "thread 3, running (not blocked)");
    char *want =
        xasprintf("\n  main thread: waiting in pthread_join at eustack_waiting.c:%d"
                  "\n  2 threads: waiting on a condition variable at eustack_waiting.c:%d"
                  "\n  1 thread: running (not blocked) at eustack_waiting.c:%d",
                  fixture_line("eustack_waiting.c", "join"),
                  fixture_line("eustack_waiting.c", "wait"),
                  fixture_line("eustack_waiting.c", "spin"));
    cr_assert_str_eq(sbuf_str(&p.summary), want);
    free(want);
    parsed_free(&p);
}

/* glibc's internal names (__GI___nanosleep, __GI___libc_read, __new_sem_wait_slow64) are
 * recognised. */
Test(stacks, blocked_in_system_calls)
{
    parsed p = parse_fixture("blocked");
    cr_assert_eq(p.threads, 4);
    cr_assert_str_eq(thread_stack(&p, 1)->title, "thread 1, sleeping");
    cr_assert_str_eq(thread_stack(&p, 2)->title, "thread 2, blocked reading");
    cr_assert_str_eq(thread_stack(&p, 3)->title, "thread 3, waiting on a semaphore");
    char *sem = xasprintf("\n  1 thread: waiting on a semaphore at eustack_blocked.c:%d",
                          fixture_line("eustack_blocked.c", "sem"));
    cr_assert(strstr(sbuf_str(&p.summary), sem), "%s", sbuf_str(&p.summary));
    free(sem);
    parsed_free(&p);
}

/* Tidied like any finding, the stuck program points at the student's line. */
Test(stacks, tidy_locates_in_student_file)
{
    parsed p = parse_fixture("deadlock");
    char *dir = fixture_src_dir();
    stacks_tidy(&p.fs, dir, "eustack_deadlock.c");
    const finding *f = &p.fs.items[0];
    cr_assert_str_eq(f->file, "eustack_deadlock.c");
    cr_assert_eq(f->line, fixture_line("eustack_deadlock.c", "join"));
    cr_assert_str_eq(f->function, "main");
    cr_assert_eq(thread_stack(&p, 1)->frames.len, 1, "only the program's frames remain");
    free(dir);
    parsed_free(&p);
}

/* No TID lines (eu-stack failed) means no threads and no summary. */
Test(stacks, no_threads)
{
    finding f = {0};
    sbuf summary = {0};
    cr_assert_eq(
        stacks_parse("eu-stack: dwfl_linux_proc_attach pid 7: Operation not permitted\n",
                     &f, &summary),
        0);
    cr_assert_eq(f.stacks.len, 0);
    cr_assert_eq(summary.len, 0);
    finding_free(&f);
}
