/* text.h - the one text-sanitising layer every report writes through.
 *
 * Text from a run (compiler messages quoting the student's lines, program
 * output, file and function names, hints from a spec) is arbitrary bytes:
 * a student's editor may save Latin-1, a program may print escape codes.
 * text_put appends such text so that what comes out is valid UTF-8 (each
 * invalid byte becomes U+FFFD), holds no control character but newline and
 * tab (the others become '?'), and is escaped for the format it goes into:
 * one row of one table per format (text.c). */
#ifndef GRADER_TEXT_H
#define GRADER_TEXT_H

#include "util.h"

typedef enum {
    TEXT_PLAIN,   /* sanitised only */
    TEXT_XML,     /* XML 1.0 content or a quoted attribute: & < > " ' escaped */
    TEXT_HTML,    /* the same for HTML */
    TEXT_MD,      /* Markdown inline text: every character that could start
                     markup is backslash-escaped but `code spans`; line breaks
                     kept */
    TEXT_MD_CELL, /* a Markdown table cell: as TEXT_MD, '|' escaped, one line */
} text_fmt;

/* The length of the valid UTF-8 sequence at p (n > 0 bytes left), or 0 when
 * p does not start one (overlong forms and surrogates are invalid). */
size_t text_utf8_len(const unsigned char *p, size_t n);

/* Appends n bytes of s to b in format f, sanitised as above. */
void text_putn(sbuf *b, text_fmt f, const char *s, size_t n);
/* The same for a NUL-terminated s; NULL appends nothing. */
void text_put(sbuf *b, text_fmt f, const char *s);
/* A sanitised copy of s (TEXT_PLAIN; caller frees); NULL gives "". */
char *text_sanitize(const char *s);

/* Appends s as a Markdown fenced code block: a fence longer than any run of
 * backticks in s, the info string lang (may be ""), every line of s prefixed
 * with indent (for a list item; may be ""), sanitised, never escaped. */
void text_md_fence(sbuf *b, const char *lang, const char *s, const char *indent);
/* Appends s as a Markdown inline code span (backticks chosen so that none in
 * s closes it; s kept on one line). */
void text_md_code(sbuf *b, const char *s);

/* Appends a hint (or any advice) as Markdown: lines indented by four spaces
 * or a tab, and runs of lines that end like C statements (`;`, `{`, `}`),
 * are code and become fenced `c` blocks; the other lines keep their breaks.
 * Every line is prefixed with indent. */
void text_md_advice(sbuf *b, const char *s, const char *indent);

#endif
