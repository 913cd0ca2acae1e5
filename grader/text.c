/* text.c - see text.h. */
#include "text.h"

#include <ctype.h>
#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* One row per format: the ASCII characters it escapes, and how. */
typedef struct fmt_rule {
    const char *special; /* escaped characters */
    bool entity;         /* as &name; (else with a backslash) */
    bool markdown;       /* code spans kept, line starts escaped, breaks kept */
    bool one_line;       /* newlines and tabs become spaces */
} fmt_rule;

static const fmt_rule rules[] = {
    [TEXT_PLAIN] = {"", false, false, false},
    [TEXT_XML] = {"&<>\"'", true, false, false},
    [TEXT_HTML] = {"&<>\"'", true, false, false},
    [TEXT_MD] = {"\\*_[]<>#|~&!$", false, true, false},
    [TEXT_MD_CELL] = {"\\*_[]<>#|~&!$", false, true, true},
};

size_t text_utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80) return 1;
    size_t len = p[0] >= 0xC2 && p[0] <= 0xDF   ? 2
                 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
                 : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
                                                : 0;
    if (!len || len > n) return 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (p[0] == 0xE0) lo = 0xA0;
    if (p[0] == 0xED) hi = 0x9F;
    if (p[0] == 0xF0) lo = 0x90;
    if (p[0] == 0xF4) hi = 0x8F;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return len;
}

static void put_entity(sbuf *b, unsigned char c)
{
    switch (c) {
    case '&':
        sbuf_puts(b, "&amp;");
        break;
    case '<':
        sbuf_puts(b, "&lt;");
        break;
    case '>':
        sbuf_puts(b, "&gt;");
        break;
    case '"':
        sbuf_puts(b, "&quot;");
        break;
    default:
        sbuf_puts(b, "&#39;");
        break;
    }
}

/* Appends the UTF-8 sequence at p (k bytes, valid), or what stands for it:
 * C1 controls become '?', the noncharacters U+FFFE and U+FFFF (not XML) the
 * replacement character. */
static void put_wide(sbuf *b, const unsigned char *p, size_t k)
{
    if (k == 2 && p[0] == 0xC2 && p[1] < 0xA0)
        sbuf_putc(b, '?');
    else if (k == 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)
        sbuf_puts(b, REPLACEMENT);
    else
        sbuf_add(b, p, k);
}

/* The length of the Markdown code span that starts at p (a run of backticks
 * closed by a run of the same length), or 0 when none closes. */
static size_t md_code_span(const char *p, size_t n)
{
    size_t open = 0;
    while (open < n && p[open] == '`') open++;
    for (size_t i = open; i < n;) {
        if (p[i] != '`') {
            i++;
            continue;
        }
        size_t run = 0;
        while (i + run < n && p[i + run] == '`') run++;
        if (run == open) return i + run;
        i += run;
    }
    return 0;
}

/* At the start of a Markdown line: escapes what would open a block there
 * (a list item, a setext underline, an ordered item "1."). Returns the bytes
 * consumed from s. */
static size_t md_line_start(sbuf *b, const char *s, size_t n)
{
    size_t w = 0, d = 0;
    while (w < n && s[w] == ' ') w++;
    while (w + d < n && d < 9 && isdigit((unsigned char)s[w + d])) d++;
    if (d && w + d < n && (s[w + d] == '.' || s[w + d] == ')')) {
        sbuf_add(b, s, w + d);
        sbuf_putc(b, '\\');
        sbuf_putc(b, s[w + d]);
        return w + d + 1;
    }
    if (w < n && (s[w] == '-' || s[w] == '+' || s[w] == '=')) {
        sbuf_add(b, s, w);
        sbuf_putc(b, '\\');
        sbuf_putc(b, s[w]);
        return w + 1;
    }
    return 0;
}

/* A code span of Markdown text: sanitised, kept verbatim on one line. */
static void md_span(sbuf *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = text_utf8_len(p + i, n - i);
        if (!k)
            sbuf_puts(b, REPLACEMENT), k = 1;
        else if (p[i] < 0x20 || p[i] == 0x7F)
            sbuf_putc(b, p[i] == '\n' || p[i] == '\t' ? ' ' : '?');
        else
            put_wide(b, p + i, k);
        i += k;
    }
}

