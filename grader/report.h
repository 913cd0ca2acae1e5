/* report.h - reporters: one result model, many formats, registered by name. */
#ifndef GRADER_REPORT_H
#define GRADER_REPORT_H

#include "model.h"

typedef struct report_opts {
    bool color;  /* ANSI colours (terminal, and NO_COLOR unset) */
    int verbose; /* show passing checks' details, all stacks */
    /* The command that grades one check again where the report is read,
     * without the check's name (e.g. ".grader/bin/grader grade threads
     * threads --only "), and the program as invoked (".grader/bin/grader");
     * NULL: "grader grade EXERCISE --only " and "grader". */
    const char *rerun, *program;
    bool no_score; /* a replay: it ran a part of the exercise, its score means nothing */
} report_opts;

typedef void (*report_fn)(const report *r, const report_opts *o, sbuf *out);

typedef struct reporter {
    const char *name;
    report_fn write;
    const char *about;
} reporter;

const reporter *reporter_lookup(const char *name); /* NULL if unknown */
const reporter *reporter_all(size_t *n);

void report_text(const report *r, const report_opts *o, sbuf *out);
void report_json(const report *r, const report_opts *o, sbuf *out);
void report_classroom(const report *r, const report_opts *o, sbuf *out);
void report_gradescope(const report *r, const report_opts *o, sbuf *out);
void report_junit(const report *r, const report_opts *o, sbuf *out);
void report_markdown(const report *r, const report_opts *o, sbuf *out);
void report_html(const report *r, const report_opts *o, sbuf *out);

/* A failed check told in plain text (message, findings, hint, replay), at
 * most cap bytes (caller frees). */
char *check_story(const check_result *c, size_t cap);

/* The Markdown story of one check (message, findings with every site and
 * the student's lines, hint with its code fenced, replay), appended to b. */
void report_md_check(const report *r, const check_result *c, sbuf *b);

/* f's message without a leading "Kind-title:" (the heading names the kind
 * already); points into f->message, or "". */
const char *finding_text(const finding *f);

/* The points of the checks that could not be graded (errors), which every
 * total leaves out of its maximum and every report must say. */
double report_ungraded_points(const report *r);

/* One finding as the text report shows it: kind, tool, place, message,
 * the lines around it (when f->file is r->source, from r->source_text, the
 * bytes taken at intake: no file is read) and its stacks. */
void report_finding_text(const report *r, const finding *f, const report_opts *o,
                         sbuf *b);

/* Lines mark-context..mark+context of a file's text (NULL: none), numbered,
 * with `mark` flagged (caller frees), or NULL. */
char *source_excerpt(const char *text, int mark, int context, bool color);

#endif
