/* verify.h - `grader check`: the instructor's proof that an exercise works.
 *
 * The reference solution gets full marks; the skeleton compiles and does not;
 * every known-buggy variant in solutions/<ex>/buggy/ loses points and shows
 * the finding kinds (and failed checks) it declares in its first comment:
 *
 *   / * A serial solution: creates and joins one thread at a time.
 *    * expect-kinds: not-concurrent
 *    * expect-fail: concurrent
 *    * /
 */
#ifndef GRADER_VERIFY_H
#define GRADER_VERIFY_H

#include "grade.h"

typedef struct verify_expect {
    char **kinds;
    size_t nkinds;
    char **fails;
    size_t nfails;
    char **ats; /* "CHECK:LINE": a finding of CHECK at that line of the student's file */
    size_t nats;
} verify_expect;

/* Reads the expect-kinds / expect-fail lines of a buggy variant's first
 * comment. Returns 0, or -1 if the file cannot be read. */
int verify_expect_read(const char *path, verify_expect *e);
void verify_expect_free(verify_expect *e);

/* Proves one exercise; prints a table to stdout. Returns the number of
 * mismatches (0 = the exercise is proven). `base` carries root, seed, jobs,
 * verbosity; exercise/dir/source are set per item. */
int verify_exercise(const grade_opts *base, const char *exercise, bool color);

#endif
