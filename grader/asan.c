/* asan.c - AddressSanitizer and UndefinedBehaviorSanitizer reports into
 * findings.
 *
 * The grader runs ASan + UBSan with halt_on_error=1 (one report per process)
 * and stack_trace_format="    #%n|%f|%s|%l|%c|%m|%o", so a frame line is
 * "#N|function|file|line|column|module|offset". An ASan report:
 *
 *   ==42==ERROR: AddressSanitizer: heap-use-after-free on address 0x60.. at pc ..
 *   READ of size 4 at 0x602000000010 thread T1
 *       #0|report|uaf.c|10|20|prog|0xdf095
 *   0x602000000010 is located 0 bytes inside of 4-byte region [0x60..,0x60..)
 *   freed by thread T0 here:
 *       #1|main|uaf.c|18|5|prog|0xdef72
 *   previously allocated by thread T0 here:
 *       ...
 *   SUMMARY: AddressSanitizer: heap-use-after-free uaf.c:10:20 in report
 *
 * A stack variable is told by "Address 0x.. is located in stack of thread T0
 * at offset 32 in frame", the frame's function, and the object line marked
 * "<== Memory access at offset 32 is inside this variable". UBSan reports are
 * "file.c:9:26: runtime error: MESSAGE", frames, and a SUMMARY line. */
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *text; /* after "AddressSanitizer: " */
    const char *kind;
} kinds[] = {
    {"heap-use-after-free", "use-after-free"},
    {"stack-use-after-return", "stack-use-after-return"},
    {"stack-use-after-scope", "stack-use-after-return"},
    {"heap-buffer-overflow", "out-of-bounds"},
    {"stack-buffer-overflow", "out-of-bounds"},
    {"stack-buffer-underflow", "out-of-bounds"},
    {"global-buffer-overflow", "out-of-bounds"},
    {"dynamic-stack-buffer-overflow", "out-of-bounds"},
    {"container-overflow", "out-of-bounds"},
    {"attempting double-free", "double-free"},
    {"SEGV", "crash"},
    {"BUS", "crash"},
    {"FPE", "crash"},
    {"ILL", "crash"},
    {"ABRT", "crash"},
    {"stack-overflow", "crash"},
};

/* UBSan messages that are a kind of their own; others are undefined-behavior. */
static const struct {
    const char *text;
    const char *kind;
} ub_kinds[] = {
    {"index ", "out-of-bounds"},
    {"null pointer", "crash"},
};

/* Lines that say the runtime itself failed (not the program). */
static const char *const tool_failures[] = {
    "AddressSanitizer CHECK failed",   "CHECK failed:",
    "ReserveShadowMemoryRange failed", "Shadow memory range interleaves",
    "can not mmap the shadow",
};

typedef struct asan_report {
    finding *f;
    stack *cur;
    bool ub;
    char *what;     /* "heap-use-after-free", or UBSan's message */
    char *access;   /* "a read (4 bytes) by a thread" */
    char *region;   /* "0 bytes inside of 4-byte region" */
    char *owner;    /* the function whose frame held the variable */
    char *variable; /* "'id'" */
    int var_line;
    char *var_where;    /* "overflows", "underflows", "inside" */
    bool want_owner;    /* the next frame line is the owner's */
    char *signal_cause; /* "READ memory access", "zero page" */
} asan_report;

static const char *kind_of(const char *what)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (str_starts(what, kinds[i].text)) return kinds[i].kind;
    return "memory-error";
}

static const char *ub_kind_of(const char *msg)
{
    for (size_t i = 0; i < ARRAY_LEN(ub_kinds); i++)
        if (strstr(msg, ub_kinds[i].text)) return ub_kinds[i].kind;
    return "undefined-behavior";
}

/* "thread T0" -> "the main thread", "thread T3" -> "a thread". */
static const char *thread_words(const char *l)
{
    const char *t = strstr(l, "thread T");
    return t && t[8] == '0' && (t[9] < '0' || t[9] > '9') ? "the main thread"
                                                          : "a thread";
}

static void report_begin(asan_report *r, const char *what, bool ub, parse_out *out)
{
    memset(r, 0, sizeof *r);
    r->ub = ub;
    char *w = xstrdup(what);
    if (!ub) {
        char *cut = strstr(w, " on address ");
        if (!cut) cut = strstr(w, " on unknown address ");
        if (!cut && str_starts(w, "attempting double-free"))
            cut = w + strlen("attempting double-free");
        if (!cut) cut = strstr(w, " on 0x");
        if (cut) *cut = 0;
    }
    r->what = w;
    r->f = findings_add(&out->found, ub ? ub_kind_of(w) : kind_of(w), "asan", "");
    r->cur = finding_add_stack(r->f, "Where it happened");
}

/* "READ of size 4 at 0x.. thread T1": the access, and its stack. */
static void report_access(asan_report *r, const char *l)
{
    bool write = str_starts(l, "WRITE");
    int size = atoi(strstr(l, " of size ") + 9);
    free(r->access);
    r->access = xasprintf("a %s (%d bytes) by %s", write ? "write" : "read", size,
                          thread_words(l));
    char *title =
        xasprintf("%s (%d bytes) by %s", write ? "Write" : "Read", size, thread_words(l));
    free(r->f->stacks.items[0].title);
    r->f->stacks.items[0].title = title;
    r->cur = &r->f->stacks.items[0];
}

