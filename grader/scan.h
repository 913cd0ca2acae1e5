/* scan.h - `grader scan`: every detector on any C program.
 *
 * A scan builds a whole program (one or more C files, one of them with
 * main) for every tool, runs it once natively, once under ThreadSanitizer,
 * once under Helgrind and under N stress schedules (pct and random, each
 * from a seed), with the same arguments and standard input every time. Each
 * run's findings (data races, lock-order inversions, deadlocks,
 * self-deadlocks, lost wake-ups, crashes, failed assertions, timeouts, a
 * non-zero exit status) are merged into one list: findings of the same kind
 * at the same lines are one finding, tagged with the detectors that saw it
 * and in how many of their runs. Runs happen in forked workers, several at
 * once; the schedules are fixed by the seeds, which the report prints. */
#ifndef GRADER_SCAN_H
#define GRADER_SCAN_H

#include "model.h"
#include "report.h"
#include "tool.h"

/* The detectors (scan_detector, tool.h), in the order runs are listed and
 * findings credited. */
const char *scan_detector_name(scan_detector d);
/* Parses "tsan,pct" (also "all", "stress" = pct and random) into a mask of
 * 1u << detector; -1 with a word not known. */
int scan_detectors_parse(const char *list);

typedef struct scan_opts {
    const char *root;         /* the grader's repository */
    const char *const *files; /* the program's C files (caller's) */
    size_t nfiles;
    const char *const *args; /* arguments given to the program (caller's) */
    size_t nargs;
    const char *stdin_data; /* its standard input, or NULL: none (caller's) */
    size_t stdin_len;
    unsigned detectors;        /* mask of 1u << scan_detector; 0 = all */
    int schedules;             /* stress schedules, shared by pct and random */
    int depth;                 /* pct depth; 0: 2 and 3 in turn */
    int64_t timeout_ms;        /* per run, before each tool's slowdown */
    uint64_t seed;             /* schedule i uses seed + i */
    const char *cflags, *libs; /* extra compiler and linker flags, or NULL */
    int jobs;                  /* runs at once; 0 = CPUs */
    int verbose;
    bool keep;     /* keep the working directory */
    bool progress; /* a progress line on stderr */
} scan_opts;

/* One run of the program. */
typedef struct scan_run {
    scan_detector det;
    uint64_t seed; /* stress: the schedule's seed */
    int depth;     /* pct depth */
    int exit_code, signal;
    bool timed_out;
    int64_t duration_ms;
    size_t nfound; /* findings of this run */
    char *error;   /* the run could not happen (owned), or NULL */
    char *note;    /* the tool failed without a word on the program (owned), or NULL */
} scan_run;

/* A finding merged over runs: f->tool is the first detector that saw it,
 * f->count every sighting; seen[d] counts the runs of detector d. */
typedef struct scan_finding {
    finding f;
    int seen[DET_COUNT];
    int hung[DET_COUNT]; /* of seen[d], the runs that saw it only as a timeout */
    uint64_t seeds[4];   /* the first schedules that saw it */
    size_t nseeds;
    trace schedule; /* the first failing schedule's events, if any */
} scan_finding;

typedef struct scan_report {
    char **files; /* as given (owned) */
    char **texts; /* their bytes as taken at intake (owned; NULL when not taken) */
    size_t nfiles;
    char **args; /* the program's arguments (owned) */
    size_t nargs;
    uint64_t seed;
    int depth;
    int64_t timeout_ms;
    unsigned detectors;
    int64_t duration_ms;
    char *error;    /* the scan could not be done (owned), or NULL */
    findings build; /* compiler diagnostics (errors, warnings) */
    struct {
        scan_run *items;
        size_t len, cap;
    } runs;
    struct {
        scan_finding *items;
        size_t len, cap;
    } found; /* most explanatory kind first */
} scan_report;

/* Builds and runs; always returns a report (caller frees with
 * scan_report_free). Problems that are not the program's are in ->error. */
scan_report *scan_execute(const scan_opts *o);
void scan_report_free(scan_report *r);

/* Adds the findings of one run (fs, taken; run is r's) to r->found: a
 * finding of the same kind at a common place as one already there (a
 * line, or a function where the line is unknown; any place for a timeout
 * or an output flood; a crash without a place and one of the same signal
 * with a place; a deadlock, self-deadlock or lost wake-up at a common place
 * with another of these, and a timeout with any of them: one hang, told by
 * its most explanatory kind) is that problem seen again, counted once per
 * run (a run's timeout after its explained hang adds nothing); others
 * are new problems. Each problem keeps its first finding placed in the
 * program's files, and the first schedule that showed it (taken from
 * *schedule, which may be NULL). */
void scan_merge(scan_report *r, const scan_run *run, findings *fs, trace *schedule);
/* Problems most explanatory kind first (the vocabulary's order), seeds in
 * increasing order: after the last scan_merge. */
void scan_order(scan_report *r);

/* Runs of detector d, and how many of them found something. */
int scan_runs_of(const scan_report *r, scan_detector d, int *found);

/* Why the scan is not complete (caller frees), or NULL: r->error, or the
 * detectors whose runs could not happen (a tool's own crash), each with
 * its first reason. */
char *scan_error_text(const scan_report *r);

/* 0: nothing found; 1: something found; 2: the scan could not be done. */
int scan_exit_status(const scan_report *r);

/* Reporters (report_scan.c): for people, and the JSON form. */
void scan_text(const scan_report *r, const report_opts *o, sbuf *out);
void scan_json(const scan_report *r, const report_opts *o, sbuf *out);

#endif
