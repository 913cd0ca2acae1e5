/* trace.c - see trace.h. */
#include "trace.h"
#include "i18n.h"
#include "json.h"
#include "symbolize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The lane name of an event: its thread, prefixed by the process when the
 * trace has several. */
static void lane_name(const trace_event *e, bool many, char *buf, size_t cap)
{
    if (many)
        snprintf(buf, cap, "P%d:%s", e->pid, e->tid);
    else
        snprintf(buf, cap, "%s", e->tid);
}

/* Lanes in a natural order: by process, then T0, T1, ... T10. */
static int lane_cmp(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int px = x[0] == 'P' ? atoi(x + 1) : 0, py = y[0] == 'P' ? atoi(y + 1) : 0;
    if (px != py) return px < py ? -1 : 1;
    const char *tx = strchr(x, 'T'), *ty = strchr(y, 'T');
    long nx = tx ? atol(tx + 1) : 0, ny = ty ? atol(ty + 1) : 0;
    return nx < ny ? -1 : nx > ny;
}

static size_t lane_of(trace *t, const char *name)
{
    for (size_t i = 0; i < t->nthreads; i++)
        if (!strcmp(t->threads[i], name)) return i;
    t->threads = xrealloc(t->threads, sizeof *t->threads * (t->nthreads + 1));
    t->threads[t->nthreads] = xstrdup(name);
    return t->nthreads++;
}

/* Resolves every event's site in one symbolizer call: the sites are put in one
 * finding's stack, symbolized and tidied like any finding's frames. */
static void sites_resolve(trace *t, const json_value **sites, const char *binary,
                          const char *build_dir)
{
    findings fs = {0};
    finding *f = findings_add(&fs, "deadlock", "stress", "");
    stack *st = finding_add_stack(f, NULL);
    for (size_t i = 0; i < t->events.len; i++) {
        const json_value *s = sites[i];
        const char *module = s ? json_get_str(s, "module") : NULL;
        stack_add_raw(st, module ? module : "?", (uint64_t)json_get_num(s, "offset", 0),
                      json_get_str(s, "symbol"));
    }
    symbolize_findings(&fs, binary);
    for (size_t i = 0; i < t->events.len && i < st->frames.len; i++) {
        frame *fr = &st->frames.items[i];
        if (!sites[i]) continue;
        const char *file = fr->file;
        size_t n = build_dir ? strlen(build_dir) : 0;
        if (file && n && !strncmp(file, build_dir, n) && file[n] == '/') file += n + 1;
        if (file && strchr(file, '/')) file = NULL; /* not the exercise's sources */
        t->events.items[i].file = xstrdup(file);
        t->events.items[i].line = file ? fr->line : 0;
        t->events.items[i].function = xstrdup(fr->function);
    }
    findings_free(&fs);
}

int trace_parse(const char *text, size_t len, const char *binary, const char *build_dir,
                trace *out)
{
    memset(out, 0, sizeof *out);
    const json_value **sites = NULL;
    json_value **keep = NULL;
    size_t nkeep = 0, cap = 0;
    int first_pid = 0;
    bool many = false;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_value *v = n ? json_parse(p, n, NULL) : NULL;
        p += n + 1;
        const char *type = json_get_str(v, "type");
        if (!type || strcmp(type, "event")) {
            json_free(v);
            continue;
        }
        trace_event *e = VEC_PUSH(&out->events);
        trace_event_read(e, v);
        if (!first_pid) first_pid = e->pid;
        many |= e->pid != first_pid;
        if (nkeep == cap) {
            cap = cap ? cap * 2 : 64;
            keep = xrealloc(keep, sizeof *keep * cap);
            sites = xrealloc(sites, sizeof *sites * cap);
        }
        keep[nkeep] = v;
        sites[nkeep++] = json_get(v, "site");
    }
    if (nkeep) sites_resolve(out, sites, binary, build_dir);
    /* process ids change from run to run: number processes 1, 2... instead */
    int pids[64], npids = 0;
    for (size_t i = 0; i < out->events.len; i++) {
        int pid = out->events.items[i].pid, k = 0;
        while (k < npids && pids[k] != pid) k++;
        if (k == npids && npids < 64) pids[npids++] = pid;
        out->events.items[i].pid = k + 1;
    }
    for (size_t i = 0; i < out->events.len; i++) {
        char name[48];
        lane_name(&out->events.items[i], many, name, sizeof name);
        lane_of(out, name);
    }
    qsort(out->threads, out->nthreads, sizeof *out->threads, lane_cmp);
    for (size_t i = 0; i < nkeep; i++) json_free(keep[i]);
    free(keep);
    free(sites);
    return 0;
}

size_t trace_lane(const trace *t, const trace_event *e)
{
    bool many = t->nthreads && t->threads[0][0] == 'P';
    char name[48];
    lane_name(e, many, name, sizeof name);
    for (size_t i = 0; i < t->nthreads; i++)
        if (!strcmp(t->threads[i], name)) return i;
    return t->nthreads;
}

