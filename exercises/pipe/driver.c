/* driver.c - scenarios of the `pipe` exercise.
 * The filters below run in the student's child process; they read and write
 * through drv_read / drv_write_all so the watchdog knows where the child is
 * when nothing moves (and names the pipe ends still open). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader_driver.h"
#include "grader_proc.h"
#include "pipe.h"

#define CHUNK 65536

static long param; /* the filter's parameter (a factor, a count) */
static int *returned; /* shared: pipe_filter has returned in the parent */

/* --- the child's end, in a certain order ---------------------------------------- */

/* Ends the filter's output, then holds the child until its parent's next
 * step is certain: a blocking waitpid, or pipe_filter returned (bounded by
 * the patience). The parent therefore always sees the end of the output
 * while the child is still running: one that collects the status without
 * waiting (WNOHANG) finds no status and leaves a zombie every time, never
 * by luck. */
static void end_late(int out)
{
    close(out);
    pid_t parent = getppid();
    long limit = drv_patience_ms(3000);
    for (long t = 0; t < limit; t++) {
        if ((returned && __atomic_load_n(returned, __ATOMIC_ACQUIRE)) || drv_proc_in_wait(parent, NULL)) return;
        usleep(1000);
    }
}

/* --- filters (run in the child) ------------------------------------------------ */

/* Each byte XOR 0x5A, as it comes. */
static void filter_xor(int in, int out)
{
    static unsigned char b[CHUNK];
    ssize_t r;
    while ((r = drv_read(in, b, sizeof b)) > 0) {
        for (ssize_t i = 0; i < r; i++) b[i] ^= 0x5A;
        if (drv_write_all(out, b, (size_t)r) < 0) _exit(2);
    }
    end_late(out);
}

/* Each byte `param` times: the output is larger than the input. */
static void filter_expand(int in, int out)
{
    static unsigned char b[CHUNK], o[CHUNK];
    ssize_t r;
    while ((r = drv_read(in, b, 1024)) > 0)
        for (ssize_t i = 0; i < r; i++) {
            memset(o, b[i], (size_t)param);
            if (drv_write_all(out, o, (size_t)param) < 0) _exit(2);
        }
    end_late(out);
}

/* Reads everything, then writes how many bytes and their sum: nothing comes
 * out before end-of-file. */
static void filter_sum(int in, int out)
{
    static unsigned char b[CHUNK];
    uint64_t res[2] = {0, 0};
    ssize_t r;
    while ((r = drv_read(in, b, sizeof b)) > 0) {
        res[0] += (uint64_t)r;
        for (ssize_t i = 0; i < r; i++) res[1] = res[1] * 31 + b[i];
    }
    if (drv_write_all(out, res, sizeof res) < 0) _exit(2);
    end_late(out);
}

/* Ignores its input (reads to the end), answers "hello\n". */
static void filter_hello(int in, int out)
{
    static unsigned char b[CHUNK];
    while (drv_read(in, b, sizeof b) > 0) {}
    if (drv_write_all(out, "hello\n", 6) < 0) _exit(2);
    end_late(out);
}

/* Reads `param` bytes, echoes them and stops reading: closes its input and
 * ends (status 0) while the parent still has input to give. */
static void filter_head(int in, int out)
{
    static unsigned char b[CHUNK];
    size_t got = 0;
    ssize_t r;
    while (got < (size_t)param && (r = drv_read(in, b + got, (size_t)param - got)) > 0) got += (size_t)r;
    close(in);
    if (drv_write_all(out, b, got) < 0) _exit(2);
    end_late(out);
}

/* Reads `param` bytes, stops reading, writes a little, then is killed by
 * SIGSEGV. */
static void filter_crash(int in, int out)
{
    static unsigned char b[CHUNK];
    size_t got = 0;
    ssize_t r;
    while (got < (size_t)param && (r = drv_read(in, b + got, (size_t)param - got)) > 0) got += (size_t)r;
    close(in);
    drv_write_all(out, "partial", 7);
    end_late(out);
    drv_die(SIGSEGV);
}

/* Reads everything, writes a little, exits with status 3. */
static void filter_fail(int in, int out)
{
    filter_hello(in, out); /* ends late */
    _exit(3);
}

/* --- expected outputs ---------------------------------------------------------------- */

