/* report_scan.c - a scan's report: text for people, and JSON.
 *
 * Each merged finding is shown the way `grade` shows one (report.c), its
 * tool replaced by the detectors that saw it and in how many of their runs;
 * a finding of a stress schedule adds the seeds, the command that repeats
 * that schedule, and the schedule's last events. */
#include "scan.h"
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends a as one shell word. */
static void shell_word(sbuf *b, const char *a)
{
    static const char plain[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:+@%";
    if (*a && strspn(a, plain) == strlen(a)) {
        sbuf_puts(b, a);
        return;
    }
    sbuf_putc(b, '\'');
    for (; *a; a++) {
        if (*a == '\'')
            sbuf_puts(b, "'\\''");
        else
            sbuf_putc(b, *a);
    }
    sbuf_putc(b, '\'');
}

/* The run of detector d with that seed, or NULL. */
static const scan_run *run_find(const scan_report *r, scan_detector d, uint64_t seed)
{
    for (size_t i = 0; i < r->runs.len; i++)
        if (r->runs.items[i].det == d && r->runs.items[i].seed == seed)
            return &r->runs.items[i];
    return NULL;
}

/* The first stress run among the seeds of p. */
static const scan_run *first_schedule(const scan_report *r, const scan_finding *p)
{
    for (size_t i = 0; i < p->nseeds; i++)
        for (int d = DET_PCT; d <= DET_RANDOM; d++) {
            const scan_run *run = run_find(r, (scan_detector)d, p->seeds[i]);
            if (run) return run;
        }
    return NULL;
}

/* "tsan 1/1, pct 3/10": who saw p, in how many of their runs. */
static void seen_words(const scan_report *r, const scan_finding *p, sbuf *b)
{
    for (int d = 0; d < DET_COUNT; d++) {
        if (!p->seen[d]) continue;
        if (b->len) sbuf_puts(b, ", ");
        sbuf_printf(b, "%s %d/%d", scan_detector_name((scan_detector)d), p->seen[d],
                    scan_runs_of(r, (scan_detector)d, NULL));
        if (p->hung[d] == p->seen[d] && strcmp(p->f.kind, "timeout"))
            sbuf_puts(b, " did not end");
    }
}

/* The command that repeats one schedule of the scan. */
static void replay_command(const scan_report *r, const scan_run *run, sbuf *b)
{
    sbuf_puts(b, "grader scan");
    for (size_t i = 0; i < r->nfiles; i++) sbuf_putc(b, ' '), shell_word(b, r->files[i]);
    sbuf_printf(b, " --tools %s", scan_detector_name(run->det));
    if (run->det == DET_PCT) sbuf_printf(b, " --depth %d", run->depth);
    sbuf_printf(b, " --seed %llu -n 1", (unsigned long long)run->seed);
    if (r->nargs) sbuf_puts(b, " --");
    for (size_t i = 0; i < r->nargs; i++) sbuf_putc(b, ' '), shell_word(b, r->args[i]);
}

/* The text of the scanned file named `name` (a finding's file), taken at
 * intake, or NULL. */
static const char *file_named(const scan_report *r, const char *name)
{
    for (size_t i = 0; name && i < r->nfiles; i++)
        if (!strcmp(path_base(r->files[i]), name)) return r->texts ? r->texts[i] : NULL;
    return NULL;
}

/* One merged finding, as `grade` shows a finding, then its schedules. */
static void text_problem(const scan_report *r, const scan_finding *p,
                         const report_opts *o, sbuf *b)
{
    sbuf who = {0};
    seen_words(r, p, &who);
    finding shown = p->f;
    shown.tool = who.data;
    shown.count = 1;
    shown.has_seed = false;
    report view = {.source = p->f.file, .source_text = (char *)file_named(r, p->f.file)};
    report_finding_text(&view, &shown, o, b);
    sbuf_free(&who);
    const scan_run *run = first_schedule(r, p);
    if (!run) return;
    sbuf_puts(b, "    schedules that show it: seed");
    for (size_t i = 0; i < p->nseeds; i++)
        sbuf_printf(b, "%s %llu", i ? "," : "", (unsigned long long)p->seeds[i]);
    sbuf_puts(b, "\n    repeat the first: ");
    replay_command(r, run, b);
    sbuf_putc(b, '\n');
    if (!p->schedule.events.len) return;
    findings one = {.items = (finding *)&p->f, .len = 1};
    sbuf_printf(b, "\n    the schedule that went wrong (%s seed %llu, last events):\n",
                scan_detector_name(run->det), (unsigned long long)run->seed);
    trace_text(&p->schedule, &one, o->verbose ? 0 : 12, b);
}

/* "seed 1, 10 s per run, pct depth 2 and 3". */
static void text_plan(const scan_report *r, sbuf *b)
{
    sbuf_printf(b, "seed %llu, %g s per run", (unsigned long long)r->seed,
                (double)r->timeout_ms / 1000.0);
    if (scan_runs_of(r, DET_PCT, NULL) && r->depth > 0)
        sbuf_printf(b, ", pct depth %d", r->depth);
    else if (scan_runs_of(r, DET_PCT, NULL))
        sbuf_puts(b, ", pct depth 2 and 3");
    sbuf_putc(b, '\n');
}

/* The table of detectors: runs, runs that found something, what. */
static void text_detectors(const scan_report *r, sbuf *b)
{
    sbuf_printf(b, "\n  %-9s %5s %6s  %s\n", "detector", "runs", "found", "kinds");
    for (int d = 0; d < DET_COUNT; d++) {
        int found = 0, n = scan_runs_of(r, (scan_detector)d, &found);
        if (!n) continue;
        sbuf kinds = {0};
        for (size_t i = 0; i < r->found.len; i++) {
            const char *k = r->found.items[i].f.kind;
            if (!r->found.items[i].seen[d] || strstr(sbuf_str(&kinds), k)) continue;
            sbuf_printf(&kinds, "%s%s", kinds.len ? ", " : "", k);
        }
        sbuf_printf(b, "  %-9s %5d %6d  %s\n", scan_detector_name((scan_detector)d), n,
                    found, sbuf_str(&kinds));
        sbuf_free(&kinds);
    }
    for (size_t i = 0; i < r->runs.len; i++) {
        const scan_run *run = &r->runs.items[i];
        if (run->error)
            sbuf_printf(b, "  error: a %s run could not happen: %s\n",
                        scan_detector_name(run->det), run->error);
        if (run->note) sbuf_printf(b, "  note: %s\n", run->note);
    }
}

/* Compiler diagnostics: errors always, warnings counted (shown with -v). */
static void text_build(const scan_report *r, const report_opts *o, sbuf *b)
{
    size_t warnings = 0;
    for (size_t i = 0; i < r->build.len; i++) {
        const finding *f = &r->build.items[i];
        bool error = !strcmp(f->kind, "build-error");
        warnings += !error;
        if (!error && !o->verbose) continue;
        report view = {.source = f->file, .source_text = (char *)file_named(r, f->file)};
        report_finding_text(&view, f, o, b);
    }
    if (warnings && !o->verbose)
        sbuf_printf(b, "\n  %zu compiler warning%s (-v shows %s)\n", warnings,
                    warnings == 1 ? "" : "s", warnings == 1 ? "it" : "them");
}

void scan_text(const scan_report *r, const report_opts *o, sbuf *b)
{
    sbuf_puts(b, "scan:");
    for (size_t i = 0; i < r->nfiles; i++) sbuf_printf(b, " %s", r->files[i]);
    if (r->nargs) sbuf_puts(b, " --");
    for (size_t i = 0; i < r->nargs; i++) sbuf_putc(b, ' '), shell_word(b, r->args[i]);
    sbuf_putc(b, '\n');
    text_plan(r, b);
    text_build(r, o, b);
    if (r->error) {
        sbuf_printf(b, "\nerror: %s\n", r->error);
        return;
    }
    text_detectors(r, b);
    for (size_t i = 0; i < r->found.len; i++) text_problem(r, &r->found.items[i], o, b);
    size_t n = r->found.len;
    char *error = scan_error_text(r);
    if (n)
        sbuf_printf(b, "\n%zu problem%s found (%.1f s)\n", n, n == 1 ? "" : "s",
                    (double)r->duration_ms / 1000.0);
    else if (!error)
        sbuf_printf(b, "\nnothing found (%.1f s)\n", (double)r->duration_ms / 1000.0);
    if (error && n)
        sbuf_printf(b, "\nerror: %s; the problems above are the other detectors'\n",
                    error);
    else if (error)
        sbuf_printf(b, "\nerror: %s; nothing else was found (%.1f s)\n", error,
                    (double)r->duration_ms / 1000.0);
    free(error);
}

/* --- JSON
 * ------------------------------------------------------------------------------- */

static void json_strings(json_writer *w, char *const *v, size_t n)
{
    json_arr_begin(w);
    for (size_t i = 0; i < n; i++) json_str(w, v[i]);
    json_arr_end(w);
}

static void json_run(json_writer *w, const scan_run *run)
{
    json_obj_begin(w);
    json_key(w, "detector");
    json_str(w, scan_detector_name(run->det));
    json_key(w, "seed");
    json_int(w, (long long)run->seed);
    if (run->det == DET_PCT) json_key(w, "depth"), json_int(w, run->depth);
    json_key(w, "exit");
    json_int(w, run->exit_code);
    json_key(w, "signal");
    json_int(w, run->signal);
    json_key(w, "timed_out");
    json_bool(w, run->timed_out);
    json_key(w, "duration_ms");
    json_int(w, run->duration_ms);
    json_key(w, "findings");
    json_int(w, (long long)run->nfound);
    if (run->error) json_key(w, "error"), json_str(w, run->error);
    if (run->note) json_key(w, "note"), json_str(w, run->note);
    json_obj_end(w);
}

/* A merged finding: the finding's own fields, then who saw it. */
static void json_problem(json_writer *w, const scan_report *r, const scan_finding *p)
{
    json_obj_begin(w);
    finding_fields_to_json(w, &p->f);
    json_key(w, "seen_by");
    json_obj_begin(w);
    for (int d = 0; d < DET_COUNT; d++) {
        if (!p->seen[d]) continue;
        json_key(w, scan_detector_name((scan_detector)d));
        json_obj_begin(w);
        json_key(w, "runs");
        json_int(w, p->seen[d]);
        json_key(w, "of");
        json_int(w, scan_runs_of(r, (scan_detector)d, NULL));
        if (p->hung[d]) json_key(w, "timeouts"), json_int(w, p->hung[d]);
        json_obj_end(w);
    }
    json_obj_end(w);
    json_key(w, "seeds");
    json_arr_begin(w);
    for (size_t i = 0; i < p->nseeds; i++) json_int(w, (long long)p->seeds[i]);
    json_arr_end(w);
    if (p->schedule.events.len) json_key(w, "schedule"), trace_to_json(w, &p->schedule);
    json_obj_end(w);
}

void scan_json(const scan_report *r, const report_opts *o, sbuf *out)
{
    (void)o;
    static const char *const outcomes[] = {"clean", "found", "error"};
    json_writer w;
    json_init(&w, out, true);
    json_obj_begin(&w);
    json_key(&w, "grader"), json_str(&w, GRADER_VERSION);
    json_key(&w, "command"), json_str(&w, "scan");
    json_key(&w, "files"), json_strings(&w, r->files, r->nfiles);
    json_key(&w, "args"), json_strings(&w, r->args, r->nargs);
    json_key(&w, "seed"), json_int(&w, (long long)r->seed);
    json_key(&w, "depth"), json_int(&w, r->depth);
    json_key(&w, "timeout_ms"), json_int(&w, r->timeout_ms);
    json_key(&w, "outcome"), json_str(&w, outcomes[scan_exit_status(r)]);
    char *error = scan_error_text(r);
    if (error) json_key(&w, "error"), json_str(&w, error);
    free(error);
    json_key(&w, "duration_ms"), json_int(&w, r->duration_ms);
    json_key(&w, "build");
    json_arr_begin(&w);
    for (size_t i = 0; i < r->build.len; i++) finding_to_json(&w, &r->build.items[i]);
    json_arr_end(&w);
    json_key(&w, "runs");
    json_arr_begin(&w);
    for (size_t i = 0; i < r->runs.len; i++) json_run(&w, &r->runs.items[i]);
    json_arr_end(&w);
    json_key(&w, "findings");
    json_arr_begin(&w);
    for (size_t i = 0; i < r->found.len; i++) json_problem(&w, r, &r->found.items[i]);
    json_arr_end(&w);
    json_obj_end(&w);
    sbuf_putc(out, '\n');
}