/* "lock M1 blocked T2" */
void trace_event_words(const trace_event *e, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s", e->op);
    if (*e->obj && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, " %s", e->obj);
    if (*e->result && strcmp(e->result, "ok") && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, " %s", e->result);
    if (*e->peer && (size_t)n < cap) snprintf(buf + n, cap - (size_t)n, " %s", e->peer);
}

/* The lanes drawn for the shown events: the threads that act there, in
 * lane order, at most max (the last one then stands for the rest). */
static size_t lanes_pick(const trace *t, const bool *show, size_t *lanes, size_t max)
{
    size_t n = 0;
    bool *used = xmalloc(t->nthreads + 1);
    for (size_t k = 0; k < t->events.len; k++)
        if (show[k]) used[trace_lane(t, &t->events.items[k])] = true;
    for (size_t i = 0; i < t->nthreads; i++)
        if (used[i] && n < max) lanes[n++] = i;
    free(used);
    return n;
}

/* Shows up to `budget` marked events before `from` as well, the most
 * important (then the latest) first. */
static void extras_pick(const trace_mark *m, size_t from, bool *show, size_t budget)
{
    for (int kind = TRACE_MARK_CYCLE; kind >= TRACE_MARK_CRITICAL && budget; kind--)
        for (size_t k = from; k-- > 0 && budget;)
            if ((int)m[k].kind == kind) show[k] = true, budget--;
}

/* One row: marker, step, the words in the event's lane, where, why. */
static void text_row(const trace *t, const trace_event *e, const trace_mark *m,
                     const size_t *lanes, size_t nl, sbuf *out)
{
    enum { LANE = 22 };
    char words[160];
    size_t lane = trace_lane(t, e), col = nl;
    for (size_t i = 0; i < nl; i++)
        if (lanes[i] == lane) col = i;
    trace_event_words(e, words, sizeof words);
    if (col == nl) {
        /* a thread without a lane of its own: its name leads the words */
        char tmp[160];
        snprintf(tmp, sizeof tmp, "%.20s: %.120s",
                 lane < t->nthreads ? t->threads[lane] : e->tid, words);
        memcpy(words, tmp, sizeof words);
        col = nl - 1;
    }
    if (strlen(words) > LANE - 2) words[LANE - 2] = 0;
    char flag = m && m->kind >= TRACE_MARK_CRITICAL     ? '!'
                : m && m->kind == TRACE_MARK_AT_FINDING ? '>'
                                                        : ' ';
    sbuf_printf(out, " %c%6ld  ", flag, e->step);
    for (size_t i = 0; i < nl; i++)
        sbuf_printf(out, "%-*s", LANE, i == col ? words : "|");
    if (e->file && e->line > 0) sbuf_printf(out, "%s:%d", e->file, e->line);
    if (e->nondeterministic) sbuf_puts(out, " (timing)");
    if (m && m->kind >= TRACE_MARK_CRITICAL && m->note)
        sbuf_printf(out, "  ← %s", m->note);
    sbuf_putc(out, '\n');
}

void trace_text(const trace *t, const findings *fs, size_t last, sbuf *out)
{
    enum { LANE = 22, MAX_LANES = 6, EXTRA = 8 };
    size_t n = t->events.len, from = last && n > last ? n - last : 0;
    trace_mark *m = trace_marks(t, fs);
    bool *show = xmalloc(n + 1), crit = false, line = false;
    for (size_t k = from; k < n; k++) show[k] = true;
    if (m) extras_pick(m, from, show, EXTRA);
    for (size_t k = 0; m && k < n; k++) {
        crit |= show[k] && m[k].kind >= TRACE_MARK_CRITICAL;
        line |= show[k] && m[k].kind == TRACE_MARK_AT_FINDING;
    }
    size_t lanes[MAX_LANES];
    size_t nl = lanes_pick(t, show, lanes, MAX_LANES);
    if (crit || line)
        sbuf_printf(out, "  (%s%s%s)\n", crit ? _("! what made it go wrong") : "",
                    crit && line ? ", " : "",
                    line ? _("> at the line of a finding") : "");
    size_t hidden = t->folded, k = 0;
    while (k < n && !show[k]) k++, hidden++;
    if (hidden)
        sbuf_printf(out,
                    ngettext("  … %zu earlier event folded\n",
                             "  … %zu earlier events folded\n", hidden),
                    hidden);
    sbuf_printf(out, "  %6s  ", _("step"));
    for (size_t i = 0; i < nl; i++) sbuf_printf(out, "%-*s", LANE, t->threads[lanes[i]]);
    sbuf_printf(out, "%s\n", _("where"));
    for (hidden = 0; k < n; k++) {
        if (!show[k]) {
            hidden++;
            continue;
        }
        if (hidden)
            sbuf_printf(
                out,
                ngettext("  … %zu event folded\n", "  … %zu events folded\n", hidden),
                hidden);
        hidden = 0;
        text_row(t, &t->events.items[k], m ? &m[k] : NULL, lanes, nl, out);
    }
    free(show);
    trace_marks_free(m, n);
}