typedef struct filter {
    const char *name;
    filter_fn fn;
    const char *about;
} filter;

static const filter filters[] = {
    {"xor", filter_xor, "XORs every byte as it reads"},
    {"expand", filter_expand, "writes every byte N times"},
    {"sum", filter_sum, "reads to end-of-file, then writes a count and a checksum"},
    {"hello", filter_hello, "reads to end-of-file, writes \"hello\\n\""},
    {"head", filter_head, "reads N bytes, echoes them and stops reading"},
    {"crash", filter_crash, "reads N bytes and is killed by SIGSEGV"},
    {"fail", filter_fail, "reads everything and exits with status 3"},
    {NULL, NULL, NULL},
};

static const filter *filter_find(const char *name)
{
    for (const filter *f = filters; f->name; f++)
        if (!strcmp(f->name, name)) return f;
    return NULL;
}

/* What `name` turns in[0..len) into; *n gets its length. Caller frees. */
static unsigned char *expected(const char *name, const unsigned char *in, size_t len, size_t *n)
{
    size_t f = !strcmp(name, "expand") ? (size_t)param : 1;
    unsigned char *o = malloc(len * f + 32);
    if (!o) abort();
    *n = 0;
    if (!strcmp(name, "xor"))
        for (size_t i = 0; i < len; i++) o[(*n)++] = in[i] ^ 0x5A;
    else if (!strcmp(name, "expand"))
        for (size_t i = 0; i < len; i++) memset(o + *n, in[i], f), *n += f;
    else if (!strcmp(name, "sum")) {
        uint64_t res[2] = {len, 0};
        for (size_t i = 0; i < len; i++) res[1] = res[1] * 31 + in[i];
        memcpy(o, res, sizeof res), *n = sizeof res;
    } else if (!strcmp(name, "hello"))
        memcpy(o, "hello\n", 6), *n = 6;
    else if (!strcmp(name, "head"))
        *n = len < (size_t)param ? len : (size_t)param, memcpy(o, in, *n);
    return o;
}

/* len bytes of input: readable text, or binary with many NUL bytes. */
static unsigned char *make_input(size_t len, bool binary)
{
    unsigned char *b = malloc(len + 1);
    if (!b) abort();
    b[len] = 0;
    uint32_t x = 12345;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        unsigned v = (x >> 16) & 0xFF;
        b[i] = binary ? (i % 3 == 1 ? 0 : (unsigned char)v) : (unsigned char)(i % 61 == 60 ? '\n' : 'a' + v % 26);
    }
    return b;
}

/* --- checking ---------------------------------------------------------------------- */

static ssize_t call(const filter *f, const void *in, size_t len, void **out)
{
    *out = (void *)1; /* must become NULL or a buffer */
    if (!returned) returned = drv_shared_new(sizeof *returned);
    if (returned) __atomic_store_n(returned, 0, __ATOMIC_RELEASE);
    drv_watch_start();
    ssize_t r = pipe_filter(f->fn, in, len, out);
    if (returned) __atomic_store_n(returned, 1, __ATOMIC_RELEASE);
    drv_watch_stop();
    drv_out("rc", "%zd", r);
    return r;
}

/* Compares the output with what the filter should have produced. */
static void check_output(const char *name, const unsigned char *in, size_t len, ssize_t r, const unsigned char *out)
{
    size_t n;
    unsigned char *want = expected(name, in, len, &n);
    if (r < 0) {
        drv_finding("wrong-result",
                    "pipe_filter returned %zd for %zu bytes of input through the `%s` filter, which "
                    "ended normally; expected %zu bytes of output",
                    r, len, name, n);
        free(want);
        return;
    }
    size_t got = (size_t)r, same = 0;
    while (same < got && same < n && out[same] == want[same]) same++;
    const char *nul = got < n && memchr(in, 0, len)
                          ? DRV_MSG(": the input holds NUL bytes, so count it with len and copy it with "
                                    "memcpy, never with strlen or strcpy")
                          : "";
    if (same < n && same < got)
        drv_finding("wrong-result",
                    "the `%s` filter's output is %zu bytes; pipe_filter returned %zu byte%s that "
                    "differ%s from it at byte %zu%s",
                    name, n, got, got == 1 ? "" : "s", got == 1 ? "s" : "", same, nul);
    else if (got > n)
        drv_finding("wrong-result", "the `%s` filter's output is %zu bytes; pipe_filter returned %zu bytes, %zu more",
                    name, n, got, got - n);
    else if (got != n)
        drv_finding("wrong-result",
                    "the `%s` filter's output is %zu bytes; pipe_filter returned %zu byte%s (%s "
                    "right)%s",
                    name, n, got, got == 1 ? "" : "s", got == 1 ? "that one is" : "those are", nul);
    free(want);
}

