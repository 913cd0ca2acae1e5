/* helper.h - programs an exercise's runs start beside the student's (a test
 * server): one table.
 *
 * An exercise declares the helpers its driver needs, `helpers = { "httpd" }`
 * in its spec's exercise{}. For each declared helper the generic run code
 * (run.c) copies its binary out of the repository before the runs (which
 * cannot see the repository), gives its path to the driver in the helper's
 * environment variable, and leaves its processes out of the stacks of a run
 * that timed out (they are not the student's). The driver support starts and
 * stops the helper in the run's sandbox (harness/driver/grader_http.c for
 * httpd). Adding a helper is a row of the table and its driver support. */
#ifndef GRADER_HELPER_H
#define GRADER_HELPER_H

#include <stddef.h>

typedef struct helper_info {
    const char *name;   /* as specs name it */
    const char *binary; /* its file under build/harness */
    const char *env;    /* the variable that gives runs its path */
    const char *about;
} helper_info;

/* The helper named name, or NULL (static). */
const helper_info *helper_lookup(const char *name);
/* Every helper: *n rows (static). */
const helper_info *helper_all(size_t *n);

#endif
