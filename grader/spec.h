/* spec.h - exercise specifications written in Lua (spec API version 1).
 *
 * The only module that sees Lua (spec.c, spec_check.c). A spec is loaded as text into a
 * fresh, strict environment (allow-listed standard library, unknown names and fields
 * rejected with the nearest valid name, a memory cap and an instruction
 * budget); every call into Lua is protected. Instructor mistakes come back as
 * "spec.lua:LINE: message". The API itself is documented in docs/spec-api.md. */
#ifndef GRADER_SPEC_H
#define GRADER_SPEC_H

#include "model.h"
#include "run.h"

typedef struct spec spec;

/* exercise{ deadline = S }: bounds and default, in seconds. */
#define SPEC_DEADLINE_DEFAULT_S 600
#define SPEC_DEADLINE_MIN_S     10
#define SPEC_DEADLINE_MAX_S     3600

typedef struct spec_exercise {
    char *name, *title;
    char *source; /* the student's file, default NAME.c */
    char *header; /* NULL when none */
    char *driver; /* NULL: the student writes the whole program */
    char *cflags, *libs;
    char *allow; /* extra symbols the student's object may use (policy.h), or NULL */
    int64_t timeout_ms;  /* default for every run */
    int64_t deadline_ms; /* the whole grading's wall-clock limit (builds and checks) */
    int line;            /* where exercise{} was declared */
    char **languages;    /* declared languages ("en", "pt-BR"); may be none */
    size_t nlanguages;
    char **helpers; /* declared helpers (helper.h), NULL-terminated; may be none */
    size_t nhelpers;
} spec_exercise;

typedef struct spec_check {
    char *name, *title, *hint;
    double points;
    char **deps;
    size_t ndeps;
    int line; /* where the check was declared */
} spec_check;

/* What a check needs from the grading that runs it. */
typedef struct spec_host {
    int (*run)(void *ctx, const run_request *rq, run_output *out);
    void *ctx;
    uint64_t seed; /* this check's base seed */
    int verbose;
    bool replay; /* replay one schedule: every seed is `seed`, traces kept */
} spec_host;

/* Loads and validates a spec. path is read from disk; shown as `display`
 * (e.g. "exercises/threads/spec.lua") in messages. Returns NULL with a
 * malloc'd "FILE:LINE: message" in *err on any problem. */
spec *spec_load(const char *path, const char *display, char **err);
void spec_free(spec *s);

const spec_exercise *spec_exercise_get(const spec *s);
size_t spec_check_count(const spec *s);
const spec_check *spec_check_get(const spec *s, size_t i);
int spec_check_find(const spec *s, const char *name); /* index or -1 */

/* One string of the spec given to _() as a literal: what a catalog must
 * translate. */
typedef struct spec_string {
    char *text;
    int line;
} spec_string;

/* Every literal _("...") of the spec's source (concatenations of literals
 * with .. joined), in order, duplicates kept; *n gets the count. The caller
 * frees with spec_strings_free. */
spec_string *spec_strings(const spec *s, size_t *n);
void spec_strings_free(spec_string *v, size_t n);

/* The text domain of the spec's _() ("exercise-FOLDER"). */
const char *spec_domain(const spec *s);

/* Runs check i: fills out (name, title, outcome pass/fail/error, score,
 * message, hint, findings, seed). Never raises; a spec bug is an error
 * outcome with FILE:LINE in the message. */
void spec_run_check(spec *s, size_t i, const spec_host *host, check_result *out);

#endif
