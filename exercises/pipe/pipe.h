/* pipe.h - the `pipe` exercise: talking to a child process through pipes.
 * Do not change this file; implement pipe_filter in pipe.c. */
#ifndef PIPE_H
#define PIPE_H

#include <stddef.h>
#include <sys/types.h>

typedef void (*filter_fn)(int in_fd, int out_fd);

/* Runs filter(in_fd, out_fd) in a child process: the child reads `input`
 * (len bytes, any bytes, NUL included) from in_fd until end-of-file and writes
 * its result to out_fd. Collects everything the child writes into *output
 * (malloc'd; the caller frees). Returns the number of bytes collected; or -1
 * if the child exited non-zero or was killed by a signal (*output = NULL).
 * Must work for inputs and outputs far larger than a pipe's buffer. */
ssize_t pipe_filter(filter_fn filter, const void *input, size_t len, void **output);

#endif
