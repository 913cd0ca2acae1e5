/* test_tool.c - the tool table and the detectors of a scan: every row is
 * complete and consistent, so that a new row cannot half-work. */
#include "helper.h"
#include "tool.h"

#include <criterion/criterion.h>
#include <string.h>

/* Names parse back to their tool; the message lists every name. */
Test(tool, names_round_trip)
{
    for (int t = 0; t < TOOL_COUNT; t++) {
        cr_assert_eq(tool_parse(tool_name((tool_id)t)), t);
        char *quoted = xasprintf("\"%s\"", tool_name((tool_id)t));
        cr_assert_not_null(strstr(tool_names_text(), quoted), "%s misses %s",
                           tool_names_text(), quoted);
        free(quoted);
    }
    cr_assert_eq(tool_parse("TSAN"), -1);
    cr_assert_eq(tool_parse(""), -1);
}

/* Every row says how to build, run, read and symbolize. */
Test(tool, rows_complete)
{
    int warnings = 0;
    for (int t = 0; t < TOOL_COUNT; t++) {
        const tool_info *ti = tool_get((tool_id)t);
        cr_assert(ti->name && ti->title && ti->cc && ti->cflags && ti->support &&
                      ti->ldflags && ti->runtime,
                  "%s: a build field is missing", ti->name);
        cr_assert(ti->programs && ti->crash_by && ti->symbolize,
                  "%s: a run field is missing", ti->name);
        cr_assert_geq(ti->slowdown, 1, "%s", ti->name);
        cr_assert_eq(tool_slowdown((tool_id)t), ti->slowdown);
        cr_assert_eq(!ti->log_prefix, !ti->parse,
                     "%s: files to read need a parser and back", ti->name);
        warnings += ti->warnings;
    }
    cr_assert_eq(warnings, 1, "exactly one build shows the student its warnings");
}

/* A sanitizer reserves terabytes of shadow: its runs get no address-space
 * limit (tooling.md: RLIMIT_AS aborts TSan and ASan at startup). */
Test(tool, sanitizers_have_no_address_limit)
{
    for (int t = 0; t < TOOL_COUNT; t++) {
        const tool_info *ti = tool_get((tool_id)t);
        bool sanitizer = strstr(ti->ldflags, "-fsanitize=") != NULL;
        if (sanitizer)
            cr_assert_eq(ti->memory_mb, 0, "%s runs under RLIMIT_AS", ti->name);
        else
            cr_assert_gt(ti->memory_mb, 0, "%s runs without a memory limit", ti->name);
    }
}

/* A tool with options writes its logs where its parser looks: the run's
 * directory, under its prefix (the runtime adds .PID and a suffix). */
Test(tool, options_name_the_run_directory)
{
    tool_run_ctx c = {.dir = "/RUN/DIR", .build_dir = "/grader-build"};
    for (int t = 0; t < TOOL_COUNT; t++) {
        const tool_info *ti = tool_get((tool_id)t);
        strv words = {0};
        if (ti->options) ti->options(&c, &words);
        if (ti->wrap && ti->wrap(&c, &words) < 0)
            continue; /* its wrapper is not installed */
        if (!ti->log_prefix) continue;
        /* log_path=DIR/tsan writes DIR/tsan.PID */
        char *where =
            xasprintf("/RUN/DIR/%.*s", (int)strcspn(ti->log_prefix, "."), ti->log_prefix);
        bool named = false;
        for (size_t i = 0; i < words.len; i++)
            named |= strstr(words.items[i], where) != NULL;
        cr_assert(named, "%s: no option names %s", ti->name, where);
        free(where);
        strv_clear(&words);
    }
}

/* Detectors: distinct names, a valid tool each, every tool scanned once,
 * stress modes only over the native build. */
Test(tool, detectors)
{
    int single[TOOL_COUNT] = {0};
    for (int d = 0; d < DET_COUNT; d++) {
        const tool_detector *det = tool_detector_get((scan_detector)d);
        cr_assert(det->tool >= 0 && det->tool < TOOL_COUNT);
        for (int e = 0; e < d; e++)
            cr_assert_str_neq(det->name, tool_detector_get((scan_detector)e)->name);
        if (det->stress)
            cr_assert_eq(det->tool, TOOL_NATIVE, "%s", det->name);
        else {
            single[det->tool]++;
            cr_assert_str_eq(det->name, tool_name(det->tool));
        }
    }
    for (int t = 0; t < TOOL_COUNT; t++)
        cr_assert_eq(single[t], 1, "%s is scanned %d times", tool_name((tool_id)t),
                     single[t]);
    cr_assert_str_eq(tool_detector_get(DET_PCT)->stress, "pct");
    cr_assert_str_eq(tool_detector_get(DET_RANDOM)->stress, "random");
}

/* Helpers: distinct names, a binary and a variable each; the one exercises
 * use is there. */
Test(tool, helpers_table)
{
    size_t n = 0;
    const helper_info *all = helper_all(&n);
    cr_assert_geq(n, 1);
    for (size_t i = 0; i < n; i++) {
        cr_assert(all[i].name && all[i].binary && all[i].about,
                  "helper %zu is incomplete", i);
        cr_assert(str_starts(all[i].env, "GRADER_"),
                  "%s: its variable %s is not the grader's", all[i].name, all[i].env);
        cr_assert_eq(helper_lookup(all[i].name), &all[i]);
        for (size_t k = 0; k < i; k++) cr_assert_str_neq(all[i].name, all[k].name);
    }
    cr_assert_str_eq(helper_lookup("httpd")->env, "GRADER_HTTPD");
    cr_assert_null(helper_lookup("ftpd"));
    cr_assert_null(helper_lookup(NULL));
}
