/* tsan.c - ThreadSanitizer reports into findings.
 *
 * The grader runs TSan with stack_trace_format="    #%n|%f|%s|%l|%c|%m|%o",
 * so a frame line is "#N|function|file|line|column|module|offset" and reports
 * sit between "==================" lines:
 *
 *   WARNING: ThreadSanitizer: data race (pid=4432)
 *     Write of size 4 at 0x55c95c0e4258 by thread T2:
 *       #0|w|race.c|4|50|race|0xd0101
 *     Previous write of size 4 at 0x55c95c0e4258 by thread T1 (mutexes: write M0):
 *       ...
 *     Location is global 'counter' of size 4 at 0x55c95c0e4258 (race+0x1476258)
 *   SUMMARY: ThreadSanitizer: data race race.c:4:50 in w
 *
 * Fatal signals come as "==N==ERROR: ThreadSanitizer: SEGV on unknown address"
 * followed by frames and a SUMMARY line, outside the separators. */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *text; /* after "ThreadSanitizer: " */
    const char *kind;
} kinds[] = {
    {"data race", "data-race"},
    {"lock-order-inversion", "lock-order-inversion"},
    {"thread leak", "thread-leak"},
    {"unlock of an unlocked mutex", "mutex-misuse"},
    {"destroy of a locked mutex", "mutex-misuse"},
    {"double lock of a mutex", "mutex-misuse"},
    {"read lock of a write locked mutex", "mutex-misuse"},
    {"read unlock of a write locked mutex", "mutex-misuse"},
    {"mutex held in the wrong context", "mutex-misuse"},
    {"signal-unsafe call inside of a signal", "signal-unsafe"},
    {"signal handler spoils errno", "signal-unsafe"},
    {"heap-use-after-free", "memory-error"},
    {"SEGV", "crash"},
    {"BUS", "crash"},
    {"FPE", "crash"},
    {"ILL", "crash"},
    {"ABRT", "crash"},
    {"stack-overflow", "crash"},
    {"use of an invalid mutex", "mutex-misuse"},
};

static const char *kind_of(const char *what)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (str_starts(what, kinds[i].text)) return kinds[i].kind;
    return "data-race";
}

/* "#0|fn|file|line|col|module|offset" -> frame in s. */
static bool frame_parse(const char *l, stack *s)
{
    while (*l == ' ') l++;
    if (*l != '#' || !strchr(l, '|')) return false;
    char *copy = xstrdup(l), *f[7] = {0}, *p = copy;
    for (int i = 0; i < 7 && p; i++) {
        f[i] = p;
        p = strchr(p, '|');
        if (p) *p++ = 0;
    }
    const char *fn = f[1] && strcmp(f[1], "<null>") ? f[1] : NULL;
    const char *file = f[2] && strcmp(f[2], "<null>") && *f[2] ? f[2] : NULL;
    int line = f[3] ? atoi(f[3]) : 0;
    stack_add_frame(s, fn, file, line);
    free(copy);
    return true;
}

/* Section headers worth a stack: accesses, lock acquisitions, leaked threads.
 * Creation stacks of mutexes are noise for a student. */
static bool section_wanted(const char *h)
{
    return !str_starts(h, "Mutex M") || strstr(h, "acquired here") || strstr(h, "previously acquired");
}

typedef struct tsan_report {
    char *what;     /* "data race" */
    sbuf detail;    /* location lines, cycle line */
    finding *f;     /* the finding under construction, in out->found */
    stack *cur;
    int sections;
    char *first, *second; /* first two section headers */
    int more_leaks;
} tsan_report;

static void report_begin(tsan_report *r, const char *what, parse_out *out)
{
    memset(r, 0, sizeof *r);
    char *w = xstrdup(what);
    char *paren = strstr(w, " (pid=");
    if (paren) *paren = 0;
    r->what = w;
    r->f = findings_add(&out->found, kind_of(w), "tsan", "");
}

