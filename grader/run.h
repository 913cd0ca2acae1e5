/* run.h - one execution of the student's program under one tool.
 *
 * A run builds its command line for the tool (the program itself, or after
 * the tool's wrapper), a clean environment with the tool's options, starts it
 * through proc_run in a fresh directory with the tool's limits, then reads
 * everything the run left behind: the driver's channel, the tool's files
 * (through its parser, tool.h), the stress shim's lines. The
 * result is one set of outputs and deduplicated findings located at the
 * student's lines. */
#ifndef GRADER_RUN_H
#define GRADER_RUN_H

#include "build.h"
#include "parse.h"
#include "proc.h"
#include "trace.h"

/* What a run needs from the grading it belongs to. */
typedef struct run_env {
    const char *root;           /* the grader's repository */
    const char *workdir;        /* runs get directories below it */
    const char *source;         /* the student's file name */
    const char *source_text;    /* its text as taken at intake (may be NULL) */
    const build_result *builds; /* indexed by tool_id */
    bool whole_program;         /* no driver: argv goes to the student's main */
    bool status_undefined; /* a whole program's main returns void: its exit status means
                              nothing */
    int verbose;
    const char *const *exercise_helpers; /* NULL-terminated names the exercise declared
                                          * (helper.h), or NULL; the caller's */
    /* Set by run_prepare, released by run_release: */
    char **hide; /* NULL-terminated: what runs must not see (repository, other
                    submissions) */
    char *
        helpers; /* workdir/harness: the copies of the stress shim and helpers runs use */
} run_env;

/* Prepares the sandbox of a grading's runs (before any run, in the process
 * that forks the workers): copies the helpers runs need out of the
 * repository into workdir (the repository is hidden from runs), decides what
 * runs must not see (the repository, the folder holding the submission and,
 * without root, our home), and opens workdir to the runs' own users.
 * submission: the student's file (may be NULL). Returns 0, or -1 if the
 * helpers could not be copied (runs then fall back to the repository's). */
int run_prepare(run_env *re, const char *submission);
void run_release(run_env *re);

typedef struct stress_opts {
    const char *mode; /* NULL (off), "random", "pct", "observe" */
    int depth;        /* pct */
    int steps;        /* pct step estimate, 0 = default */
    int prob;         /* random: percent */
    long fail_create; /* k-th pthread_create fails (via the shim) */
    long fail_fork;
    bool trace;       /* keep the full event trace */
    bool one_process; /* the run forks no process: process-shared objects are modelled */
} stress_opts;

typedef struct run_request {
    strv argv; /* scenario name and arguments */
    tool_id tool;
    int64_t timeout_ms; /* before the tool's slowdown factor */
    const char *stdin_data;
    size_t stdin_len;
    uint64_t seed;
    stress_opts stress;
} run_request;

typedef struct run_output {
    proc_result proc;
    parse_out parsed;   /* outputs and findings of every source */
    int64_t timeout_ms; /* the deadline actually used */
    char *error;    /* the run could not happen for a reason that is not the student's */
    char *trace;    /* the shim's raw lines when a trace was asked for */
    trace schedule; /* a stress run's events, located, when it found something or a trace
                       was asked for */
    char *dir;      /* the run's directory */
    char token[40]; /* the run's secret stamped on the driver's lines */
} run_output;

/* Runs rq; fills out (release with run_output_free). Returns 0, or -1 when the
 * run could not happen (out->error says why). */
int run_exec(const run_env *env, const run_request *rq, run_output *out);
void run_output_free(run_output *out);

#endif
