/* model.c - see model.h. */
#include "model.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

static const char *const outcome_names[] = {"pass", "fail", "error", "skipped"};

const char *outcome_name(outcome o)
{
    return outcome_names[o];
}

int outcome_parse(const char *s)
{
    for (size_t i = 0; i < ARRAY_LEN(outcome_names); i++)
        if (s && !strcmp(s, outcome_names[i])) return (int)i;
    return -1;
}

/* The vocabulary of finding kinds, most explanatory first: a check's message
 * speaks of its first finding, so a data race outranks the wrong result it
 * caused. Hints speak to a student who has just met the idea; a spec can
 * override them per check. */
static const kind_info kinds[] = {
    {"build-error", N_("does not compile"),
     N_("Fix the first compiler error first; later ones are often caused by it.")},
    {"build-warning", N_("compiler warning"),
     N_("Warnings often point at real bugs (a missing return, a wrong pointer type).")},
    {"lock-held", N_("lock left held"),
     N_("A function returned (or a thread ended) still holding a lock it took, so the "
        "next "
        "thread that needs it waits forever. On every return path, the early ones too "
        "(an error, "
        "a bad argument), unlock each lock the function took before returning.")},
    {"deadlock", N_("deadlock"),
     N_("Threads wait for each other in a cycle. Take locks in one fixed order, and "
        "never "
        "wait (join, read, lock) while holding a lock the other side needs.")},
    {"self-deadlock", N_("self-deadlock"),
     N_("A thread locked a non-recursive mutex it already holds and waits for itself "
        "forever. Use a recursive mutex (PTHREAD_MUTEX_RECURSIVE, like Python's RLock) "
        "or "
        "restructure so the inner step does not lock again.")},
    {"lost-wakeup", N_("lost wake-up"),
     N_("A thread waits on a condition nobody will signal again. Wait in a while loop "
        "that "
        "re-checks the condition, and signal (or broadcast) every condition that "
        "changed.")},
    {"data-race", N_("data race"),
     N_("Two threads touched the same memory, at least one writing, with nothing "
        "ordering "
        "them. Protect the shared data with a mutex held by every access, or give each "
        "thread its own copy.")},
    {"lock-order-inversion", N_("lock-order inversion (potential deadlock)"),
     N_("Two locks were taken in opposite orders by different threads. Pick one global "
        "order (for example by account number or address) and always lock in that "
        "order.")},
    {"use-after-free", N_("use after free"),
     N_("Memory was used after free() gave it back. Free a block only once nobody (no "
        "other "
        "thread either) will use it again: after pthread_join, or when its last user is "
        "done.")},
    {"stack-use-after-return", N_("use of a finished function's stack"),
     N_("A pointer to a local variable outlived the function (or block) that declared "
        "it. "
        "Memory a thread keeps using must outlive the thread: malloc it, or keep it in "
        "the "
        "caller's frame until every thread that uses it is joined.")},
    {"double-free", N_("double free"),
     N_("A block was freed twice. Decide which part of the code owns each block and free "
        "it "
        "there exactly once (setting the pointer to NULL afterwards helps).")},
    {"out-of-bounds", N_("out of bounds"),
     N_("An access went outside an array or a malloc'd block. Check loop limits (< n, "
        "not <= n) "
        "and that every block is allocated with room for all its elements.")},
    {"undefined-behavior", N_("undefined behavior"),
     N_("The C standard leaves this operation undefined (a signed overflow, an invalid "
        "shift, a "
        "misaligned pointer): the compiler may do anything. Use a wider or unsigned "
        "type, or check "
        "the operands first.")},
    {"crash", N_("crash"),
     N_("The program was killed by a signal. Look at the line shown: a NULL or freed "
        "pointer, an index out of range, or a stack overflow.")},
    {"memory-error", N_("memory error"),
     N_("Memory was used after it was freed or outside its bounds.")},
    {"invariant", N_("invariant broken"),
     N_("A property that must always hold was seen broken under a particular "
        "interleaving. "
        "A check and the action that depends on it must happen under one lock.")},
    {"lost-update", N_("lost update"),
     N_("Updates were lost: a read-modify-write of shared data was not atomic. Do the "
        "whole update under one lock (or with one atomic operation).")},
    {"not-concurrent", N_("not concurrent"),
     N_("The calls ran one after another instead of at the same time. Start every thread "
        "(or request) before waiting for any of them.")},
    {"thread-leak", N_("thread left running"),
     N_("Every thread you create must be joined before the function returns.")},
    {"zombie", N_("zombie process"),
     N_("A child process was not waited for. Call waitpid for every child you fork.")},
    {"fd-leak", N_("file descriptor leak"),
     N_("A file descriptor was left open. Close every pipe end you do not use, in the "
        "parent and in the child, and close the rest when you are done.")},
    {"forbidden-call", N_("forbidden call"),
     N_("This exercise forbids that call; solve it with the tools the assignment "
        "names.")},
    {"busy-wait", N_("busy waiting"),
     N_("A blocked caller kept burning CPU. Wait on a condition variable instead of "
        "spinning in a loop.")},
    {"mutex-misuse", N_("mutex misuse"),
     N_("A mutex was unlocked without being locked, by a thread that does not own it, or "
        "destroyed while locked. Pair every lock with one unlock in the same thread.")},
    {"signal-unsafe", N_("signal-unsafe call"),
     N_("A function that is not async-signal-safe was called from a signal handler.")},
    {"timeout", N_("did not finish in time"),
     N_("The program was stopped because it ran too long: look at where each thread was "
        "stuck (a lock, a join, a condition wait or an endless loop).")},
    {"wrong-result", N_("wrong result"),
     N_("The result differs from what the specification asks for.")},
    {"output-limit", N_("too much output"),
     N_("The program printed far more than expected; its output was cut.")},
    {"tampering", N_("tampering"),
     N_("The grader reads only regular files: your solution as one plain file, and the "
        "tools' reports "
        "as the tools wrote them. A symbolic link, a named pipe, a device or an "
        "oversized file in their "
        "place fails the check.")},
};

