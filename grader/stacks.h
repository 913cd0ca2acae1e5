/* stacks.h - where every thread of a stuck program is, taken with eu-stack
 * before the program is killed, as one `timeout` finding. */
#ifndef GRADER_STACKS_H
#define GRADER_STACKS_H

#include "model.h"
#include <sys/types.h>

/* Adds a stack per thread of every process in pids to f, titled with what the
 * thread was doing ("main thread, waiting in pthread_join"), and appends a
 * one-line summary per thread to *summary. Frames keep full paths (tidy them
 * with stacks_tidy). Returns how many threads were seen. */
int stacks_capture(const pid_t *pids, size_t n, finding *f, sbuf *summary);

/* Parses eu-stack -s output (exposed for unit tests). */
int stacks_parse(const char *text, finding *f, sbuf *summary);

#endif