void text_putn(sbuf *b, text_fmt f, const char *s, size_t n)
{
    const fmt_rule *r = &rules[f];
    const unsigned char *p = (const unsigned char *)s;
    bool line_start = true;
    if (r->markdown)
        while (n && (s[n - 1] == '\n' || s[n - 1] == ' ')) n--; /* no break at the end */
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (r->markdown && line_start && !r->one_line) {
            line_start = false;
            size_t used = md_line_start(b, s + i, n - i);
            if (used) {
                i += used;
                continue;
            }
        }
        size_t k = text_utf8_len(p + i, n - i), span;
        if (!k) {
            sbuf_puts(b, REPLACEMENT);
            k = 1;
        } else if (c == '\n' && r->markdown && !r->one_line) {
            while (i + 1 < n && (p[i + 1] == '\n' || p[i + 1] == ' ')) i++;
            sbuf_puts(b, "\\\n"); /* a hard line break, the paragraph goes on */
            line_start = true;
        } else if ((c == '\n' || c == '\t') && r->one_line) {
            sbuf_putc(b, ' ');
        } else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
            sbuf_putc(b, '?');
        } else if (c == '`' && r->markdown && (span = md_code_span(s + i, n - i))) {
            md_span(b, p + i, span);
            k = span;
        } else if (c == '`' && r->markdown) {
            sbuf_puts(b, "\\`");
        } else if (c < 0x80 && c && strchr(r->special, c)) {
            if (r->entity)
                put_entity(b, c);
            else
                sbuf_putc(b, '\\'), sbuf_putc(b, (char)c);
        } else {
            put_wide(b, p + i, k);
        }
        i += k;
    }
}

void text_put(sbuf *b, text_fmt f, const char *s)
{
    if (s) text_putn(b, f, s, strlen(s));
}

char *text_sanitize(const char *s)
{
    sbuf b = {0};
    text_put(&b, TEXT_PLAIN, s);
    return b.data ? sbuf_take(&b) : xstrdup("");
}

/* The longest run of c in s. */
static size_t longest_run(const char *s, char c)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = *s == c ? run + 1 : 0;
        if (run > best) best = run;
    }
    return best;
}

void text_md_fence(sbuf *b, const char *lang, const char *s, const char *indent)
{
    size_t ticks = longest_run(s, '`') + 1;
    if (ticks < 3) ticks = 3;
    sbuf_puts(b, indent);
    for (size_t i = 0; i < ticks; i++) sbuf_putc(b, '`');
    sbuf_printf(b, "%s\n", lang);
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        sbuf_puts(b, indent);
        text_putn(b, TEXT_PLAIN, p, n);
        sbuf_putc(b, '\n');
        p += n + (nl ? 1 : 0);
    }
    sbuf_puts(b, indent);
    for (size_t i = 0; i < ticks; i++) sbuf_putc(b, '`');
    sbuf_putc(b, '\n');
}

void text_md_code(sbuf *b, const char *s)
{
    size_t ticks = longest_run(s, '`') + 1;
    for (size_t i = 0; i < ticks; i++) sbuf_putc(b, '`');
    bool pad = *s == '`' || (*s && s[strlen(s) - 1] == '`');
    if (pad) sbuf_putc(b, ' ');
    md_span(b, (const unsigned char *)s, strlen(s));
    if (pad) sbuf_putc(b, ' ');
    for (size_t i = 0; i < ticks; i++) sbuf_putc(b, '`');
}

/* Is this line of advice code? Indented by four spaces or a tab, or ending
 * like a C statement or block. */
static bool code_line(const char *p, size_t n)
{
    if (n && p[0] == '\t') return true;
    if (n >= 4 && !strncmp(p, "    ", 4)) return true;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r')) n--;
    return n && (p[n - 1] == ';' || p[n - 1] == '{' || p[n - 1] == '}');
}

void text_md_advice(sbuf *b, const char *s, const char *indent)
{
    sbuf code = {0}, prose = {0};
    const char *p = s ? s : "";
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        sbuf *to = code_line(p, n) ? &code : &prose;
        sbuf *other = to == &code ? &prose : &code;
        if (other->len) { /* a run ends: write it */
            if (other == &code)
                text_md_fence(b, "c", code.data, indent);
            else
                sbuf_puts(b, indent), text_put(b, TEXT_MD, prose.data),
                    sbuf_puts(b, "\n\n");
            other->len = 0;
            other->data[0] = 0;
        }
        if (to == &prose && prose.len) sbuf_putc(to, '\n');
        sbuf_add(to, p, n);
        if (to == &code) sbuf_putc(to, '\n');
        p += n + (nl ? 1 : 0);
    }
    if (code.len) text_md_fence(b, "c", code.data, indent);
    if (prose.len)
        sbuf_puts(b, indent), text_put(b, TEXT_MD, prose.data), sbuf_putc(b, '\n');
    sbuf_free(&code);
    sbuf_free(&prose);
}
