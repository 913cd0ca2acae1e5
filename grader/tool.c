/* tool.c - see tool.h: the table of tools and the detectors of a scan. */
#include "tool.h"
#include "symbolize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSAN_RSS_MB        4096 /* TSan cannot run under RLIMIT_AS: its own RSS limit */
#define NATIVE_MEMORY_MB   4096 /* address space of a native (and stress) run */
#define VALGRIND_MEMORY_MB 16384
#define ASAN_RSS_MB        4096 /* nor can ASan: its own RSS limit too */

/* --- how each tool runs ------------------------------------------------------------- */

static void tsan_options(const tool_run_ctx *c, strv *env)
{
    char *sym = which("llvm-symbolizer");
    strv_addf(env,
              "TSAN_OPTIONS=halt_on_error=0 exitcode=66 log_path=%s/tsan "
              "second_deadlock_stack=1 "
              "history_size=3 atexit_sleep_ms=0 color=never report_signal_unsafe=1 "
              "hard_rss_limit_mb=%d "
              "stack_trace_format=\"    #%%n|%%f|%%s|%%l|%%c|%%m|%%o\" "
              "strip_path_prefix=%s/%s%s",
              c->dir, TSAN_RSS_MB, c->build_dir, sym ? " external_symbolizer_path=" : "",
              sym ? sym : "");
    free(sym);
}

static int helgrind_wrap(const tool_run_ctx *c, strv *argv)
{
    char *vg = which("valgrind");
    if (!vg) return -1;
    strv_add(argv, vg);
    free(vg);
    strv_add(argv, "--tool=helgrind");
    strv_add(argv, "--xml=yes");
    strv_addf(argv, "--xml-file=%s/hg.%%p.xml", c->dir);
    strv_add(argv, "-q");
    strv_add(argv, "--num-callers=30");
    strv_add(argv, "--error-limit=no");
    strv_add(argv, "--history-level=full");
    strv_add(argv, "--fair-sched=try");
    strv_add(argv, "--vgdb=no");
    return 0;
}

/* ASan and UBSan: the first error ends the process (one report, always the
 * same one), in a log of the run's directory; no leak check (not this
 * course's subject, and LeakSanitizer needs ptrace); frames in the grader's
 * format. The driver holds each new thread until its creator moved on, so a
 * frame that returned is always gone when a thread uses it. */
static void asan_options(const tool_run_ctx *c, strv *env)
{
    char *sym = which("llvm-symbolizer");
    char *common = xasprintf("halt_on_error=1 exitcode=66 log_path=%s/asan color=never "
                             "stack_trace_format=\"    #%%n|%%f|%%s|%%l|%%c|%%m|%%o\" "
                             "strip_path_prefix=%s/%s%s",
                             c->dir, c->build_dir,
                             sym ? " external_symbolizer_path=" : "", sym ? sym : "");
    strv_addf(env,
              "ASAN_OPTIONS=%s detect_stack_use_after_return=1 detect_leaks=0 "
              "hard_rss_limit_mb=%d "
              "allocator_may_return_null=1",
              common, ASAN_RSS_MB);
    strv_addf(env, "UBSAN_OPTIONS=%s print_stacktrace=1", common);
    strv_add(env, "GRADER_HOLD_THREADS=1");
    free(common);
    free(sym);
}

/* --- the table ---------------------------------------------------------------------- */

