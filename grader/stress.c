/* stress.c - the stress shim's JSON lines (harness/shim/PROTOCOL.md) into
 * findings: deadlocks, self-deadlocks, lost wake-ups and stalls with the
 * stacks of the threads involved, failed assertions and aborts. The
 * schedule's trace is rendered for people by trace.c. */
#include "parse.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "stall" has no kind of its own: every thread blocked for good is a deadlock. */
static const char *kind_of(const char *k)
{
    if (!k) return "deadlock";
    if (!strcmp(k, "stall")) return "deadlock";
    return kind_lookup(k) ? k : "deadlock";
}

static char *state_told(const char *state);

static void add_thread_stacks(finding *f, const json_value *th)
{
    const char *tid = json_get_str(th, "tid");
    const json_value *holds = json_get(th, "holds");
    for (size_t i = 0; holds && holds->type == JSON_ARR && i < holds->len; i++) {
        const char *obj = json_get_str(holds->items[i], "obj");
        char *title = xasprintf(_("%s holds %s, acquired here"), tid ? tid : "?",
                                obj ? obj : _("a lock"));
        channel_add_stack(f, json_get(holds->items[i], "stack"), title);
        free(title);
    }
    const json_value *waits = json_get(th, "waits");
    if (waits && waits->type == JSON_OBJ) {
        const char *state = json_get_str(th, "state");
        char *told = state_told(state);
        /* report_html.c finds a lane's wait by "TID " and this ", here" */
        char *title = xasprintf("%s %s%s", tid ? tid : "?",
                                told    ? told
                                : state ? state
                                        : "waits",
                                _(", here"));
        channel_add_stack(f, json_get(waits, "stack"), title);
        free(title);
        free(told);
    }
}

/* --- the shim's messages in the grading's language ---------------------------
 * The shim writes its findings in English from a few fixed sentences (see
 * harness/shim/diag.c) and loads no catalog; the grader reads them back
 * piece by piece and tells them again through its own catalog. A message
 * that does not read as expected stays English. */

/* Consumes lit at *p. */
static bool eat(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n)) return false;
    *p += n;
    return true;
}

/* Consumes a name such as "T3" or "M12" (its letter in letters) into buf. */
static bool eat_name(const char **p, const char *letters, char *buf, size_t cap)
{
    const char *q = *p;
    if (!*q || !strchr(letters, *q)) return false;
    size_t n = 1;
    while (q[n] >= '0' && q[n] <= '9') n++;
    if (n == 1 || n >= cap) return false;
    memcpy(buf, q, n);
    buf[n] = 0;
    *p = q + n;
    return true;
}

/* One thread's state ("waits for M2"), told into b. */
static bool shim_state(const char **p, sbuf *b)
{
    char x[24];
    if (eat(p, "waits for itself")) {
        sbuf_puts(b, _("waits for itself"));
    } else if (eat(p, "waits for T")) {
        (*p)--;
        if (!eat_name(p, "T", x, sizeof x) || !eat(p, " to exit")) return false;
        sbuf_printf(b, _("waits for %s to exit"), x);
    } else if (eat(p, "waits for ")) {
        if (!eat_name(p, "MRSCBO", x, sizeof x)) return false;
        sbuf_printf(b, _("waits for %s"), x);
    } else if (eat(p, "waits to read-lock ")) {
        if (!eat_name(p, "R", x, sizeof x)) return false;
        sbuf_printf(b, _("waits to read-lock %s"), x);
    } else if (eat(p, "waits to write-lock ")) {
        if (!eat_name(p, "R", x, sizeof x)) return false;
        sbuf_printf(b, _("waits to write-lock %s"), x);
    } else if (eat(p, "waits on ")) {
        if (!eat_name(p, "CSMRBO", x, sizeof x)) return false;
        sbuf_printf(b, _("waits on %s"), x);
    } else if (eat(p, "waits at ")) {
        if (!eat_name(p, "BSCMRO", x, sizeof x)) return false;
        sbuf_printf(b, _("waits at %s"), x);
    } else if (eat(p, "joins")) {
        sbuf_puts(b, _("joins"));
    } else if (eat(p, "sleeps")) {
        sbuf_puts(b, _("sleeps"));
    } else if (eat(p, "runs")) {
        sbuf_puts(b, _("runs"));
    } else {
        return false;
    }
    return true;
}