/* kind_lookup's answers: the kinds with title and hint in the language in
 * force (refreshed on every lookup, so a change of language shows). */
static kind_info kinds_told[ARRAY_LEN(kinds)];

const kind_info *kind_lookup(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        if (!name || strcmp(kinds[i].name, name)) continue;
        kinds_told[i] = (kind_info){kinds[i].name, _(kinds[i].title), _(kinds[i].hint)};
        return &kinds_told[i];
    }
    return NULL;
}

/* Position of a kind in the vocabulary (unknown kinds last). */
static size_t kind_rank(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (!strcmp(kinds[i].name, name)) return i;
    return ARRAY_LEN(kinds);
}

void findings_sort(findings *fs)
{
    for (size_t i = 1; i < fs->len; i++) {
        finding f = fs->items[i];
        size_t r = kind_rank(f.kind), j = i;
        for (; j > 0 && kind_rank(fs->items[j - 1].kind) > r; j--)
            fs->items[j] = fs->items[j - 1];
        fs->items[j] = f;
    }
}

const kind_info *kind_all(size_t *n)
{
    *n = ARRAY_LEN(kinds);
    return kinds;
}

/* --- building ------------------------------------------------------------ */

char *text_clean(char *s)
{
    for (unsigned char *p = (unsigned char *)s; p && *p; p++)
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) *p = '?';
    return s;
}

finding *findings_add(findings *fs, const char *kind, const char *tool,
                      const char *message)
{
    finding *f = VEC_PUSH(fs);
    f->kind = xstrdup(kind);
    f->tool = xstrdup(tool);
    f->message = text_clean(xstrdup(message ? message : ""));
    f->count = 1;
    return f;
}

stack *finding_add_stack(finding *f, const char *title)
{
    stack *s = VEC_PUSH(&f->stacks);
    s->title = text_clean(xstrdup(title));
    return s;
}

void stack_add_frame(stack *s, const char *function, const char *file, int line)
{
    frame *fr = VEC_PUSH(&s->frames);
    fr->function = text_clean(xstrdup(function));
    fr->file = text_clean(xstrdup(file));
    fr->line = line;
}

void stack_add_raw(stack *s, const char *module, uint64_t offset, const char *symbol)
{
    frame *fr = VEC_PUSH(&s->frames);
    fr->module = xstrdup(module);
    fr->offset = offset;
    fr->function = xstrdup(symbol);
}