/* "[32, 36) 'id.i' (line 20) <== Memory access at offset 32 is inside this variable" */
static void report_object(asan_report *r, const char *l)
{
    const char *q1 = strchr(l, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
    if (!q1 || !q2 || r->variable) return;
    size_t n = (size_t)(q2 - q1 - 1);
    const char *dot = memchr(q1 + 1, '.', n); /* "id.i": a variable of an inlined call */
    if (dot) n = (size_t)(dot - q1 - 1);
    r->variable = xasprintf("'%.*s'", (int)n, q1 + 1);
    const char *ln = strstr(l, "(line ");
    r->var_line = ln ? atoi(ln + 6) : 0;
    r->var_where = xstrdup(strstr(l, "overflows")    ? "overflows"
                           : strstr(l, "underflows") ? "underflows"
                                                     : "inside");
}

/* The first frame of s with a line, or NULL. */
static const frame *first_line(const stack *s)
{
    for (size_t i = 0; s && i < s->frames.len; i++)
        if (s->frames.items[i].file && s->frames.items[i].line > 0)
            return &s->frames.items[i];
    return NULL;
}

/* " at file.c:12" of stack s, or "" (caller frees). */
static char *where(const stack *s)
{
    const frame *fr = first_line(s);
    return fr ? xasprintf(" at %s:%d", path_base(fr->file), fr->line) : xstrdup("");
}

/* The stack whose title starts with prefix, or NULL. */
static const stack *stack_titled(const finding *f, const char *prefix)
{
    for (size_t i = 0; i < f->stacks.len; i++)
        if (f->stacks.items[i].title && str_starts(f->stacks.items[i].title, prefix))
            return &f->stacks.items[i];
    return NULL;
}

/* "a heap block of 16 bytes" from "0 bytes to the right of 16-byte region". */
static char *block_words(const asan_report *r)
{
    const char *b = r->region ? strstr(r->region, "-byte region") : NULL;
    if (!b) return xstrdup("a heap block");
    const char *d = b;
    while (d > r->region && d[-1] >= '0' && d[-1] <= '9') d--;
    return xasprintf("a heap block of %d bytes", atoi(d));
}

static void compose_memory(asan_report *r, sbuf *m)
{
    const finding *f = r->f;
    const char *k = f->kind;
    char *at = where(&f->stacks.items[0]);
    const char *access = r->access ? r->access : "an access";
    const stack *freed = stack_titled(f, "Freed"), *alloc = stack_titled(f, "Allocated");
    char *freed_at = where(freed), *alloc_at = where(alloc), *block = block_words(r);
    if (!strcmp(k, "use-after-free")) {
        sbuf_printf(m, "%s%s used %s after it was freed%s", access, at, block, freed_at);
        if (*alloc_at) sbuf_printf(m, " (it was allocated%s)", alloc_at);
    } else if (!strcmp(k, "double-free")) {
        sbuf_printf(m, "%s was freed twice: again%s, after it was freed%s", block, at,
                    freed_at);
    } else if (!strcmp(k, "stack-use-after-return")) {
        bool scope = strstr(r->what, "scope") != NULL;
        sbuf_printf(m, "%s%s used the local variable %s", access, at,
                    r->variable ? r->variable : "(unknown)");
        if (r->owner) sbuf_printf(m, " of %s()", r->owner);
        if (r->var_line) sbuf_printf(m, " (declared at line %d)", r->var_line);
        if (scope)
            sbuf_puts(m, " after the block or the call that declared it had ended");
        else
            sbuf_printf(m, " after %s%s had returned: its stack frame no longer exists",
                        r->owner ? r->owner : "its function", r->owner ? "()" : "");
    } else if (!strcmp(k, "out-of-bounds") && r->variable) {
        const char *side = !strcmp(r->var_where, "underflows") ? "before the start of"
                                                               : "past the end of";
        sbuf_printf(m, "%s%s went %s the local array %s", access, at, side, r->variable);
        if (r->owner) sbuf_printf(m, " of %s()", r->owner);
        if (r->var_line) sbuf_printf(m, " (declared at line %d)", r->var_line);
    } else if (!strcmp(k, "out-of-bounds")) {
        const char *g = r->region ? strstr(r->region, "global variable '") : NULL;
        bool left = r->region && strstr(r->region, "to the left of");
        sbuf_printf(m, "%s%s went %s ", access, at,
                    left ? "before the start of" : "past the end of");
        if (g) {
            const char *q2 = strchr(g + 17, '\'');
            sbuf_printf(m, "the global variable '%.*s'", q2 ? (int)(q2 - g - 17) : 1,
                        g + 17);
        } else {
            sbuf_printf(m, "%s", block);
            if (*alloc_at) sbuf_printf(m, " allocated%s", alloc_at);
        }
    } else if (!strcmp(k, "crash")) {
        sbuf_printf(m, "the program crashed (%s)%s", r->what, at);
        if (r->signal_cause) sbuf_printf(m, ": %s", r->signal_cause);
    } else {
        sbuf_printf(m, "memory error (%s)%s", r->what, at);
    }
    free(at), free(freed_at), free(alloc_at), free(block);
}

static void compose_ub(asan_report *r, sbuf *m)
{
    char *at = where(&r->f->stacks.items[0]);
    if (!strcmp(r->f->kind, "crash"))
        sbuf_printf(m, "a NULL pointer was used%s: %s", at, r->what);
    else if (!strcmp(r->f->kind, "out-of-bounds"))
        sbuf_printf(m, "an array index out of its bounds%s: %s", at, r->what);
    else
        sbuf_printf(m, "undefined behavior%s: %s", at, r->what);
    free(at);
}

static void report_end(asan_report *r)
{
    sbuf m = {0};
    if (r->ub)
        compose_ub(r, &m);
    else
        compose_memory(r, &m);
    free(r->f->message);
    r->f->message = text_stabilize(sbuf_str(&m));
    sbuf_free(&m);
    free(r->what), free(r->access), free(r->region), free(r->owner), free(r->variable),
        free(r->var_where);
    free(r->signal_cause);
    memset(r, 0, sizeof *r);
}

/* A section header: "freed by thread T0 here:" and friends. */
static void report_section(asan_report *r, const char *t)
{
    r->want_owner = false;
    r->cur = NULL;
    if (str_starts(t, "freed by thread")) {
        char *title = xasprintf("Freed by %s", thread_words(t));
        r->cur = finding_add_stack(r->f, title);
        free(title);
    } else if (str_starts(t, "previously allocated by thread") ||
               str_starts(t, "allocated by thread")) {
        char *title = xasprintf("Allocated by %s", thread_words(t));
        r->cur = finding_add_stack(r->f, title);
        free(title);
    }
}

/* "file.c:9:26: runtime error: MESSAGE" -> MESSAGE, or NULL. */
static const char *ub_message(const char *l)
{
    const char *e = strstr(l, ": runtime error: ");
    return e && e != l && *l != ' ' ? e + 17 : NULL;
}

/* One line of a report in progress. */
static void report_line(asan_report *r, const char *l)
{
    const char *t = l;
    while (*t == ' ') t++;
    if (*t == '#') {
        stack tmp = {0};
        if (r->want_owner && sanitizer_frame_parse(t, &tmp) && tmp.frames.len) {
            free(r->owner);
            r->owner = xstrdup(tmp.frames.items[0].function ? tmp.frames.items[0].function
                                                            : "?");
            r->want_owner = false;
        } else if (r->cur) {
            sanitizer_frame_parse(t, r->cur);
        }
        stack_free(&tmp);
    } else if (str_starts(t, "READ of size") || str_starts(t, "WRITE of size")) {
        report_access(r, t);
    } else if (str_starts(t, "Address ") && strstr(t, " is located in stack of thread")) {
        r->cur = NULL;
        r->want_owner = true;
    } else if (str_starts(t, "[") && strstr(t, "<== Memory access")) {
        report_object(r, t);
    } else if (str_starts(t, "0x") && strstr(t, " is located ")) {
        free(r->region);
        r->region = xstrdup(strstr(t, " is located ") + 12);
        r->cur = NULL;
    } else if (strstr(t, "The signal is caused by a ")) {
        free(r->signal_cause);
        r->signal_cause = xasprintf("a %s", strstr(t, "caused by a ") + 12);
        char *dot = strrchr(r->signal_cause, '.');
        if (dot) *dot = 0;
    } else if (strstr(t, "Hint: address points to the zero page")) {
        char *more = xasprintf("%s, through a NULL pointer",
                               r->signal_cause ? r->signal_cause : "an access");
        free(r->signal_cause);
        r->signal_cause = more;
    } else if (t == l && str_ends(t, ":") && !str_starts(t, "SUMMARY")) {
        report_section(r, t);
    }
}

void asan_parse(const char *text, size_t len, parse_out *out)
{
    char *copy = xstrndup(text, len), *save = NULL;
    asan_report r;
    bool in = false;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        bool failed = false;
        for (size_t i = 0; i < ARRAY_LEN(tool_failures) && !failed; i++)
            failed = strstr(l, tool_failures[i]) != NULL;
        if (failed) { /* the log holds only the runtime's own words */
            out->tool_failed = true;
            sbuf_printf(&out->notes, "AddressSanitizer failed: %s\n", l);
            continue;
        }
        const char *e = strstr(l, "ERROR: AddressSanitizer: ");
        const char *ub = ub_message(l);
        if (e || ub) {
            if (in) report_end(&r);
            report_begin(&r, e ? e + 25 : ub, !e, out);
            in = true;
        } else if (in && str_starts(l, "SUMMARY: ")) {
            report_end(&r);
            in = false;
        } else if (in) {
            report_line(&r, l);
        }
    }
    if (in) report_end(&r);
    free(copy);
}
