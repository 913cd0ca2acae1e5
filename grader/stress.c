/* stress.c - the stress shim's JSON lines (harness/shim/PROTOCOL.md) into
 * findings: deadlocks, self-deadlocks and lost wake-ups, each with the stacks
 * of the threads involved. */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

static void add_thread_stacks(finding *f, const json_value *th)
{
    const char *tid = json_get_str(th, "tid");
    const json_value *holds = json_get(th, "holds");
    for (size_t i = 0; holds && holds->type == JSON_ARR && i < holds->len; i++) {
        const char *obj = json_get_str(holds->items[i], "obj");
        char *title = xasprintf("%s holds %s, acquired here", tid ? tid : "?", obj ? obj : "a lock");
        channel_add_stack(f, json_get(holds->items[i], "stack"), title);
        free(title);
    }
    const json_value *waits = json_get(th, "waits");
    if (waits && waits->type == JSON_OBJ) {
        const char *obj = json_get_str(waits, "obj");
        const char *op = json_get_str(waits, "op");
        char *title = xasprintf("%s waits (%s) for %s here", tid ? tid : "?", op ? op : "wait",
                                obj ? obj : "?");
        channel_add_stack(f, json_get(waits, "stack"), title);
        free(title);
    }
}

static void handle(const json_value *v, parse_out *out)
{
    const char *type = json_get_str(v, "type");
    if (!type || strcmp(type, "finding")) return;
    const char *kind = json_get_str(v, "kind");
    if (!kind) return;
    finding *f = findings_add(&out->found, kind_lookup(kind) ? kind : "deadlock", "stress",
                              json_get_str(v, "message"));
    const json_value *threads = json_get(v, "threads");
    for (size_t i = 0; threads && threads->type == JSON_ARR && i < threads->len; i++)
        add_thread_stacks(f, threads->items[i]);
}

void stress_parse(const char *text, size_t len, parse_out *out)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n) {
            json_value *v = json_parse(p, n, NULL);
            if (v && v->type == JSON_OBJ) handle(v, out);
            json_free(v);
        }
        p += n + 1;
    }
}
