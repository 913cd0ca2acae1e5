/* tool.h - the tools a program is built and run under: one table.
 *
 * Everything that differs from one tool to the next is a row of the table in
 * tool.c: how build.c compiles and links for it, how run.c starts the program
 * under it (a wrapper command, its options in the environment, the limits
 * that differ), which files it leaves in the run's directory and which parser
 * reads them, how its frames become lines. `grader scan` runs the detectors,
 * a second table beside it: each tool once, and the stress shim's schedules
 * (pct, random) over the native build. Adding a tool is a row in each table
 * (and its parser); build.c, run.c and scan.c name no tool. */
#ifndef GRADER_TOOL_H
#define GRADER_TOOL_H

#include "parse.h"
#include "proc.h"

typedef enum { TOOL_NATIVE, TOOL_TSAN, TOOL_HELGRIND, TOOL_ASAN, TOOL_COUNT } tool_id;

/* What a tool's run options depend on. */
typedef struct tool_run_ctx {
    const char *dir;       /* the run's directory: where the tool's logs go */
    const char *build_dir; /* the directory debug information names (build.h BUILD_DIR) */
} tool_run_ctx;

typedef struct tool_info {
    const char *name;  /* as specs and `--tools` spell it */
    const char *title; /* for people: "ThreadSanitizer" */
    /* building */
    const char *cc;      /* the compiler */
    const char *cflags;  /* compile flags for every file */
    const char *support; /* prebuilt driver support under build/harness */
    const char *ldflags; /* link flags */
    const char *runtime; /* prebuilt objects every program of the tool links */
    bool warnings;       /* this build's warnings are the ones shown to the student */
    bool checks_object;  /* its student object is checked before linking (policy.h: gcc's
                            listing) */
    /* running */
    int slowdown;   /* timeouts and the driver's patience are multiplied by it */
    long memory_mb; /* address-space limit; 0: none (a sanitizer's shadow needs terabytes)
                     */
    const char
        *programs; /* what its runs execute besides the program (space-separated) */
    /* The words before the program (argv), or none (NULL). -1 when the
     * wrapper is not installed. */
    int (*wrap)(const tool_run_ctx *c, strv *argv);
    /* Adds the tool's options to env, or nothing (NULL). */
    void (*options)(const tool_run_ctx *c, strv *env);
    int report_status;   /* the exit status a run gets when the tool reported (0: none) */
    bool timeout_stacks; /* the threads of a stopped run can be read (not under a VM) */
    const char *crash_by; /* the `tool` of a crash finding nobody explained */
    /* reading what it left */
    const char *log_prefix; /* files in the run's directory for `parse`, or NULL */
    parse_fn parse;
    /* Turns raw frames (module + offset) into lines. */
    void (*symbolize)(findings *fs, const char *binary);
    /* A crash finding of this tool without a single frame is the tool's own
     * runtime failing, not the program (scan notes it instead). */
    bool frameless_crash_is_tool;
} tool_info;

/* The row of t (static). */
const tool_info *tool_get(tool_id t);
const char *tool_name(tool_id t);
/* The tool named s; -1 if unknown (or s NULL). */
int tool_parse(const char *s);
/* The names of every tool, "\"native\", \"tsan\" or \"helgrind\"" (static). */
const char *tool_names_text(void);
/* The slowdown a tool puts on a program (its timeouts and patience scale). */
int tool_slowdown(tool_id t);

/* --- the detectors of `grader scan` ------------------------------------------------- */

/* In the order runs are listed and findings credited. */
typedef enum {
    DET_TSAN,
    DET_HELGRIND,
    DET_ASAN,
    DET_PCT,
    DET_RANDOM,
    DET_NATIVE,
    DET_COUNT
} scan_detector;

typedef struct tool_detector {
    const char *name;
    tool_id tool;
    const char *stress; /* the shim's schedule mode ("pct", "random"), or NULL: one run */
} tool_detector;

/* The row of d (static). */
const tool_detector *tool_detector_get(scan_detector d);

#endif