static void report_section(tsan_report *r, const char *h)
{
    char *t = xstrdup(h);
    size_t n = strlen(t);
    if (n && t[n - 1] == ':') t[n - 1] = 0;
    char *stable = text_stabilize(t);
    free(t);
    r->cur = section_wanted(stable) ? finding_add_stack(r->f, stable) : NULL;
    if (r->sections == 0) r->first = xstrdup(stable);
    else if (r->sections == 1) r->second = xstrdup(stable);
    r->sections++;
    free(stable);
}

static char *lower_first(const char *s)
{
    char *c = xstrdup(s);
    if (c[0] >= 'A' && c[0] <= 'Z' && !(c[1] >= 'A' && c[1] <= 'Z')) c[0] = (char)(c[0] - 'A' + 'a');
    return c;
}

/* Composes the finding's message from what the report said. */
static void report_end(tsan_report *r, parse_out *out)
{
    sbuf m = {0};
    const char *k = r->f->kind;
    if (!strcmp(k, "data-race") && r->first && r->second) {
        char *second = lower_first(r->second);
        sbuf_printf(&m, "%s, and %s, with nothing ordering the two", r->first, second);
        free(second);
    } else if (!strcmp(k, "thread-leak") && r->first) {
        sbuf_printf(&m, "%s and was never joined", r->first);
        if (r->more_leaks) sbuf_printf(&m, " (and %d more like it)", r->more_leaks);
    } else {
        sbuf_puts(&m, r->what);
        if (r->first && strcmp(k, "lock-order-inversion")) sbuf_printf(&m, ": %s", r->first);
    }
    if (r->detail.len) sbuf_printf(&m, ". %s", r->detail.data);
    char *stable = text_stabilize(sbuf_str(&m));
    free(r->f->message);
    r->f->message = stable;
    sbuf_free(&m);
    free(r->what);
    free(r->first);
    free(r->second);
    sbuf_free(&r->detail);
}

static void detail_add(tsan_report *r, const char *l)
{
    char *t = xstrdup(l);
    char *paren = strstr(t, " (");
    if (paren && strstr(paren, "+0x")) *paren = 0; /* "(race+0x1476258)" */
    if (r->detail.len) sbuf_puts(&r->detail, "; ");
    sbuf_puts(&r->detail, t);
    free(t);
}

void tsan_parse(const char *text, size_t len, parse_out *out)
{
    char *copy = xstrndup(text, len), *save = NULL;
    tsan_report r;
    bool in = false;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        const char *w = strstr(l, "WARNING: ThreadSanitizer: ");
        const char *e = strstr(l, "ERROR: ThreadSanitizer: ");
        if (w || e) {
            if (in) report_end(&r, out);
            report_begin(&r, (w ? w + 26 : e + 24), out);
            in = true;
            if (e) report_section(&r, "Where it happened");
            continue;
        }
        if (strstr(l, "FATAL: ThreadSanitizer") || strstr(l, "CHECK failed")) {
            out->tool_failed = true;
            sbuf_printf(&out->notes, "ThreadSanitizer failed: %s\n", l);
            continue;
        }
        if (!in) continue;
        const char *t = l;
        while (*t == ' ') t++;
        if (str_starts(l, "SUMMARY: ThreadSanitizer") || str_starts(l, "==================")) {
            report_end(&r, out);
            in = false;
        } else if (*t == '#') {
            if (r.cur) frame_parse(t, r.cur);
        } else if (str_starts(t, "Location is ") || str_starts(t, "Cycle in lock order graph")) {
            detail_add(&r, t);
        } else if (str_starts(t, "And ") && strstr(t, "more similar thread leaks")) {
            r.more_leaks = atoi(t + 4);
        } else if (t != l && *t && t[strlen(t) - 1] == ':') {
            report_section(&r, t);
        }
    }
    if (in) report_end(&r, out);
    free(copy);
}
