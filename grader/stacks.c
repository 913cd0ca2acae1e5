/* stacks.c - see stacks.h. */
#include "stacks.h"
#include "i18n.h"
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a thread blocked in a frame's function is doing. */
static const struct {
    const char *fn;
    const char *doing;
} blocking[] = {
    {"pthread_mutex_lock", N_("waiting for a mutex")},
    {"pthread_mutex_timedlock", N_("waiting for a mutex")},
    {"__lll_lock_wait", N_("waiting for a mutex")},
    {"pthread_cond_wait", N_("waiting on a condition variable")},
    {"pthread_cond_timedwait", N_("waiting on a condition variable")},
    {"pthread_cond_clockwait", N_("waiting on a condition variable")},
    {"pthread_join", N_("waiting in pthread_join")},
    {"pthread_clockjoin", N_("waiting in pthread_join")},
    {"pthread_rwlock_", N_("waiting for a read-write lock")},
    {"pthread_barrier_wait", N_("waiting at a barrier")},
    {"sem_wait", N_("waiting on a semaphore")},
    {"sem_timedwait", N_("waiting on a semaphore")},
    {"sem_clockwait", N_("waiting on a semaphore")},
    {"__new_sem_wait", N_("waiting on a semaphore")},
    {"waitpid", N_("waiting for a child process")},
    {"wait4", N_("waiting for a child process")},
    {"__libc_wait", N_("waiting for a child process")},
    {"__libc_read", N_("blocked reading")},
    {"__libc_write", N_("blocked writing")},
    {"read", N_("blocked reading")},
    {"write", N_("blocked writing")},
    {"libc_recv", N_("blocked reading")},
    {"recv", N_("blocked reading")},
    {"libc_send", N_("blocked writing")},
    {"send", N_("blocked writing")},
    {"poll", N_("waiting in poll")},
    {"epoll_wait", N_("waiting in epoll_wait")},
    {"select", N_("waiting in select")},
    {"accept", N_("waiting in accept")},
    {"connect", N_("waiting in connect")},
    {"nanosleep", N_("sleeping")},
    {"clock_nanosleep", N_("sleeping")},
    {"sleep", N_("sleeping")},
    {"usleep", N_("sleeping")},
    {"pause", N_("paused")},
};

static const char *doing_of(const char *fn)
{
    if (!fn) return NULL;
    /* "__pthread_mutex_lock@GLIBC_2.2.5", "___pthread_cond_wait", "__GI___libc_read" */
    while (*fn == '_') fn++;
    if (str_starts(fn, "GI_")) fn += 3;
    while (*fn == '_') fn++;
    for (size_t i = 0; i < ARRAY_LEN(blocking); i++) {
        const char *b = blocking[i].fn;
        while (*b == '_') b++;
        if (str_starts(fn, b)) return blocking[i].doing;
    }
    return NULL;
}

typedef struct thread_view {
    stack *st;
    bool main;
} thread_view;

/* A frame in a program file (an absolute path outside the system). */
static bool in_program(const frame *f)
{
    return f->file && f->file[0] == '/' && !str_starts(f->file, "/usr/") && f->line > 0;
}

/* The first frame of a thread that is in a program file, e.g. "threads.c:9". */
static const frame *frame_mine(const stack *st)
{
    for (size_t i = 0; i < st->frames.len; i++)
        if (in_program(&st->frames.items[i])) return &st->frames.items[i];
    return NULL;
}

/* The innermost blocking call outside the program (a student's function
 * named "writer" is not write()), or NULL. */
static const char *doing_of_stack(const stack *st)
{
    for (size_t i = 0; i < st->frames.len; i++) {
        const char *d = in_program(&st->frames.items[i])
                            ? NULL
                            : doing_of(st->frames.items[i].function);
        if (d) return d;
    }
    return NULL;
}

