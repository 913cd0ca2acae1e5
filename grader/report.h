/* report.h - reporters: one result model, many formats, registered by name. */
#ifndef GRADER_REPORT_H
#define GRADER_REPORT_H

#include "model.h"

typedef struct report_opts {
    bool color;   /* ANSI colours (terminal, and NO_COLOR unset) */
    int verbose;  /* show passing checks' details, all stacks */
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

/* One finding as the text report shows it: kind, tool, place, message,
 * the lines around it (when f->file is r->source, from r->source_text, the
 * bytes taken at intake: no file is read) and its stacks. */
void report_finding_text(const report *r, const finding *f, const report_opts *o, sbuf *b);

/* Lines mark-context..mark+context of a file's text (NULL: none), numbered,
 * with `mark` flagged (caller frees), or NULL. */
char *source_excerpt(const char *text, int mark, int context, bool color);

#endif
