/* pipe.c - your solution to the `pipe` exercise.
 *
 * Implement pipe_filter as described in pipe.h and README.md.
 * Grade it with:   grader grade pipe .
 */
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipe.h"

ssize_t pipe_filter(filter_fn filter, const void *input, size_t len, void **output)
{
    (void)filter;
    (void)input;
    (void)len;
    /* TODO: two pipes, fork, run filter in the child; in the parent feed the
     * input and collect the output at the same time, then wait for the child. */
    *output = NULL;
    return -1;
}