void finding_locate(finding *f, const char *source)
{
    const frame *best = NULL, *known = NULL;
    for (size_t i = 0; i < f->stacks.len && !best; i++) {
        const stack *s = &f->stacks.items[i];
        for (size_t j = 0; j < s->frames.len; j++) {
            const frame *fr = &s->frames.items[j];
            if (!fr->file || fr->line <= 0) continue;
            if (source && !strcmp(fr->file, source)) {
                best = fr;
                break;
            }
            if (!known) known = fr;
        }
    }
    if (!best) best = known;
    if (!best || f->line > 0) return; /* keep a location given explicitly */
    free(f->file);
    free(f->function);
    f->file = xstrdup(best->file);
    f->line = best->line;
    f->function = xstrdup(best->function);
}

static char *finding_key(const finding *f)
{
    return xasprintf("%s|%s|%s|%d|%s", f->kind, f->tool, f->file ? f->file : "", f->line,
                     f->message ? f->message : "");
}

void findings_merge(findings *dst, findings *src)
{
    for (size_t i = 0; i < src->len; i++) {
        finding *f = &src->items[i];
        char *key = finding_key(f);
        finding *same = NULL;
        for (size_t j = 0; j < dst->len && !same; j++) {
            if (!dst->items[j].key) dst->items[j].key = finding_key(&dst->items[j]);
            if (!strcmp(dst->items[j].key, key)) same = &dst->items[j];
        }
        if (same) {
            same->count += f->count;
            finding_free(f);
            free(key);
        } else {
            finding *slot = VEC_PUSH(dst);
            *slot = *f;
            slot->key = key;
        }
    }
    free(src->items);
    memset(src, 0, sizeof *src);
}

static void finding_clone(finding *dst, const finding *f)
{
    memset(dst, 0, sizeof *dst);
    dst->kind = xstrdup(f->kind);
    dst->tool = xstrdup(f->tool);
    dst->file = xstrdup(f->file);
    dst->line = f->line;
    dst->function = xstrdup(f->function);
    dst->message = xstrdup(f->message);
    dst->has_seed = f->has_seed;
    dst->seed = f->seed;
    dst->count = f->count;
    for (size_t i = 0; i < f->stacks.len; i++) {
        stack *s = finding_add_stack(dst, f->stacks.items[i].title);
        for (size_t j = 0; j < f->stacks.items[i].frames.len; j++) {
            const frame *fr = &f->stacks.items[i].frames.items[j];
            stack_add_frame(s, fr->function, fr->file, fr->line);
        }
    }
}

void findings_copy(findings *dst, const findings *src)
{
    findings tmp = {0};
    for (size_t i = 0; i < src->len; i++) finding_clone(VEC_PUSH(&tmp), &src->items[i]);
    findings_merge(dst, &tmp);
}

bool findings_has_kind(const findings *fs, const char *kind)
{
    for (size_t i = 0; i < fs->len; i++)
        if (!strcmp(fs->items[i].kind, kind)) return true;
    return false;
}

/* --- freeing -------------------------------------------------------------- */

void stack_free(stack *s)
{
    for (size_t j = 0; j < s->frames.len; j++) {
        free(s->frames.items[j].function);
        free(s->frames.items[j].file);
        free(s->frames.items[j].module);
    }
    free(s->frames.items);
    free(s->title);
    memset(s, 0, sizeof *s);
}

void finding_free(finding *f)
{
    free(f->kind);
    free(f->tool);
    free(f->file);
    free(f->function);
    free(f->message);
    free(f->key);
    for (size_t i = 0; i < f->stacks.len; i++) stack_free(&f->stacks.items[i]);
    free(f->stacks.items);
    memset(f, 0, sizeof *f);
}

void findings_free(findings *fs)
{
    for (size_t i = 0; i < fs->len; i++) finding_free(&fs->items[i]);
    free(fs->items);
    memset(fs, 0, sizeof *fs);
}

void trace_free(trace *t)
{
    for (size_t i = 0; i < t->events.len; i++) {
        free(t->events.items[i].function);
        free(t->events.items[i].file);
    }
    free(t->events.items);
    for (size_t i = 0; i < t->nthreads; i++) free(t->threads[i]);
    free(t->threads);
    memset(t, 0, sizeof *t);
}

