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
#include "i18n.h"

#include <stdio.h>
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
    {"heap-use-after-free", "use-after-free"},
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

/* Section headers worth a stack: accesses, lock acquisitions, leaked threads.
 * Creation stacks of mutexes are noise for a student. */
static bool section_wanted(const char *h)
{
    return !str_starts(h, "Mutex M") || strstr(h, "acquired here") ||
           strstr(h, "previously acquired");
}

typedef struct tsan_report {
    char *what;  /* "data race" */
    sbuf detail; /* location lines, cycle line */
    finding *f;  /* the finding under construction, in out->found */
    stack *cur;
    int sections;
    char *first, *second; /* first two section headers */
    int more_leaks;
    bool lead; /* the report's own stack came before any section header */
} tsan_report;

static void report_begin(tsan_report *r, const char *what, parse_out *out)
{
    memset(r, 0, sizeof *r);
    char *w = xstrdup(what);
    char *paren = strstr(w, " (pid=");
    if (!paren)
        paren = strstr(w, " (pc "); /* "SEGV on ... (pc 0x.. bp 0x.. sp 0x.. T123)" */
    if (paren) *paren = 0;
    r->what = w;
    r->f = findings_add(&out->found, kind_of(w), "tsan", "");
}

/* The stack right under the report's first line (misuse reports, fatal
 * signals): the line itself says what happened there. */
static void report_lead(tsan_report *r)
{
    r->cur = finding_add_stack(r->f, _("Where it happened"));
    r->lead = true;
}

static void report_section(tsan_report *r, const char *h)
{
    char *t = xstrdup(h);
    size_t n = strlen(t);
    if (n && t[n - 1] == ':') t[n - 1] = 0;
    char *stable = text_stabilize(t);
    free(t);
    r->cur = section_wanted(stable) ? finding_add_stack(r->f, stable) : NULL;
    if (r->sections == 0)
        r->first = xstrdup(stable);
    else if (r->sections == 1)
        r->second = xstrdup(stable);
    r->sections++;
    free(stable);
}

/* One memory access of a race: "Previous write of size 8 by thread T2
 * (mutexes: write M0)" -> op "write", size 8, main false, locked true. */
typedef struct access {
    char op[32];
    int size;
    bool main, locked;
    const frame *at; /* its first frame with a line */
} access;

static void access_parse(const char *h, const stack *st, access *a)
{
    memset(a, 0, sizeof *a);
    if (str_starts(h, "Previous ")) h += 9;
    const char *of = strstr(h, " of size ");
    size_t n = of ? (size_t)(of - h) : 0;
    if (n >= sizeof a->op) n = sizeof a->op - 1;
    for (size_t i = 0; i < n; i++)
        a->op[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] - 'A' + 'a' : h[i]);
    if (!n) snprintf(a->op, sizeof a->op, "access");
    a->size = of ? atoi(of + 9) : 0;
    a->main = strstr(h, "by main thread") != NULL;
    a->locked = strstr(h, "(mutexes:") != NULL;
    for (size_t i = 0; st && i < st->frames.len && !a->at; i++)
        if (st->frames.items[i].file) a->at = &st->frames.items[i];
}

/* Orders accesses by where they happened, so a race reads the same whichever
 * thread TSan happened to catch first. */
static int access_cmp(const access *a, const access *b)
{
    if (!a->at || !b->at) return a->at ? -1 : b->at ? 1 : strcmp(a->op, b->op);
    int c = strcmp(path_base(a->at->file), path_base(b->at->file));
    if (c) return c;
    if (a->at->line != b->at->line) return a->at->line < b->at->line ? -1 : 1;
    return strcmp(a->op, b->op);
}

/* The kinds of access TSan names, as a stack's title and inside a sentence. */
static const struct {
    const char *op, *title, *phrase;
} access_words[] = {
    {"write", N_("Write"), N_("a write")},
    {"read", N_("Read"), N_("a read")},
    {"atomic write", N_("Atomic write"), N_("an atomic write")},
    {"atomic read", N_("Atomic read"), N_("an atomic read")},
    {"access", N_("Access"), N_("an access")},
};

static void access_describe(const access *a, sbuf *b, bool title)
{
    size_t w = 0;
    while (w < ARRAY_LEN(access_words) && strcmp(access_words[w].op, a->op)) w++;
    if (w < ARRAY_LEN(access_words)) {
        sbuf_puts(b, _(title ? access_words[w].title : access_words[w].phrase));
    } else {
        sbuf_printf(b, "%s%s", title && a->op[0] ? "" : "a ", a->op);
        if (title && b->len) {
            size_t at = b->len - strlen(a->op);
            if (b->data[at] >= 'a' && b->data[at] <= 'z')
                b->data[at] = (char)(b->data[at] - 'a' + 'A');
        }
    }
    if (a->size)
        sbuf_printf(b, ngettext(" (%d byte)", " (%d bytes)", (unsigned long)a->size),
                    a->size);
    sbuf_puts(b, a->main ? _(" by the main thread") : _(" by a thread"));
    if (a->locked) sbuf_puts(b, _(" holding a lock"));
    if (!title && a->at && a->at->line > 0)
        sbuf_printf(b, _(" at %s:%d"), path_base(a->at->file), a->at->line);
    else if (!title && a->at)
        sbuf_printf(b, _(" in %s (%s)"), a->at->function ? a->at->function : "?",
                    path_base(a->at->file));
}

