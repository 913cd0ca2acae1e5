/* build.h - compiling a submission with an exercise's driver, once per tool.
 *
 * Each tool's compiler, flags, driver support and runtime are its row of the
 * tool table (tool.h); the native build also serves stress schedules and is
 * the one whose warnings the student sees. The student's object
 * file has its thread and process calls renamed to the driver support's
 * observers (harness/driver/redefine.syms), so only the student's calls are
 * watched. A whole program (no driver: one or more files, one with main) is
 * linked without the driver support and its calls keep their names; it
 * still gets the tool's runtime (hgatomic.o for Helgrind). */
#ifndef GRADER_BUILD_H
#define GRADER_BUILD_H

#include "model.h"
#include "tool.h"

typedef struct build_inputs {
    const char *root;         /* the grader's repository (harness/, build/) */
    const char *exercise_dir; /* exercises/<ex> */
    const char *source_name;  /* "threads.c": the student's file name */
    const char *source_path;  /* the submitted file to compile */
    const char *header;       /* header file name in exercise_dir, or NULL */
    const char *driver; /* driver file name in exercise_dir, or NULL (whole program) */
    const char *const *more_sources; /* a whole program's other C files (paths; distinct
                                      * names), NULL-terminated, or NULL */
    const char *const
        *include_dirs;        /* searched for #include "..." after the source's copy
                               * (a whole program's own folders), NULL-terminated, or NULL */
    const char *extra_cflags; /* from the spec, or NULL */
    const char *libs;         /* extra link flags from the spec, or NULL */
    const char *workdir;      /* where build-<tool>/ directories go */
    const char *const
        *hide;           /* NULL-terminated: what the compiler of the student's file must
                          * not see (the repository, other submissions), or NULL */
    int64_t deadline_at; /* now_ms() past which no step may run (the grading's deadline),
                            or 0 */
    bool policy;         /* check the student's object before linking it (policy.h; with a
                          * driver only) */
    const char *allow;   /* the exercise's extra allowed symbols (spaces), or NULL */
} build_inputs;

typedef struct build_result {
    bool ok;
    bool machine_error; /* failed for a reason that is not the student's */
    char *dir;          /* build directory (owned) */
    char *binary;       /* path of the linked program (owned), when ok */
    findings diags;     /* build-error / build-warning findings */
    char *log;          /* full compiler output (owned) */
} build_result;

/* Builds for one tool. Never fails silently: on failure, diags has at least one
 * build-error finding or machine_error is set with the reason in log. */
void build_run(const build_inputs *in, tool_id tool, build_result *out);
/* build_run for every tool t with need[t] (need NULL: every tool), all at
 * once, a thread each (the work is in the compilers they start); builds[t]
 * gets tool t's result, the others are left as they are. */
void build_tools(const build_inputs *in, const bool *need, build_result *builds);
void build_result_free(build_result *b);

/* Parses compiler / linker output into findings (exposed for unit tests). */
void build_parse_diagnostics(const char *text, const char *source_name, bool warnings,
                             findings *out);
/* The same for a whole program (no header to follow): link errors speak of
 * the program's files and libraries. */
void build_parse_program_diagnostics(const char *text, const char *source_name,
                                     bool warnings, findings *out);

#endif