void trace_keep_last(trace *t, size_t n)
{
    if (t->events.len <= n) return;
    size_t drop = t->events.len - n;
    for (size_t i = 0; i < drop; i++) {
        free(t->events.items[i].function);
        free(t->events.items[i].file);
    }
    memmove(t->events.items, t->events.items + drop, n * sizeof *t->events.items);
    t->events.len = n;
    t->folded += drop;
}

void check_result_free(check_result *c)
{
    trace_free(&c->schedule);
    free(c->name);
    free(c->title);
    free(c->message);
    free(c->hint);
    free(c->replay);
    findings_free(&c->findings);
    memset(c, 0, sizeof *c);
}

void report_free(report *r)
{
    if (!r) return;
    free(r->exercise);
    free(r->title);
    free(r->submission);
    free(r->source);
    free(r->source_path);
    free(r->source_text);
    free(r->error);
    for (size_t i = 0; i < r->checks.len; i++) check_result_free(&r->checks.items[i]);
    free(r->checks.items);
    free(r);
}

void report_total(report *r)
{
    r->score = r->max_score = 0;
    bool any_fail = false, any_error = r->error != NULL;
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *c = &r->checks.items[i];
        if (c->outcome == OUTCOME_ERROR) any_error = true;
        if (c->outcome == OUTCOME_FAIL || (c->outcome == OUTCOME_SKIPPED && c->graded))
            any_fail = true;
        if (!c->graded) continue;
        r->score += c->score;
        r->max_score += c->max_score;
    }
    r->outcome = any_error ? OUTCOME_ERROR : any_fail ? OUTCOME_FAIL : OUTCOME_PASS;
}

/* --- JSON ------------------------------------------------------------------ */

static void frame_to_json(json_writer *w, const frame *fr)
{
    json_obj_begin(w);
    json_key(w, "function");
    json_str(w, fr->function ? fr->function : "");
    json_key(w, "file");
    json_str(w, fr->file ? fr->file : "");
    json_key(w, "line");
    json_int(w, fr->line);
    json_obj_end(w);
}

void finding_to_json(json_writer *w, const finding *f)
{
    json_obj_begin(w);
    finding_fields_to_json(w, f);
    json_obj_end(w);
}

void finding_fields_to_json(json_writer *w, const finding *f)
{
    json_key(w, "kind");
    json_str(w, f->kind);
    json_key(w, "tool");
    json_str(w, f->tool);
    json_key(w, "file");
    json_str(w, f->file ? f->file : "");
    json_key(w, "line");
    json_int(w, f->line);
    json_key(w, "function");
    json_str(w, f->function ? f->function : "");
    json_key(w, "message");
    json_str(w, f->message);
    if (f->has_seed) {
        json_key(w, "seed");
        json_int(w, (long long)f->seed);
    }
    if (f->count > 1) {
        json_key(w, "count");
        json_int(w, f->count);
    }
    json_key(w, "stacks");
    json_arr_begin(w);
    for (size_t i = 0; i < f->stacks.len; i++) {
        json_arr_begin(w);
        for (size_t j = 0; j < f->stacks.items[i].frames.len; j++)
            frame_to_json(w, &f->stacks.items[i].frames.items[j]);
        json_arr_end(w);
    }
    json_arr_end(w);
    json_key(w, "stack_titles");
    json_arr_begin(w);
    for (size_t i = 0; i < f->stacks.len; i++)
        json_str(w, f->stacks.items[i].title ? f->stacks.items[i].title : "");
    json_arr_end(w);
}