static const tool_info tools[TOOL_COUNT] = {
    [TOOL_NATIVE] =
        {
            .name = "native",
            .title = "the native build",
            .cc = "gcc",
            .cflags = "-g -O1 -fno-omit-frame-pointer -fdiagnostics-plain-output",
            .support = "driver-native.a",
            .ldflags = "",
            .runtime = "",
            .warnings = true,
            .checks_object = true,
            .slowdown = 1,
            .memory_mb = NATIVE_MEMORY_MB,
            .programs = "",
            .timeout_stacks = true,
            .crash_by = "sandbox",
            .symbolize = symbolize_findings,
        },
    [TOOL_TSAN] =
        {
            .name = "tsan",
            .title = "ThreadSanitizer",
            .cc = "clang",
            .cflags =
                "-g -O1 -fno-omit-frame-pointer -fsanitize=thread -fno-caret-diagnostics "
                "-fno-color-diagnostics",
            .support = "driver-tsan.a",
            .ldflags = "-fsanitize=thread",
            .runtime = "",
            .slowdown = 2,
            .memory_mb = 0,
            .programs = "llvm-symbolizer",
            .options = tsan_options,
            .report_status = 66,
            .timeout_stacks = true,
            .crash_by = "sandbox",
            .log_prefix = "tsan.",
            .parse = tsan_parse,
            .symbolize = symbolize_findings,
            .frameless_crash_is_tool = true,
        },
    [TOOL_HELGRIND] =
        {
            .name = "helgrind",
            .title = "Helgrind",
            /* atomics become calls into hgatomic.o, which tells Helgrind about
             * the happens-before edges they create */
            .cc = "clang",
            .cflags = "-gdwarf-4 -O1 -fno-omit-frame-pointer -fsanitize=thread -mllvm "
                      "-tsan-instrument-memory-accesses=0 -mllvm "
                      "-tsan-instrument-func-entry-exit=0 "
                      "-mllvm -tsan-instrument-memintrinsics=0 -fno-caret-diagnostics "
                      "-fno-color-diagnostics",
            .support = "driver-helgrind.a",
            .ldflags = "",
            .runtime = "hgatomic.o",
            .slowdown = 4,
            .memory_mb = VALGRIND_MEMORY_MB,
            .programs = "valgrind",
            .wrap = helgrind_wrap,
            .crash_by = "helgrind",
            .log_prefix = "hg.",
            .parse = helgrind_parse,
            .symbolize = symbolize_findings,
        },
    [TOOL_ASAN] =
        {
            .name = "asan",
            .title = "AddressSanitizer",
            .cc = "clang",
            .cflags = "-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined "
                      "-fno-caret-diagnostics -fno-color-diagnostics",
            .support = "driver-native.a",
            .ldflags = "-fsanitize=address,undefined",
            .runtime = "",
            .slowdown = 2,
            .memory_mb = 0,
            .programs = "llvm-symbolizer",
            .options = asan_options,
            .report_status = 66,
            .timeout_stacks = true,
            .crash_by = "sandbox",
            .log_prefix = "asan.",
            .parse = asan_parse,
            .symbolize = symbolize_findings,
        },
};

const tool_info *tool_get(tool_id t)
{
    return &tools[t];
}

const char *tool_name(tool_id t)
{
    return tools[t].name;
}

int tool_parse(const char *s)
{
    for (int i = 0; i < TOOL_COUNT; i++)
        if (s && !strcmp(s, tools[i].name)) return i;
    return -1;
}

const char *tool_names_text(void)
{
    static char text[256];
    if (text[0]) return text;
    size_t k = 0;
    for (int i = 0; i < TOOL_COUNT; i++) {
        const char *sep = i == 0 ? "" : i + 1 == TOOL_COUNT ? " or " : ", ";
        k += (size_t)snprintf(text + k, sizeof text - k, "%s\"%s\"", sep, tools[i].name);
        if (k >= sizeof text) break;
    }
    return text;
}

int tool_slowdown(tool_id t)
{
    return tools[t].slowdown;
}

/* --- the detectors of a scan ----------------------------------------------------------
 */

static const tool_detector detectors[DET_COUNT] = {
    [DET_TSAN] = {"tsan", TOOL_TSAN, NULL},
    [DET_HELGRIND] = {"helgrind", TOOL_HELGRIND, NULL},
    [DET_ASAN] = {"asan", TOOL_ASAN, NULL},
    [DET_PCT] = {"pct", TOOL_NATIVE, "pct"},
    [DET_RANDOM] = {"random", TOOL_NATIVE, "random"},
    [DET_NATIVE] = {"native", TOOL_NATIVE, NULL},
};

const tool_detector *tool_detector_get(scan_detector d)
{
    return &detectors[d];
}
