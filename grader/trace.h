/* trace.h - a stress schedule's events, for people.
 *
 * The stress shim writes one JSON line per scheduling event (lock, wait,
 * signal, create, join, fork, preemption...). trace_parse turns them into
 * events located at the program's lines; trace_text draws them as a table
 * with one column per thread, so an interleaving can be read top to bottom. */
#ifndef GRADER_TRACE_H
#define GRADER_TRACE_H

#include "model.h"

/* Reads the shim's lines (other line types are skipped); sites are
 * symbolized against binary and made relative to build_dir. 0 or -1. */
int trace_parse(const char *text, size_t len, const char *binary, const char *build_dir, trace *out);

/* The last `last` events (0: all) as a lane-per-thread table (ASCII). */
void trace_text(const trace *t, size_t last, sbuf *out);

#endif
