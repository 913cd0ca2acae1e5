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

static void add_thread_stacks(finding *f, const json_value *th)
{
    const char *tid = json_get_str(th, "tid");
    const json_value *holds = json_get(th, "holds");
    for (size_t i = 0; holds && holds->type == JSON_ARR && i < holds->len; i++) {
        const char *obj = json_get_str(holds->items[i], "obj");
        char *title = xasprintf(_("%s holds %s, acquired here"), tid ? tid : "?", obj ? obj : _("a lock"));
        channel_add_stack(f, json_get(holds->items[i], "stack"), title);
        free(title);
    }
    const json_value *waits = json_get(th, "waits");
    if (waits && waits->type == JSON_OBJ) {
        const char *state = json_get_str(th, "state");
        char *title = xasprintf("%s %s, here", tid ? tid : "?", state ? state : "waits");
        channel_add_stack(f, json_get(waits, "stack"), title);
        free(title);
    }
}

static void finding_line(const json_value *v, parse_out *out)
{
    finding *f = findings_add(&out->found, kind_of(json_get_str(v, "kind")), "stress", json_get_str(v, "message"));
    const json_value *threads = json_get(v, "threads");
    for (size_t i = 0; threads && threads->type == JSON_ARR && i < threads->len; i++)
        add_thread_stacks(f, threads->items[i]);
    /* a lost wake-up: the signal that reached nobody */
    const json_value *sig = json_get(v, "signal");
    if (sig && sig->type == JSON_OBJ && json_get(sig, "site")) {
        json_value one = {.type = JSON_ARR, .len = 1};
        json_value *site = (json_value *)json_get(sig, "site");
        one.items = &site;
        const char *tid = json_get_str(sig, "tid"), *op = json_get_str(sig, "op"), *obj = json_get_str(sig, "obj");
        char *title = xasprintf(_("%s sent this %s on %s at step %ld while nobody waited: it was lost"),
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
        msg = xasprintf(_("thread %s called abort()"), json_get_str(v, "tid") ? json_get_str(v, "tid") : "?");
    } else {
        const char *expr = json_get_str(v, "expr");
        msg = xasprintf(_("the assertion `%s` failed in thread %s"), expr ? expr : "?",
                        json_get_str(v, "tid") ? json_get_str(v, "tid") : "?");
    }
    finding *f = findings_add(&out->found, "crash", "stress", msg);
    free(msg);
    channel_add_stack(f, json_get(v, "stack"), is_abort ? _("Where abort() was called") : _("Where the assertion failed"));
}

static void handle(const json_value *v, parse_out *out)
{
    const char *type = json_get_str(v, "type");
    if (!type) return;
    if (!strcmp(type, "finding")) finding_line(v, out);
    else if (!strcmp(type, "assert")) assert_line(v, out, false);
    else if (!strcmp(type, "abort")) assert_line(v, out, true);
    else if (!strcmp(type, "end") && json_get_num(v, "steps", 0) > out->stress_steps)
        out->stress_steps = (long)json_get_num(v, "steps", 0);
    else if (!strcmp(type, "truncated")) sbuf_printf(&out->notes, "stress: the trace was cut at its size limit\n");
}

static void stress_line(void *ctx, const json_value *v)
{
    if (v && v->type == JSON_OBJ) handle(v, ctx);
}

void stress_parse(const char *text, size_t len, parse_out *out)
{
    json_lines(text, len, stress_line, out);
}
