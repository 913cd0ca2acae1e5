/* parse.h - tool output parsers, all behind one signature.
 *
 * A parser reads one tool's raw output and appends findings (and, for the
 * driver channel, key/value outputs) to a parse_out. Frames may come back raw
 * (module + offset) or with file paths as the tool printed them; the caller
 * then runs symbolize_findings and stacks_tidy. Parsers never fail on garbage:
 * what they cannot read they skip, noting it in `notes`. */
#ifndef GRADER_PARSE_H
#define GRADER_PARSE_H

#include "model.h"

typedef struct kv {
    char *key, *value;
} kv;

typedef struct parse_out {
    findings found;
    struct {
        kv *items;
        size_t len, cap;
    } outs; /* driver key=value outputs, in order */
    char
        token[40]; /* the run's secret: driver lines without it are ignored ("" = none) */
    bool started;  /* the driver's main began (so the tool itself did start) */
    bool done;     /* the driver reported that its scenario finished */
    int done_status;
    int crash_signal;  /* the driver saw a fatal signal (0 = none) */
    bool tool_failed;  /* the tool itself broke (not the program) */
    long stress_steps; /* the most pct steps a process of the run counted */
    sbuf notes;        /* what the parser skipped or noticed, for -v */
} parse_out;

typedef void (*parse_fn)(const char *text, size_t len, parse_out *out);

void parse_out_free(parse_out *p);
const char *parse_out_get(const parse_out *p, const char *key); /* last value or NULL */

void tsan_parse(const char *text, size_t len, parse_out *out);
void helgrind_parse(const char *text, size_t len, parse_out *out);
void asan_parse(const char *text, size_t len, parse_out *out);
void channel_parse(const char *text, size_t len, parse_out *out);
void stress_parse(const char *text, size_t len, parse_out *out);

/* Appends the raw frames of a JSON "stack" array ({module, offset, symbol}
 * objects, as the driver and the shim write them) as a new stack of f. */
void channel_add_stack(finding *f, const json_value *frames, const char *title);
/* "the program was killed by SIGSEGV, a segmentation fault: ..." (caller frees) */
char *channel_crash_message(int sig);

/* A sanitizer's frame line, as the grader asks for it with
 * stack_trace_format="    #%n|%f|%s|%l|%c|%m|%o" ("#0|fn|file|line|col|module|
 * offset", "<null>" where unknown), appended to s. False if l is no frame. */
bool sanitizer_frame_parse(const char *l, stack *s);

/* Removes addresses, pids and thread ids from tool text so that messages
 * are the same from one run to the next. Returns a malloc'd string. */
char *text_stabilize(const char *s);

#endif
