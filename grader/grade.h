/* grade.h - grading one submission of one exercise, end to end.
 *
 * Loads the exercise's spec, builds the submission once per tool, then runs
 * the checks in dependency order, several at once (each in a forked worker
 * with its own copy of the Lua state, so one check can neither crash nor
 * stall the others), and collects one report. */
#ifndef GRADER_GRADE_H
#define GRADER_GRADE_H

#include "model.h"

typedef struct grade_opts {
    const char *root;     /* the grader's repository */
    const char *exercise; /* exercise name */
    const char *dir;      /* submission directory */
    const char *source;   /* a file to grade instead of DIR/<exercise>.c, or NULL */
    uint64_t seed;        /* base seed of every schedule */
    const char *only;     /* run only this check (and what it depends on), or NULL */
    int verbose;
    int jobs;        /* checks at once; 0 = number of CPUs */
    bool progress;   /* draw a progress line on stderr */
    bool keep;       /* keep the working directory */
    bool replay;     /* replay: `seed` is the exact seed of every run (with --only) */
    bool strict_dir; /* dir must not be a symbolic link (a batch's student folders) */
} grade_opts;

/* Always returns a report (caller frees with report_free); problems that are
 * not the student's are in report->error or in checks with outcome error. */
report *grade_run(const grade_opts *o);

/* A report for a grading that ended without one (its worker passed the
 * deadline or died): the spec's checks, none run; `build` gets outcome oc
 * (fail: counted, error: left out) and the message why. Caller frees. */
report *grade_unfinished(const grade_opts *o, outcome oc, const char *why);

/* The whole grading's deadline of an exercise (its spec's, else the
 * default), in milliseconds. */
int64_t grade_deadline_ms(const char *root, const char *exercise);

/* Paths of an exercise's files (caller frees). */
char *exercise_dir(const char *root, const char *name);
/* A spec path shown in messages, relative to root when below it (caller frees). */
char *exercise_spec_display(const char *root, const char *spec_path);

#endif