/* Titles each thread's stack; returns its summary line (caller frees). */
static char *summarize(thread_view *tv, int index)
{
    char who[32];
    if (tv->main)
        snprintf(who, sizeof who, "%s", _("main thread"));
    else
        snprintf(who, sizeof who, _("thread %d"), index);
    const char *doing = doing_of_stack(tv->st);
    doing = doing ? _(doing) : _("running (not blocked)");
    free(tv->st->title);
    tv->st->title = xasprintf("%s, %s", who, doing);
    const frame *f = frame_mine(tv->st);
    if (f) return xasprintf(_("%s at %s:%d"), doing, path_base(f->file), f->line);
    return xstrdup(doing);
}

/* Appends "main thread: ...", then "N threads: ..." for threads doing the
 * same thing at the same line. */
static void summary_add(sbuf *summary, char **lines, const bool *is_main, int n)
{
    bool *used = xmalloc((size_t)n + 1);
    for (int i = 0; i < n; i++) {
        if (used[i]) continue;
        int same = 1;
        for (int j = i + 1; j < n; j++)
            if (!used[j] && !is_main[j] && !is_main[i] && !strcmp(lines[i], lines[j]))
                used[j] = true, same++;
        if (is_main[i])
            sbuf_printf(summary, _("\n  main thread: %s"), lines[i]);
        else
            sbuf_printf(
                summary,
                ngettext("\n  %d thread: %s", "\n  %d threads: %s", (unsigned long)same),
                same, lines[i]);
    }
    free(used);
}

int stacks_parse(const char *text, finding *f, sbuf *summary)
{
    char *copy = xstrdup(text), *save = NULL;
    int threads = 0, pid = 0;
    thread_view tv = {0};
    frame *pending = NULL;
    char **lines = NULL;
    bool *is_main = NULL;
    for (char *l = strtok_r(copy, "\n", &save);; l = strtok_r(NULL, "\n", &save)) {
        int tid;
        bool next_thread = !l || sscanf(l, "TID %d:", &tid) == 1;
        if (next_thread && tv.st) {
            lines = xrealloc(lines, sizeof *lines * (size_t)threads);
            is_main = xrealloc(is_main, sizeof *is_main * (size_t)threads);
            lines[threads - 1] = summarize(&tv, threads - 1);
            is_main[threads - 1] = tv.main;
        }
        if (!l) break;
        if (sscanf(l, "PID %d", &pid) == 1) continue;
        if (next_thread) {
            memset(&tv, 0, sizeof tv);
            tv.st = finding_add_stack(f, NULL);
            tv.main = tid == pid;
            threads++;
            pending = NULL;
            continue;
        }
        if (!tv.st) continue;
        if (l[0] == '#') {
            /* "#0  0x00007f188587d12b __GI___lll_lock_wait" */
            char *fn = strchr(l, ' ');
            while (fn && *fn == ' ') fn++;
            fn = fn ? strchr(fn, ' ') : NULL;
            while (fn && *fn == ' ') fn++;
            stack_add_frame(tv.st, fn && *fn ? fn : NULL, NULL, 0);
            pending = &tv.st->frames.items[tv.st->frames.len - 1];
        } else if (pending && (l[0] == ' ' || l[0] == '\t')) {
            /* "    /tmp/exp/dl.c:6:141" */
            char *s = str_trim(l);
            char *c1 = strchr(s, ':');
            if (c1) {
                pending->file = xstrndup(s, (size_t)(c1 - s));
                pending->line = atoi(c1 + 1);
            }
            pending = NULL;
        }
    }
    summary_add(summary, lines, is_main, threads);
    for (int i = 0; i < threads; i++) free(lines[i]);
    free(lines);
    free(is_main);
    free(copy);
    return threads;
}

int stacks_capture(const pid_t *pids, size_t n, finding *f, sbuf *summary)
{
    int total = 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        char pid[32];
        snprintf(pid, sizeof pid, "%d", (int)pids[i]);
        char *argv[] = {"eu-stack", "-s", "-i", "-p", pid, NULL};
        sbuf out = {0};
        proc_tool(argv, NULL, 5000, &out);
        if (n > 1) sbuf_printf(summary, "\n  process %zu:", i + 1);
        total += stacks_parse(sbuf_str(&out), f, summary);
        sbuf_free(&out);
    }
    return total;
}
