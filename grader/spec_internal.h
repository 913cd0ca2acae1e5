/* spec_internal.h - shared by the two halves of the spec module: spec.c
 * (sandbox, loading, validation) and spec_check.c (running a check: the `t`
 * and `r` objects). Nothing outside the spec module includes this file. */
#ifndef GRADER_SPEC_INTERNAL_H
#define GRADER_SPEC_INTERNAL_H

#include "spec.h"

#include <lauxlib.h>
#include <lua.h>

#define MEM_LIMIT    (64u << 20)
#define TICK         1000        /* instructions between hook calls */
#define LOAD_BUDGET  20000       /* ticks: 20 million instructions to load */
#define CHECK_BUDGET 200000      /* ticks: 200 million instructions per check */
#define MAX_REP      (16u << 20) /* largest string string.rep may build */

/* A failed assert_* unwinds the check with the address of this value. */
extern const char spec_failure;

typedef struct check_ctx {
    size_t index;
    const spec_host *host;
    struct {
        run_output *items;
        size_t len, cap;
    } runs;
    bool failed, used_seed;
    int more;             /* failures after the first */
    char *message, *hint; /* of the first failure */
    char *kind;           /* kind of the first failure's first finding */
    bool driver_kind;     /* ... and it came from the driver */
    bool located;         /* ... and it names a line */
    char *machine_error;  /* a run could not happen */
    findings found;       /* attached to the check result */
    trace schedule;       /* of the first stress run that found something (a replay:
                           * else of its first stress run) */
    bool schedule_found;  /* that run found something */
    sbuf notes;
} check_ctx;

struct spec {
    lua_State *L;
    char *display;
    char *text;
    size_t mem;
    long ticks, budget;
    bool dead, loading;
    char *dead_msg; /* why the budget ran out, raised again by pcall */
    int last_line;
    bool have_exercise;
    spec_exercise ex;
    struct {
        spec_check *items;
        size_t len, cap;
    } checks;
    check_ctx *cx; /* the check running now */
    int verbose;
    char *domain; /* the text domain of _(): "exercise-FOLDER" */
};

spec *spec_of(lua_State *L);
/* Raises "DISPLAY:LINE: message" (line 0: at the spec line calling us). */
int raise_at(lua_State *L, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
/* " (did you mean 'x'?)" for the closest of names, or "". The text lives in
 * a static buffer until the next call, so a raise after it leaks nothing. */
const char *suggest(const char *word, const char *const *names, size_t n);
/* The line of "name =" at or after line `from` in the spec's text, else from. */
int field_line(const spec *s, int from, const char *name);
/* Message handler: adds a traceback; passes a failure through untouched. */
int msgh(lua_State *L);
/* "FILE:LINE: message" for a failed protected call (caller frees). */
char *error_text(spec *s, int status, const char *msg);

#endif