/* The list "T1 waits for M2, which T2 holds; T2 ..." up to its final ".". */
static bool shim_threads(const char **p, sbuf *b)
{
    for (bool first = true;; first = false) {
        char t[24], o[24];
        if (!first && !eat(p, "; ")) break;
        if (!eat_name(p, "T", t, sizeof t) || !eat(p, " ")) return false;
        sbuf_printf(b, "%s%s ", first ? "" : "; ", t);
        if (!shim_state(p, b)) return false;
        if (eat(p, ", which ")) {
            if (!eat_name(p, "T", o, sizeof o) || !eat(p, " holds")) return false;
            sbuf_printf(b, _(", which %s holds"), o);
        } else if (eat(p, " (held by a thread that does not exist in this process)")) {
            sbuf_puts(b, _(" (held by a thread that does not exist in this process)"));
        } else if (eat(p, " (held by a thread that has exited)")) {
            sbuf_puts(b, _(" (held by a thread that has exited)"));
        }
    }
    return true;
}

/* "Lost wake-up: ... . " at the start of a stall's message. */
static bool shim_lost(const char **p, sbuf *b)
{
    char t[24], c[24], c2[24], x[24], y[24];
    unsigned long long step;
    int used = 0;
    if (!eat(p, "Lost wake-up: ")) return true;
    if (!eat_name(p, "T", t, sizeof t) || !eat(p, " waits on ") ||
        !eat_name(p, "C", c, sizeof c))
        return false;
    if (eat(p, " forever: a signal on ")) {
        if (!eat_name(p, "C", c2, sizeof c2) || !eat(p, " from ") ||
            !eat_name(p, "T", x, sizeof x) || !eat(p, " woke ") ||
            !eat_name(p, "T", y, sizeof y) ||
            !eat(p, ", which went back to waiting without passing it on (one condition "
                    "variable for two "
                    "conditions, or signal where broadcast is needed). "))
            return false;
        sbuf_printf(b,
                    _("Lost wake-up: %s waits on %s forever: a signal on %s from %s woke "
                      "%s, which went back to "
                      "waiting without passing it on (one condition variable for two "
                      "conditions, or signal "
                      "where broadcast is needed). "),
                    t, c, c2, x, y);
        return true;
    }
    bool bcast;
    if (!eat(p, " forever, but ") || !eat_name(p, "C", c2, sizeof c2)) return false;
    if (eat(p, " was broadcast by "))
        bcast = true;
    else if (eat(p, " was signalled by "))
        bcast = false;
    else
        return false;
    if (!eat_name(p, "T", x, sizeof x) ||
        sscanf(*p, " at step %llu while no thread waited on it. %n", &step, &used) != 1 ||
        !used)
        return false;
    *p += used;
    sbuf_printf(b,
                bcast ? _("Lost wake-up: %s waits on %s forever, but %s was broadcast by "
                          "%s at step %llu while no "
                          "thread waited on it. ")
                      : _("Lost wake-up: %s waits on %s forever, but %s was signalled by "
                          "%s at step %llu while no "
                          "thread waited on it. "),
                t, c, c2, x, step);
    return true;
}

/* The self-deadlock sentence. */
static bool shim_self(const char **p, sbuf *b)
{
    char t[24], o[24], t2[24];
    if (!eat(p, "Self-deadlock: ") || !eat_name(p, "T", t, sizeof t)) return false;
    if (eat(p, " asks to write-lock ")) {
        if (!eat_name(p, "R", o, sizeof o) ||
            !eat(p, " while it holds a read lock on it, so it waits for itself forever."))
            return false;
        sbuf_printf(b,
                    _("Self-deadlock: %s asks to write-lock %s while it holds a read "
                      "lock on it, so it waits for "
                      "itself forever."),
                    t, o);
        return true;
    }
    if (!eat(p, " locks ") || !eat_name(p, "MR", o, sizeof o) ||
        !eat(p, " again while already holding it; the mutex is not recursive, so ") ||
        !eat_name(p, "T", t2, sizeof t2) || !eat(p, " waits for itself forever."))
        return false;
    sbuf_printf(b,
                _("Self-deadlock: %s locks %s again while already holding it; the mutex "
                  "is not recursive, so %s "
                  "waits for itself forever."),
                t, o, t2);
    return true;
}

/* A thread's state from the shim ("waits for M2") in the grading's
 * language (caller frees), or NULL: keep it. */
