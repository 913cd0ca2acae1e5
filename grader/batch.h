/* batch.h - grading a whole course: one subfolder per student. */
#ifndef GRADER_BATCH_H
#define GRADER_BATCH_H

#include "grade.h"

typedef struct batch_opts {
    const grade_opts *base; /* root, exercise, seed, verbosity */
    const char *dir;        /* SUBMISSIONS_DIR: one subfolder per student */
    const char *out;        /* where STUDENT.json and scores.csv go */
    int jobs;               /* gradings at once */
    bool list_commands;     /* print one command per submission instead */
    bool progress;          /* draw a progress bar on stderr */
} batch_opts;

/* Grades every subfolder of dir not already graded (its JSON newer than its
 * submission), keeps each JSON report in out/, then writes out/scores.csv.
 * Returns 0, or 2 when some grading could not finish. */
int batch_run(const batch_opts *o);

#endif
