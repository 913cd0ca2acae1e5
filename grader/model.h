/* model.h - the one internal result model.
 *
 * Tool parsers produce findings; the spec module turns runs into check results;
 * every reporter (text, JSON, ...) reads a report. A report owns everything
 * reachable from it: free it with report_free. */
#ifndef GRADER_MODEL_H
#define GRADER_MODEL_H

#include "util.h"
#include "json.h"

#define GRADER_VERSION "1.0.0"
#define GRADER_API     1

typedef enum { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_ERROR, OUTCOME_SKIPPED } outcome;
const char *outcome_name(outcome o);
int outcome_parse(const char *s); /* -1 if unknown */

typedef struct frame {
    char *function;  /* NULL when unknown */
    char *file;      /* relative to the build directory for our files, else a basename */
    int line;        /* 0 when unknown */
    char *module;    /* unsymbolized: the object file holding the code (internal) */
    uint64_t offset; /* unsymbolized: offset of the code in module (internal) */
} frame;

typedef struct stack {
    char *title; /* e.g. "Write by thread T2"; may be NULL */
    struct {
        frame *items;
        size_t len, cap;
    } frames;
    /* frames [0, within) are candidates, best first, for the place inside
     * frame `within`'s function where it went wrong: stacks_tidy keeps the
     * first one in that function instead of it, and drops the others
     * (internal) */
    int within;
} stack;

typedef struct finding {
    char *kind; /* from the vocabulary below */
    char *tool; /* build | tsan | helgrind | stress | driver | sandbox */
    char *file; /* the student's file when any frame points into it */
    int line;
    char *function;
    char *message;
    struct {
        stack *items;
        size_t len, cap;
    } stacks;
    bool has_seed;
    uint64_t seed;
    int count; /* how many times it was seen (>= 1) */
    char *key; /* dedup key; internal */
} finding;

typedef struct findings {
    finding *items;
    size_t len, cap;
} findings;

/* One scheduling event of a stress schedule (see grader/trace.h). */
typedef struct trace_event {
    long seq, step, value;
    int pid; /* the process: 1, 2... in order of appearance */
    char tid[16], op[24], obj[24], result[24], peer[16];
    bool nondeterministic;
    char *function, *file; /* where the program called, when known */
    int line;
} trace_event;

/* Fills e's scheduling fields (seq, step, pid, value, nondeterministic, tid,
 * op, obj, result, peer) from one event object, whether the shim's line or
 * a report's; strings are cut to their fields. Location fields untouched. */
void trace_event_read(trace_event *e, const json_value *v);

typedef struct trace {
    struct {
        trace_event *items;
        size_t len, cap;
    } events;
    char **threads; /* lane names: "T0", "T1"... ("PID:T0" with several processes) */
    size_t nthreads;
    size_t folded; /* earlier events left out */
} trace;

void trace_free(trace *t);
/* Keeps only the last n events (counting the rest in folded). */
void trace_keep_last(trace *t, size_t n);

typedef struct check_result {
    char *name, *title;
    outcome outcome;
    double score, max_score;
    bool graded; /* false: error or skipped for an error; excluded from max */
    char *message, *hint;
    bool has_seed;
    uint64_t seed;
    int64_t duration_ms;
    findings findings;
    char *replay;   /* command that replays this check, or NULL */
    trace schedule; /* the schedule of the first failing stress run, if any */
} check_result;

typedef struct report {
    char *exercise, *title;
    char *submission;  /* the graded directory as given */
    char *source;      /* the student's file name, e.g. "threads.c" */
    char *source_path; /* the graded file as named (shown, never read), or NULL */
    char *source_text; /* the graded file's bytes as taken at intake (for excerpts), or
                          NULL */
    outcome outcome;
    double score, max_score;
    int64_t duration_ms;
    uint64_t seed;
    char *error; /* grading-level error (bad spec, missing tools), or NULL */
    struct {
        check_result *items;
        size_t len, cap;
    } checks;
} report;

/* --- finding kinds: the documented vocabulary --------------------------- */
typedef struct kind_info {
    const char *name;
    const char *title; /* short human title */
    const char *hint;  /* default advice for a student */
} kind_info;
/* The kind with its title and hint in the language in force (static, valid
 * until the next lookup of that kind), or NULL if not in the vocabulary.
 * kind_all gives the English table. */
const kind_info *kind_lookup(const char *name);
const kind_info *kind_all(size_t *n);

/* Replaces control characters (but newline and tab) in s with '?', in place,
 * so text from programs cannot drive a terminal; returns s. */
char *text_clean(char *s);

/* --- building ----------------------------------------------------------- */
finding *findings_add(findings *fs, const char *kind, const char *tool,
                      const char *message);
stack *finding_add_stack(finding *f, const char *title);
void stack_add_frame(stack *s, const char *function, const char *file, int line);
/* A frame still to be symbolized (see symbolize_findings). */
void stack_add_raw(stack *s, const char *module, uint64_t offset, const char *symbol);
/* Points file/line/function at the first frame whose file is `source`
 * (the student's file), else at the first frame with a known line. */
void finding_locate(finding *f, const char *source);
/* Moves every finding of src into dst, merging duplicates (same kind, tool,
 * location and message) by adding to count. src is left empty. */
void findings_merge(findings *dst, findings *src);
void findings_copy(findings *dst, const findings *src);
bool findings_has_kind(const findings *fs, const char *kind);
/* Stable sort, most explanatory kind first (the vocabulary's order). */
void findings_sort(findings *fs);

void stack_free(stack *s); /* its frames and title; s itself is the caller's */
void finding_free(finding *f);
void findings_free(findings *fs);
void check_result_free(check_result *c);
void report_free(report *r);

/* Totals: score, max_score and outcome from the checks. */
void report_total(report *r);

/* --- JSON form (the fixed report schema) ---------------------------------- */
void finding_to_json(json_writer *w, const finding *f);
/* The fields of finding_to_json's object, inside an object the caller opened
 * (to add fields of its own). */
void finding_fields_to_json(json_writer *w, const finding *f);
void trace_to_json(json_writer *w, const trace *t);
void check_to_json(json_writer *w, const check_result *c);
void report_to_json(json_writer *w, const report *r);
/* Reads what check_to_json / finding_to_json wrote; 0 or -1. */
int check_from_json(const json_value *v, check_result *c);
int finding_from_json(const json_value *v, finding *f);

#endif