static char *state_told(const char *state)
{
    if (!state || !strcmp(i18n_lang(), "en")) return NULL;
    const char *p = state;
    sbuf b = {0};
    if (shim_state(&p, &b) && !*p) return sbuf_take(&b);
    sbuf_free(&b);
    return NULL;
}

/* en told in the grading's language (caller frees), or NULL: keep en. */
static char *shim_message(const char *en)
{
    if (!en || !strcmp(i18n_lang(), "en")) return NULL;
    const char *p = en;
    sbuf b = {0};
    bool ok;
    if (str_starts(p, "Self-deadlock: ")) {
        ok = shim_self(&p, &b);
    } else if (eat(&p, "Deadlock: ")) {
        sbuf_puts(&b, _("Deadlock: "));
        ok = shim_threads(&p, &b) && eat(&p, ". None of them can continue.");
        if (ok) sbuf_puts(&b, _(". None of them can continue."));
    } else {
        ok = shim_lost(&p, &b);
        if (ok && eat(&p, "Every thread is blocked and none can wake another: "))
            sbuf_puts(&b, _("Every thread is blocked and none can wake another: "));
        else if (ok && eat(&p, "Every thread is blocked until a deadline passes: "))
            sbuf_puts(&b, _("Every thread is blocked until a deadline passes: "));
        else
            ok = false;
        ok = ok && shim_threads(&p, &b) && eat(&p, ".");
        if (ok) sbuf_putc(&b, '.');
    }
    if (!ok || *p) {
        sbuf_free(&b);
        return NULL;
    }
    return sbuf_take(&b);
}

static void finding_line(const json_value *v, parse_out *out)
{
    char *told = shim_message(json_get_str(v, "message"));
    finding *f = findings_add(&out->found, kind_of(json_get_str(v, "kind")), "stress",
                              told ? told : json_get_str(v, "message"));
    free(told);
    const json_value *threads = json_get(v, "threads");
    for (size_t i = 0; threads && threads->type == JSON_ARR && i < threads->len; i++)
        add_thread_stacks(f, threads->items[i]);
    /* a lost wake-up: the signal that reached nobody */
    const json_value *sig = json_get(v, "signal");
    if (sig && sig->type == JSON_OBJ && json_get(sig, "site")) {
        json_value one = {.type = JSON_ARR, .len = 1};
        json_value *site = (json_value *)json_get(sig, "site");
        one.items = &site;
        const char *tid = json_get_str(sig, "tid"), *op = json_get_str(sig, "op"),
                   *obj = json_get_str(sig, "obj");
        char *title = xasprintf(
            _("%s sent this %s on %s at step %ld while nobody waited: it was lost"),
            tid ? tid : "?", op ? op : "signal", obj ? obj : "?",
            (long)json_get_num(sig, "step", 0));
        channel_add_stack(f, &one, title);
        free(title);
    }
}

static void assert_line(const json_value *v, parse_out *out, bool is_abort)
{
    char *msg;
    if (is_abort) {
        msg = xasprintf(_("thread %s called abort()"),
                        json_get_str(v, "tid") ? json_get_str(v, "tid") : "?");
    } else {
        const char *expr = json_get_str(v, "expr");
        msg = xasprintf(_("the assertion `%s` failed in thread %s"), expr ? expr : "?",
                        json_get_str(v, "tid") ? json_get_str(v, "tid") : "?");
    }
    finding *f = findings_add(&out->found, "crash", "stress", msg);
    free(msg);
    channel_add_stack(f, json_get(v, "stack"),
                      is_abort ? _("Where abort() was called")
                               : _("Where the assertion failed"));
}

static void handle(const json_value *v, parse_out *out)
{
    const char *type = json_get_str(v, "type");
    if (!type) return;
    if (!strcmp(type, "finding"))
        finding_line(v, out);
    else if (!strcmp(type, "assert"))
        assert_line(v, out, false);
    else if (!strcmp(type, "abort"))
        assert_line(v, out, true);
    else if (!strcmp(type, "end") && json_get_num(v, "steps", 0) > out->stress_steps)
        out->stress_steps = (long)json_get_num(v, "steps", 0);
    else if (!strcmp(type, "truncated"))
        sbuf_printf(&out->notes, "stress: the trace was cut at its size limit\n");
}

static void stress_line(void *ctx, const json_value *v)
{
    if (v && v->type == JSON_OBJ) handle(v, ctx);
}

void stress_parse(const char *text, size_t len, parse_out *out)
{
    json_lines(text, len, stress_line, out);
}
