/* channel.c - the driver's result channel: JSON lines into outputs and findings.
 * The wire format is documented in harness/driver/grader_driver.c. Lines that
 * are not JSON objects of a known type are skipped and noted. */
#include "parse.h"
#include "i18n.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

void channel_add_stack(finding *f, const json_value *frames, const char *title)
{
    if (!frames || frames->type != JSON_ARR) return;
    stack *s = finding_add_stack(f, title);
    for (size_t i = 0; i < frames->len; i++) {
        const json_value *fr = frames->items[i];
        const char *module = json_get_str(fr, "module");
        stack_add_raw(s, module ? module : "?", (uint64_t)json_get_num(fr, "offset", 0),
                      json_get_str(fr, "symbol"));
    }
}

/* The message of a driver's line in the grading's language, from its "fmt"
 * and "args" (see i18n_format), or NULL: keep the English "message". */
static char *channel_translate(const json_value *v)
{
    const char *fmt = json_get_str(v, "fmt");
    const json_value *a = json_get(v, "args");
    if (!fmt || !a || a->type != JSON_ARR || a->len > 32) return NULL;
    const char *args[32];
    for (size_t i = 0; i < a->len; i++) {
        if (a->items[i]->type != JSON_STR) return NULL;
        args[i] = a->items[i]->str;
    }
    return i18n_format(fmt, args, a->len);
}

static const char *signal_story(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return _("a segmentation fault: a NULL, freed or out-of-range pointer was used");
    case SIGBUS:
        return _("a bus error: memory that is not there (a truncated mapping?) was used");
    case SIGFPE:
        return _("an arithmetic error such as a division by zero");
    case SIGILL:
        return _("an illegal instruction (often a corrupted stack or function pointer)");
    case SIGPIPE:
        return _(
            "which happens on a write to a pipe whose reading side has closed it (a "
            "child "
            "that stopped reading or ended): ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) "
            "and handle the EPIPE error that write() then returns");
    case SIGABRT:
        return _("abort(), usually a failed assert() or a corrupted heap");
    default:
        return _("a fatal signal");
    }
}

char *channel_crash_message(int sig)
{
    const char *name = sigabbrev_np(sig);
    return xasprintf(_("the program was killed by SIG%s, %s"), name ? name : "?",
                     signal_story(sig));
}

static void handle(const json_value *v, parse_out *out)
{
    const char *type = json_get_str(v, "type");
    if (!type) return;
    const char *token = json_get_str(v, "token");
    if (out->token[0] && (!token || strcmp(token, out->token))) {
        /* written by someone who does not know the run's secret: the program */
        sbuf_printf(&out->notes,
                    "driver channel: ignored a line without the run's token\n");
        return;
    }
    if (!strcmp(type, "start")) {
        out->started = true;
    } else if (!strcmp(type, "out")) {
        const char *k = json_get_str(v, "key"), *val = json_get_str(v, "value");
        if (!k || !val) return;
        kv *slot = VEC_PUSH(&out->outs);
        slot->key = xstrdup(k);
        slot->value = xstrdup(val);
    } else if (!strcmp(type, "finding")) {
        const char *kind = json_get_str(v, "kind");
        if (!kind) return;
        char *told = channel_translate(v);
        finding *f = findings_add(&out->found, kind_lookup(kind) ? kind : "wrong-result",
                                  "driver", told ? told : json_get_str(v, "message"));
        free(told);
        channel_add_stack(f, json_get(v, "stack"), NULL);
        double within = json_get_num(v, "within", 0);
        if (f->stacks.len && within >= 1 &&
            within < (double)f->stacks.items[f->stacks.len - 1].frames.len)
            f->stacks.items[f->stacks.len - 1].within = (int)within;
        const json_value *more = json_get(v, "stacks"); /* titled call sites */
        for (size_t i = 0; more && more->type == JSON_ARR && i < more->len; i++)
            channel_add_stack(f, json_get(more->items[i], "stack"),
                              json_get_str(more->items[i], "title"));
    } else if (!strcmp(type, "crash")) {
        int sig = (int)json_get_num(v, "signal", 0);
        out->crash_signal = sig;
        char *msg = channel_crash_message(sig);
        finding *f = findings_add(&out->found, "crash", "sandbox", msg);
        free(msg);
        channel_add_stack(f, json_get(v, "stack"), _("Where it crashed"));
    } else if (!strcmp(type, "done")) {
        out->done = true;
        out->done_status = (int)json_get_num(v, "status", 0);
    }
}

static void channel_line(void *ctx, const json_value *v)
{
    parse_out *out = ctx;
    if (v && v->type == JSON_OBJ)
        handle(v, out);
    else
        sbuf_printf(&out->notes, "driver channel: skipped a line that is not JSON\n");
}

void channel_parse(const char *text, size_t len, parse_out *out)
{
    json_lines(text, len, channel_line, out);
}