/* filter NAME KIND LEN [PARAM]: LEN bytes of KIND (text or binary) through
 * the filter; the output must be exact. */
static int scenario_filter(int argc, char **argv)
{
    const filter *f = argc > 1 ? filter_find(argv[1]) : NULL;
    if (!f) return 64;
    bool binary = argc > 2 && !strcmp(argv[2], "binary");
    size_t len = (size_t)drv_arg(argc, argv, 3, 1000);
    param = drv_arg(argc, argv, 4, 1000);
    unsigned char *in = make_input(len, binary);
    void *out;
    ssize_t r = call(f, in, len, &out);
    check_output(f->name, in, len, r, out);
    if (r >= 0 && !out) drv_finding("wrong-result", "pipe_filter returned %zd but left *output NULL", r);
    if (r >= 0) free(out);
    drv_procs_coverage();
    free(in);
    return 0;
}

/* fails NAME LEN [PARAM]: the child crashes or exits non-zero: pipe_filter
 * returns -1 with *output NULL, promptly, the parent survives SIGPIPE, and
 * no child or descriptor is left behind. */
static int scenario_fails(int argc, char **argv)
{
    const filter *f = argc > 1 ? filter_find(argv[1]) : NULL;
    if (!f) return 64;
    size_t len = (size_t)drv_arg(argc, argv, 2, 1000);
    param = drv_arg(argc, argv, 3, 1000);
    unsigned char *in = make_input(len, true);
    drv_fds *before = drv_fds_snapshot();
    void *out;
    ssize_t r = call(f, in, len, &out);
    const char *how = strcmp(f->name, "crash") ? DRV_MSG("exited with status 3") : DRV_MSG("was killed by SIGSEGV");
    if (r != -1)
        drv_finding("wrong-result", "the child %s, but pipe_filter returned %zd instead of -1", how, r);
    else if (out)
        drv_finding("wrong-result", "pipe_filter returned -1 but *output is not NULL");
    drv_procs_check_reaped("after the child failed");
    drv_fds_check(before, "after the child failed");
    drv_fds_free(before);
    free(in);
    return 0;
}

/* stops LEN K: the child reads K bytes, answers and ends without reading
 * the rest: pipe_filter returns the K bytes; the parent must not die of
 * SIGPIPE while writing the rest. */
static int scenario_stops(int argc, char **argv)
{
    size_t len = (size_t)drv_arg(argc, argv, 1, 1 << 20);
    param = drv_arg(argc, argv, 2, 1000);
    unsigned char *in = make_input(len, true);
    void *out;
    const filter *f = filter_find("head");
    ssize_t r = call(f, in, len, &out);
    check_output("head", in, len, r, out);
    if (r >= 0) free(out);
    free(in);
    return 0;
}

/* clean LEN: after pipe_filter returns, no child is left and every
 * descriptor it opened is closed. */
static int scenario_clean(int argc, char **argv)
{
    size_t len = (size_t)drv_arg(argc, argv, 1, 1000);
    unsigned char *in = make_input(len, false);
    drv_fds *before = drv_fds_snapshot();
    void *out;
    ssize_t r = call(filter_find("xor"), in, len, &out);
    drv_procs_check_reaped("when pipe_filter returned");
    drv_fds_check(before, "when pipe_filter returned");
    drv_fds_free(before);
    if (r >= 0) free(out);
    free(in);
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"filter", scenario_filter, "NAME text|binary LEN [PARAM]: exact output"},
        {"fails", scenario_fails, "crash|fail LEN [PARAM]: the child fails"},
        {"stops", scenario_stops, "LEN K: the child stops reading after K bytes"},
        {"clean", scenario_clean, "LEN: no child, no descriptor left"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
