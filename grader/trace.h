/* trace.h - a stress schedule's events, for people.
 *
 * The stress shim writes one JSON line per scheduling event (lock, wait,
 * signal, create, join, fork, preemption...). trace_parse turns them into
 * events located at the program's lines; trace_marks finds the few events
 * that explain a failure (the preemption that broke atomicity, the wait-for
 * cycle, the signal nobody received); trace_text draws the events as a table
 * with one column per thread, so an interleaving can be read top to bottom. */
#ifndef GRADER_TRACE_H
#define GRADER_TRACE_H

#include "model.h"

/* Reads the shim's lines (other line types are skipped); sites are
 * symbolized against binary and made relative to build_dir. 0 or -1. */
int trace_parse(const char *text, size_t len, const char *binary, const char *build_dir,
                trace *out);

/* The last `last` events (0: all) as a lane-per-thread table (ASCII), the
 * events that explain fs (the check's findings, may be NULL) marked `!` with
 * a note, even when they come earlier, and events at a finding's line `>`. */
void trace_text(const trace *t, const findings *fs, size_t last, sbuf *out);

/* The lane (index in t->threads) of an event, or t->nthreads if none. */
size_t trace_lane(const trace *t, const trace_event *e);

/* "lock M1 blocked T2": an event in a few words, truncated to cap. */
void trace_event_words(const trace_event *e, char *buf, size_t cap);

/* The thread is blocked at this event (a lock, join, condition wait,
 * semaphore or barrier that did not return yet). */
bool trace_event_blocks(const trace_event *e);

/* --- what made the schedule fail (trace_marks.c) ----------------------------- */

/* Why an event matters, least important first: an event gets the most
 * important reason that applies. */
typedef enum {
    TRACE_MARK_NONE,
    TRACE_MARK_AT_FINDING, /* at the file:line of one of the findings */
    TRACE_MARK_WAITING,    /* blocked when the run stopped, not proven stuck for good */
    TRACE_MARK_WINDOW,     /* lets go of a lock, or takes it again, around a preemption */
    TRACE_MARK_INTRUDER,   /* another thread takes that lock in between */
    TRACE_MARK_HOLDS,      /* takes a lock that a thread of a wait-for cycle waits for */
    TRACE_MARK_STUCK,      /* blocks here and never runs again */
    TRACE_MARK_PREEMPT,    /* the preemption that broke a check-then-act in two */
    TRACE_MARK_SWALLOWED,  /* a wake-up taken by a thread that waits again without passing
                              it on */
    TRACE_MARK_SPURIOUS, /* a wake-up without a signal, and the thread going on unchecked
                          */
    TRACE_MARK_LOST,  /* a signal or broadcast while nobody waited: nobody receives it */
    TRACE_MARK_CYCLE, /* blocks for good, in a wait-for cycle (deadlock) */
} trace_mark_kind;

/* TRACE_MARK_WINDOW and above: part of the story of the failure. */
#define TRACE_MARK_CRITICAL TRACE_MARK_WINDOW

typedef struct trace_mark {
    trace_mark_kind kind;
    char *note; /* one sentence for people (owned), or NULL */
} trace_mark;

/* One mark per event of t (t->events.len of them; NULL when t has no event),
 * from the events alone and from the check's findings fs (NULL: none; only
 * the findings of stress runs are used when there are any). The caller frees
 * the result with trace_marks_free. */
trace_mark *trace_marks(const trace *t, const findings *fs);
void trace_marks_free(trace_mark *m, size_t n);

/* "preempt", "lost", "at-finding"...: a fixed ASCII word per kind. */
const char *trace_mark_name(trace_mark_kind k);

#endif
