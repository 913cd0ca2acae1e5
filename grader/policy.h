/* policy.h - what a student's object may contain, checked before it is linked.
 *
 * The driver judges in the student's process, so the student's object must
 * not bring what could reach the driver's code or data behind its back:
 *   - assembly of its own (inline `asm`, top-level `asm`, `.incbin`), seen
 *     in the assembler's listing of the compile (gcc marks it #APP);
 *   - sections other than code, data, constants and debug information, so
 *     no constructor or destructor (.init_array, .fini_array, .ctors,
 *     .dtors: code that would run before or after the driver), nor an ifunc
 *     (its resolver runs while the program loads);
 *   - undefined symbols outside the allow-list: harness/driver/allowed.syms
 *     plus the exercise's `allow`, minus harness/driver/refused.syms (which
 *     the exercise's `allow` alone can override);
 *   - global definitions of a name the C library exports (or drv_*,
 *     grader_*): the program's own definition would take the driver's calls
 *     too (a `write` of the student's would see every result line).
 * Every problem becomes a compiler-style line "FILE:LINE: error: MESSAGE"
 * (line 0 when unknown), so the build's diagnostics parser makes it a
 * build-error at the student's line and the build cache keeps it. */
#ifndef GRADER_POLICY_H
#define GRADER_POLICY_H

#include "util.h"

typedef struct policy_inputs {
    const char *dir;         /* where the object and the listing are */
    const char *object;      /* the student's object file name in dir */
    const char *listing;     /* its assembler listing (gcc -Wa,-adln=FILE) in dir */
    const char *source_name; /* the student's file name, as the compiler saw it */
    const char *syms_dir;    /* the directory of allowed.syms and refused.syms */
    const char *allow; /* the exercise's extra names and patterns (spaces), or NULL */
} policy_inputs;

/* Checks; appends one diagnostic line per problem to log. Returns the number
 * of problems (0: the object may be linked), or -1 when it could not check
 * (the reason in log: not the student's doing). */
int policy_check(const policy_inputs *in, sbuf *log);

/* Whether name matches a line of the patterns text (one name or pattern per
 * line, '#' comments); the rest of the matching line is copied into why
 * (may be NULL). Exposed for unit tests. */
bool policy_match(const char *text, const char *name, char *why, size_t why_cap);

#endif