void trace_to_json(json_writer *w, const trace *t)
{
    json_obj_begin(w);
    json_key(w, "threads");
    json_arr_begin(w);
    for (size_t i = 0; i < t->nthreads; i++) json_str(w, t->threads[i]);
    json_arr_end(w);
    json_key(w, "folded");
    json_int(w, (long long)t->folded);
    json_key(w, "events");
    json_arr_begin(w);
    for (size_t i = 0; i < t->events.len; i++) {
        const trace_event *e = &t->events.items[i];
        json_obj_begin(w);
        json_key(w, "seq");
        json_int(w, e->seq);
        json_key(w, "step");
        json_int(w, e->step);
        json_key(w, "pid");
        json_int(w, e->pid);
        json_key(w, "tid");
        json_str(w, e->tid);
        json_key(w, "op");
        json_str(w, e->op);
        if (*e->obj) json_key(w, "obj"), json_str(w, e->obj);
        if (*e->result) json_key(w, "result"), json_str(w, e->result);
        if (*e->peer) json_key(w, "peer"), json_str(w, e->peer);
        if (e->value) json_key(w, "value"), json_int(w, e->value);
        if (e->nondeterministic) json_key(w, "nondeterministic"), json_bool(w, true);
        if (e->file)
            json_key(w, "file"), json_str(w, e->file), json_key(w, "line"),
                json_int(w, e->line);
        if (e->function) json_key(w, "function"), json_str(w, e->function);
        json_obj_end(w);
    }
    json_arr_end(w);
    json_obj_end(w);
}

static void field_copy(char *dst, size_t cap, const json_value *v, const char *key)
{
    const char *s = json_get_str(v, key);
    size_t n = s ? strlen(s) : 0;
    if (n >= cap) n = cap - 1;
    if (s) memcpy(dst, s, n);
    dst[n] = 0;
}

void trace_event_read(trace_event *e, const json_value *v)
{
    e->seq = (long)json_get_num(v, "seq", 0);
    e->step = (long)json_get_num(v, "step", 0);
    e->pid = (int)json_get_num(v, "pid", 0);
    e->value = (long)json_get_num(v, "value", 0);
    e->nondeterministic = json_get_bool(v, "nondeterministic", false);
    field_copy(e->tid, sizeof e->tid, v, "tid");
    field_copy(e->op, sizeof e->op, v, "op");
    field_copy(e->obj, sizeof e->obj, v, "obj");
    field_copy(e->result, sizeof e->result, v, "result");
    field_copy(e->peer, sizeof e->peer, v, "peer");
}

static void trace_from_json(const json_value *v, trace *t)
{
    const json_value *th = json_get(v, "threads"), *ev = json_get(v, "events");
    for (size_t i = 0; th && th->type == JSON_ARR && i < th->len; i++) {
        if (th->items[i]->type != JSON_STR) continue;
        t->threads = xrealloc(t->threads, sizeof *t->threads * (t->nthreads + 1));
        t->threads[t->nthreads++] = xstrdup(th->items[i]->str);
    }
    t->folded = (size_t)json_get_num(v, "folded", 0);
    for (size_t i = 0; ev && ev->type == JSON_ARR && i < ev->len; i++) {
        const json_value *e = ev->items[i];
        trace_event *x = VEC_PUSH(&t->events);
        trace_event_read(x, e);
        x->line = (int)json_get_num(e, "line", 0);
        x->file = xstrdup(json_get_str(e, "file"));
        x->function = xstrdup(json_get_str(e, "function"));
    }
}

void check_to_json(json_writer *w, const check_result *c)
{
    json_obj_begin(w);
    json_key(w, "name");
    json_str(w, c->name);
    json_key(w, "title");
    json_str(w, c->title ? c->title : "");
    json_key(w, "outcome");
    json_str(w, outcome_name(c->outcome));
    json_key(w, "score");
    json_num(w, c->score);
    json_key(w, "max_score");
    json_num(w, c->max_score);
    json_key(w, "graded");
    json_bool(w, c->graded);
    json_key(w, "message");
    json_str(w, c->message ? c->message : "");
    json_key(w, "hint");
    json_str(w, c->hint ? c->hint : "");
    if (c->has_seed) {
        json_key(w, "seed");
        json_int(w, (long long)c->seed);
    }
    if (c->replay) {
        json_key(w, "replay");
        json_str(w, c->replay);
    }
    json_key(w, "duration_ms");
    json_int(w, c->duration_ms);
    json_key(w, "findings");
    json_arr_begin(w);
    for (size_t i = 0; i < c->findings.len; i++)
        finding_to_json(w, &c->findings.items[i]);
    json_arr_end(w);
    if (c->schedule.events.len) {
        json_key(w, "schedule");
        trace_to_json(w, &c->schedule);
    }
    json_obj_end(w);
}