/* "Location is global 'next' of size 8" -> "the global 'next'" (caller frees). */
static char *location_words(const char *detail)
{
    const char *l = detail;
    if (!str_starts(l, "Location is ")) return NULL;
    l += 12;
    if (str_starts(l, "global ")) {
        const char *q1 = strchr(l, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
        if (q1 && q2)
            return xasprintf(_("the global variable %.*s"), (int)(q2 - q1 + 1), q1);
    }
    if (str_starts(l, "stack of main thread"))
        return xstrdup(_("a local variable of the main thread"));
    if (str_starts(l, "stack of thread"))
        return xstrdup(_("a local variable of a thread"));
    if (str_starts(l, "heap block of size ")) {
        int size = atoi(l + 19);
        return xasprintf(ngettext("a heap block of %d byte", "a heap block of %d bytes",
                                  (unsigned long)size),
                         size);
    }
    char *end = strchr(l, ';');
    return end ? xstrndup(l, (size_t)(end - l)) : xstrdup(l);
}

/* A data race: two accesses in a stable order, their stacks only. */
static void race_compose(tsan_report *r, sbuf *m)
{
    finding *f = r->f;
    access a, b;
    access_parse(r->first, f->stacks.len > 0 ? &f->stacks.items[0] : NULL, &a);
    access_parse(r->second, f->stacks.len > 1 ? &f->stacks.items[1] : NULL, &b);
    if (f->stacks.len >= 2 && access_cmp(&a, &b) > 0) {
        stack tmp = f->stacks.items[0];
        f->stacks.items[0] = f->stacks.items[1];
        f->stacks.items[1] = tmp;
        access t = a;
        a = b;
        b = t;
        /* the frames moved with their stacks */
        access_parse(r->second, &f->stacks.items[0], &a);
        access_parse(r->first, &f->stacks.items[1], &b);
    }
    for (size_t i = 0; i < 2 && i < f->stacks.len; i++) {
        sbuf t = {0};
        access_describe(i == 0 ? &a : &b, &t, true);
        free(f->stacks.items[i].title);
        f->stacks.items[i].title = sbuf_take(&t);
    }
    char *loc = r->detail.len ? location_words(r->detail.data) : NULL;
    sbuf one = {0}, two = {0};
    access_describe(&a, &one, false);
    access_describe(&b, &two, false);
    sbuf_printf(
        m,
        _("two threads use %s at the same time: %s and %s, with nothing ordering them"),
        loc ? loc : _("the same memory"), sbuf_str(&one), sbuf_str(&two));
    sbuf_free(&one);
    sbuf_free(&two);
    free(loc);
}

/* Keeps the first n stacks of f. */
static void stacks_keep(finding *f, size_t n)
{
    while (f->stacks.len > n) stack_free(&f->stacks.items[--f->stacks.len]);
}

/* Composes the finding's message from what the report said. */
static void report_end(tsan_report *r, parse_out *out)
{
    sbuf m = {0};
    const char *k = r->f->kind;
    bool race = !strcmp(k, "data-race") && r->first && r->second;
    if (race) {
        stacks_keep(r->f, 2);
        race_compose(r, &m);
    } else if (!strcmp(k, "thread-leak") && r->first) {
        size_t n = strlen(r->first);
        if (str_ends(r->first, " at"))
            r->first[n - 3] = 0; /* "created by main thread at" */
        sbuf_printf(&m, _("%s and was never joined"), r->first);
        if (r->more_leaks)
            sbuf_printf(&m,
                        ngettext(" (and %d more like it)", " (and %d more like it)",
                                 (unsigned long)r->more_leaks),
                        r->more_leaks);
    } else {
        sbuf_puts(&m, r->what);
        if (r->first && !r->lead && strcmp(k, "lock-order-inversion"))
            sbuf_printf(&m, ": %s", r->first);
    }
    if (r->detail.len && !race) sbuf_printf(&m, ". %s.", r->detail.data);
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
    if (strstr(l, "global '?"
                  "?'"))
        return; /* an unsymbolized duplicate of a stack location */
    char *t = xstrdup(l);
    char *paren = strstr(t, " (");
    if (paren && strstr(paren, "+0x")) *paren = 0; /* "(race+0x1476258)" */
    size_t n = strlen(t);
    while (n && (t[n - 1] == '.' || t[n - 1] == ':' || t[n - 1] == ' ')) t[--n] = 0;
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
            if (e) report_lead(&r);
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
        if (str_starts(l, "SUMMARY: ThreadSanitizer") ||
            str_starts(l, "==================")) {
            report_end(&r, out);
            in = false;
        } else if (*t == '#') {
            /* frames right under the WARNING line: where the misuse happened */
            if (!r.cur && !r.sections) report_lead(&r);
            if (r.cur) sanitizer_frame_parse(t, r.cur);
        } else if (str_starts(t, "Location is ") ||
                   str_starts(t, "Cycle in lock order graph")) {
            detail_add(&r, t);
            if (t[strlen(t) - 1] == ':') r.cur = NULL; /* an allocation stack follows */
        } else if (str_starts(t, "And ") && strstr(t, "more similar thread leaks")) {
            r.more_leaks = atoi(t + 4);
        } else if (t != l && *t && t[strlen(t) - 1] == ':') {
            report_section(&r, t);
        }
    }
    if (in) report_end(&r, out);
    free(copy);
}