void report_to_json(json_writer *w, const report *r)
{
    json_obj_begin(w);
    json_key(w, "grader");
    json_str(w, GRADER_VERSION);
    json_key(w, "api");
    json_int(w, GRADER_API);
    json_key(w, "exercise");
    json_str(w, r->exercise ? r->exercise : "");
    json_key(w, "outcome");
    json_str(w, outcome_name(r->outcome));
    json_key(w, "score");
    json_num(w, r->score);
    json_key(w, "max_score");
    json_num(w, r->max_score);
    json_key(w, "duration_ms");
    json_int(w, r->duration_ms);
    json_key(w, "seed");
    json_int(w, (long long)r->seed);
    if (r->error) {
        json_key(w, "error");
        json_str(w, r->error);
    }
    json_key(w, "checks");
    json_arr_begin(w);
    for (size_t i = 0; i < r->checks.len; i++) check_to_json(w, &r->checks.items[i]);
    json_arr_end(w);
    json_obj_end(w);
}

static const char *nonempty(const json_value *v, const char *key)
{
    const char *s = json_get_str(v, key);
    return s && *s ? s : NULL;
}

static char *dup_str(const json_value *v, const char *key)
{
    return xstrdup(nonempty(v, key));
}

int finding_from_json(const json_value *v, finding *f)
{
    memset(f, 0, sizeof *f);
    if (!v || v->type != JSON_OBJ || !json_get_str(v, "kind")) return -1;
    f->kind = xstrdup(json_get_str(v, "kind"));
    f->tool = xstrdup(json_get_str(v, "tool") ? json_get_str(v, "tool") : "driver");
    f->file = dup_str(v, "file");
    f->line = (int)json_get_num(v, "line", 0);
    f->function = dup_str(v, "function");
    f->message = xstrdup(json_get_str(v, "message") ? json_get_str(v, "message") : "");
    f->count = (int)json_get_num(v, "count", 1);
    const json_value *seed = json_get(v, "seed");
    if (seed && seed->type == JSON_NUM) {
        f->has_seed = true;
        f->seed = (uint64_t)seed->num;
    }
    const json_value *stacks = json_get(v, "stacks");
    const json_value *titles = json_get(v, "stack_titles");
    for (size_t i = 0; stacks && stacks->type == JSON_ARR && i < stacks->len; i++) {
        const json_value *t = titles && titles->type == JSON_ARR && i < titles->len
                                  ? titles->items[i]
                                  : NULL;
        stack *s =
            finding_add_stack(f, t && t->type == JSON_STR && *t->str ? t->str : NULL);
        const json_value *fr = stacks->items[i];
        for (size_t j = 0; fr->type == JSON_ARR && j < fr->len; j++)
            stack_add_frame(s, nonempty(fr->items[j], "function"),
                            nonempty(fr->items[j], "file"),
                            (int)json_get_num(fr->items[j], "line", 0));
    }
    return 0;
}

int check_from_json(const json_value *v, check_result *c)
{
    memset(c, 0, sizeof *c);
    if (!v || v->type != JSON_OBJ || !json_get_str(v, "name")) return -1;
    int o = outcome_parse(json_get_str(v, "outcome"));
    if (o < 0) return -1;
    c->name = xstrdup(json_get_str(v, "name"));
    c->title = dup_str(v, "title");
    c->outcome = (outcome)o;
    c->score = json_get_num(v, "score", 0);
    c->max_score = json_get_num(v, "max_score", 0);
    c->graded = json_get_bool(v, "graded", true);
    c->message = dup_str(v, "message");
    c->hint = dup_str(v, "hint");
    c->replay = dup_str(v, "replay");
    c->duration_ms = (int64_t)json_get_num(v, "duration_ms", 0);
    const json_value *seed = json_get(v, "seed");
    if (seed && seed->type == JSON_NUM) {
        c->has_seed = true;
        c->seed = (uint64_t)seed->num;
    }
    const json_value *fs = json_get(v, "findings");
    for (size_t i = 0; fs && fs->type == JSON_ARR && i < fs->len; i++) {
        finding f;
        if (finding_from_json(fs->items[i], &f) == 0) *VEC_PUSH(&c->findings) = f;
    }
    const json_value *sched = json_get(v, "schedule");
    if (sched && sched->type == JSON_OBJ) trace_from_json(sched, &c->schedule);
    return 0;
}
