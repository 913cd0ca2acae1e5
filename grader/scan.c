/* scan.c - see scan.h. */
#include "scan.h"
#include "build.h"
#include "proc.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCHEDULE_EVENTS  200 /* events kept of a schedule that went wrong */
#define RUN_DEADLINE_MS  (10 * 60 * 1000)
#define SOURCE_MAX_BYTES (4u << 20) /* per scanned file */
#define SCAN_OPT_LEVEL   "-O0"      /* every build of a scan; --cflags -O1 overrides it */

const char *scan_detector_name(scan_detector d)
{
    return tool_detector_get(d)->name;
}

static bool stress_det(scan_detector d)
{
    return tool_detector_get(d)->stress != NULL;
}

int scan_detectors_parse(const char *list)
{
    unsigned mask = 0;
    char *copy = xstrdup(list), *save = NULL;
    for (char *w = strtok_r(copy, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
        unsigned m = 0;
        if (!strcmp(w, "all")) m = (1u << DET_COUNT) - 1;
        for (int d = 0; d < DET_COUNT; d++)
            if (!strcmp(w, "stress") && stress_det((scan_detector)d)) m |= 1u << d;
        for (int d = 0; d < DET_COUNT && !m; d++)
            if (!strcmp(w, scan_detector_name((scan_detector)d))) m = 1u << d;
        if (!m) {
            free(copy);
            return -1;
        }
        mask |= m;
    }
    free(copy);
    return (int)mask;
}

/* --- the plan: which runs, in which order ------------------------------------------ */

typedef struct plan_item {
    scan_detector det;
    uint64_t seed;
    int depth;
    bool trace; /* keep the schedule's whole trace: the locks held where each lock is
                   taken */
} plan_item;

/* Whether detector d runs pct schedules (they have a depth). */
static bool pct_det(scan_detector d)
{
    const char *mode = tool_detector_get(d)->stress;
    return mode && !strcmp(mode, "pct");
}

static int det_slowdown(scan_detector d)
{
    return tool_slowdown(tool_detector_get(d)->tool);
}

/* The runs of a scan (caller frees *out): the single runs, slowest tool
 * first, then the schedules; schedule i has seed o->seed + i, its mode the
 * i-th of the enabled stress modes in turn, its pct depth o->depth or 2 and
 * 3 in turn. So `--tools pct --depth D --seed S -n 1` repeats one schedule
 * exactly. */
static size_t plan_make(const scan_opts *o, unsigned mask, plan_item **out)
{
    scan_detector modes[DET_COUNT];
    size_t nm = 0, n = 0;
    for (int d = 0; d < DET_COUNT; d++)
        if (mask & 1u << d && stress_det((scan_detector)d))
            modes[nm++] = (scan_detector)d;
    size_t ns = nm ? (size_t)(o->schedules > 0 ? o->schedules : 0) : 0;
    plan_item *p = xmalloc(sizeof *p * (DET_COUNT + ns + 1));
    for (int d = 0; d < DET_COUNT; d++) {
        if (!(mask & 1u << d) || stress_det((scan_detector)d)) continue;
        size_t at = n++; /* slowest first, else in the detectors' order */
        for (; at > 0 && det_slowdown(p[at - 1].det) < det_slowdown((scan_detector)d);
             at--)
            p[at] = p[at - 1];
        p[at] = (plan_item){(scan_detector)d, o->seed, 0, false};
    }
    for (size_t i = 0; i < ns; i++) {
        scan_detector d = modes[i % nm];
        int depth = !pct_det(d) ? 0 : o->depth > 0 ? o->depth : 2 + (int)(i / nm) % 2;
        p[n++] = (plan_item){d, o->seed + i, depth, i == 0};
    }
    *out = p;
    return n;
}

/* --- building ------------------------------------------------------------------------
 */

/* The folders of the program's files, each once, absolute and
 * NULL-terminated (caller frees with strv_free(v, *n)): a file's
 * #include "x.h" finds its neighbours there, as it would with gcc. */
static char **include_dirs(const scan_opts *o, size_t *n)
{
    char **v = xmalloc(sizeof *v * (o->nfiles + 1));
    *n = 0;
    for (size_t i = 0; i < o->nfiles; i++) {
        char *rel = path_dirname(o->files[i]), *abs = path_abs(rel);
        free(rel);
        bool seen = !abs;
        for (size_t k = 0; k < *n && !seen; k++) seen = !strcmp(v[k], abs);
        if (seen)
            free(abs);
        else
            v[(*n)++] = abs;
    }
    v[*n] = NULL;
    return v;
}

/* Builds every tool the detectors of mask use; the diagnostics of the
 * build that shows warnings (else the first failing one) go to r->build. Returns true
 * when every build succeeded, else sets r->error. */
static bool builds_all(const scan_opts *o, unsigned mask, const char *workdir,
                       char **copies, build_result *builds, scan_report *r)
{
    bool need[TOOL_COUNT] = {false};
    for (int d = 0; d < DET_COUNT; d++)
        if (mask & 1u << d) need[tool_detector_get((scan_detector)d)->tool] = true;
    char *dir = path_dirname(copies[0]);
    const char **more = xmalloc(sizeof *more * o->nfiles); /* NULL-terminated */
    for (size_t i = 1; i < o->nfiles; i++) more[i - 1] = copies[i];
    size_t ninc = 0;
    char **inc = include_dirs(o, &ninc);
    /* -O0 (before the caller's flags, which may say otherwise): at -O1 the
     * optimiser drops racy loads and copies, and their races with them */
    char *cflags = xasprintf("%s%s%s", SCAN_OPT_LEVEL, o->cflags ? " " : "",
                             o->cflags ? o->cflags : "");
    build_inputs in = {
        .root = o->root,
        .exercise_dir = dir,
        .source_name = path_base(copies[0]),
        .source_path = copies[0],
        .more_sources = o->nfiles > 1 ? more : NULL,
        .include_dirs = (const char *const *)inc,
        .extra_cflags = cflags,
        .libs = o->libs,
        .workdir = workdir,
    };
    build_tools(&in, need, builds);
    free(cflags);
    strv_free(inc, ninc);
    free(more);
    free(dir);
    bool ok = true;
    for (int t = 0; t < TOOL_COUNT; t++) {
        build_result *b = &builds[t];
        if (!need[t] || b->ok) continue;
        if (ok) findings_copy(&r->build, &b->diags);
        if (ok && b->machine_error)
            r->error = xasprintf(
                "the %s build failed for a reason that is not in the program:\n%s",
                tool_name((tool_id)t), b->log ? b->log : "");
        else if (ok)
            r->error = xasprintf("the program does not compile (%s build)",
                                 tool_name((tool_id)t));
        ok = false;
    }
    for (int t = 0; t < TOOL_COUNT && ok; t++)
        if (need[t] && tool_get((tool_id)t)->warnings)
            findings_copy(&r->build, &builds[t].diags);
    return ok;
}

/* --- one run -------------------------------------------------------------------------
 */

/* glibc's "prog: file.c:12: main: Assertion `x > 0' failed." in stderr:
 * the failed assertion becomes the crash finding's message and place. */
static void assertion_locate(const sbuf *err, findings *fs)
{
    const char *a = strstr(sbuf_str(err), ": Assertion `");
    finding *crash = NULL;
    for (size_t i = 0; i < fs->len && !crash; i++)
        if (!strcmp(fs->items[i].kind, "crash") && !fs->items[i].stacks.len)
            crash = &fs->items[i];
    if (!a || !crash) return;
    const char *start = a;
    while (start > err->data && start[-1] != '\n') start--;
    char *line = xstrndup(start, strcspn(start, "\n"));
    char file[256], func[256];
    int ln = 0;
    const char *expr = strstr(line, ": Assertion `") + strlen(": Assertion `");
    const char *colon = strstr(line, ": ");
    if (colon && sscanf(colon + 2, "%255[^:]:%d: %255[^:]:", file, &ln, func) == 3) {
        const char *end = strstr(expr, "' failed");
        free(crash->message);
        crash->message = xasprintf("the assertion `%.*s` failed",
                                   end ? (int)(end - expr) : (int)strlen(expr), expr);
        stack_add_frame(finding_add_stack(crash, "Where the assertion failed"), func,
                        path_base(file), ln);
        finding_locate(crash, NULL);
    }
    free(line);
}

/* Findings that only say the run was stopped: Helgrind's "exiting thread
 * still holds a lock" of every thread a timeout killed (a mutex-misuse or,
 * since it has its own kind, a lock-held finding). */
static void stopped_drop(const run_output *out, findings *fs)
{
    if (!out->proc.timed_out) return;
    size_t k = 0;
    for (size_t i = 0; i < fs->len; i++) {
        finding *f = &fs->items[i];
        bool held = !strcmp(f->kind, "mutex-misuse") || !strcmp(f->kind, "lock-held");
        if (held && f->message && strstr(f->message, "still holds"))
            finding_free(f);
        else
            fs->items[k++] = *f;
    }
    fs->len = k;
}

/* ThreadSanitizer's runtime crashing on its own (a crash report without a
 * single frame: e.g. C11 <threads.h> threads, which clang 14's runtime does
 * not follow) says nothing of the program: such findings become a note
 * (owned by the caller) on the run. */
static char *tool_crash_drop(const run_request *rq, findings *fs)
{
    const tool_info *ti = tool_get(rq->tool);
    char *note = NULL;
    size_t k = 0;
    for (size_t i = 0; i < fs->len; i++) {
        finding *f = &fs->items[i];
        size_t frames = 0;
        for (size_t j = 0; j < f->stacks.len; j++)
            frames += f->stacks.items[j].frames.len;
        if (ti->frameless_crash_is_tool && !strcmp(f->tool, ti->name) &&
            !strcmp(f->kind, "crash") && !frames) {
            free(note);
            note =
                xasprintf("%s's own runtime failed on this program (%s, no frame of the "
                          "program): its run found nothing, right or wrong",
                          ti->title, f->message);
            finding_free(f);
        } else {
            fs->items[k++] = *f;
        }
    }
    fs->len = k;
    return note;
}

/* Helgrind's style warnings: legal code it finds dubious (a condition
 * variable signalled without its lock held). */
static bool style_warning(const finding *f)
{
    static const char *const styles[] = {"dubious: associated lock is not held",
                                         "associated lock is not held by calling thread"};
    for (size_t i = 0; f->message && i < ARRAY_LEN(styles); i++)
        if (!strcmp(f->tool, "helgrind") && strstr(f->message, styles[i])) return true;
    return false;
}

/* Style warnings are information, not findings: they leave fs and are
 * appended to *note (owned by the caller) with their place. */
static void style_drop(findings *fs, char **note)
{
    size_t k = 0;
    for (size_t i = 0; i < fs->len; i++) {
        finding *f = &fs->items[i];
        if (!style_warning(f)) {
            fs->items[k++] = *f;
            continue;
        }
        char *was = *note;
        *note = xasprintf("%s%sa style warning, not a bug (the program may signal "
                          "without the lock): %s at %s:%d",
                          was ? was : "", was ? "; " : "", f->message,
                          f->file ? f->file : "?", f->line);
        free(was);
        finding_free(f);
    }
    fs->len = k;
}

/* --- gate locks ----------------------------------------------------------------------
 */

/* The locks held at every acquisition of one place of the program. */
typedef struct gate_site {
    char *place; /* "file.c:12" */
    strv held;   /* held at each acquisition there (the intersection so far) */
} gate_site;

typedef struct gate_holder {
    int pid;
    char tid[16];
    strv held;
} gate_holder;

typedef struct gates {
    struct {
        gate_site *items;
        size_t len, cap;
    } sites;
    struct {
        gate_holder *items;
        size_t len, cap;
    } holders;
} gates;

static bool strv_has(const strv *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (!strcmp(v->items[i], s)) return true;
    return false;
}

/* Keeps in v only what keep has too. */
static void strv_keep(strv *v, const strv *keep)
{
    size_t k = 0;
    for (size_t i = 0; i < v->len; i++) {
        if (strv_has(keep, v->items[i]))
            v->items[k++] = v->items[i];
        else
            free(v->items[i]);
    }
    v->len = k;
    if (v->items) v->items[k] = NULL;
}

static strv *gate_held(gates *g, const trace_event *e)
{
    for (size_t i = 0; i < g->holders.len; i++)
        if (g->holders.items[i].pid == e->pid && !strcmp(g->holders.items[i].tid, e->tid))
            return &g->holders.items[i].held;
    gate_holder *h = VEC_PUSH(&g->holders);
    h->pid = e->pid;
    snprintf(h->tid, sizeof h->tid, "%s", e->tid);
    return &h->held;
}

/* An acquisition at place while holding held. */
static void gate_note(gates *g, const char *place, const strv *held)
{
    for (size_t i = 0; i < g->sites.len; i++)
        if (!strcmp(g->sites.items[i].place, place)) {
            strv_keep(&g->sites.items[i].held, held);
            return;
        }
    gate_site *site = VEC_PUSH(&g->sites);
    site->place = xstrdup(place);
    for (size_t i = 0; i < held->len; i++) strv_add(&site->held, held->items[i]);
}

/* Replays a schedule's lock events: for each place that takes a lock, the
 * locks every thread held each time it took one there. */
static void gates_of(const trace *t, gates *g)
{
    for (size_t i = 0; i < t->events.len; i++) {
        const trace_event *e = &t->events.items[i];
        bool take = !strcmp(e->op, "lock") || !strcmp(e->op, "trylock") ||
                    !strcmp(e->op, "wrlock") || !strcmp(e->op, "rdlock");
        if (take && !strcmp(e->result, "acquired") && e->obj[0]) {
            strv *held = gate_held(g, e);
            if (e->file && e->line > 0) {
                char *place = xasprintf("%s:%d", path_base(e->file), e->line);
                gate_note(g, place, held);
                free(place);
            }
            strv_add(held, e->obj);
        } else if (!strcmp(e->op, "unlock") && !strcmp(e->result, "ok") &&
                   e->value == 0 && e->obj[0]) {
            strv *held = gate_held(g, e);
            size_t k = 0;
            bool gone = false;
            for (size_t j = 0; j < held->len; j++) {
                if (!gone && !strcmp(held->items[j], e->obj))
                    gone = true, free(held->items[j]);
                else
                    held->items[k++] = held->items[j];
            }
            held->len = k;
            if (held->items) held->items[k] = NULL;
        }
    }
}

static void gates_free(gates *g)
{
    for (size_t i = 0; i < g->sites.len; i++)
        free(g->sites.items[i].place), strv_clear(&g->sites.items[i].held);
    for (size_t i = 0; i < g->holders.len; i++) strv_clear(&g->holders.items[i].held);
    free(g->sites.items);
    free(g->holders.items);
}

/* Writes "gates": {"file.c:12": ["M1"], ...}: the locks held at every
 * acquisition of each place (places without any left out). */
static void gates_pack(json_writer *w, const gates *g)
{
    json_key(w, "gates");
    json_obj_begin(w);
    for (size_t i = 0; i < g->sites.len; i++) {
        if (!g->sites.items[i].held.len) continue;
        json_key(w, g->sites.items[i].place);
        json_arr_begin(w);
        for (size_t j = 0; j < g->sites.items[i].held.len; j++)
            json_str(w, g->sites.items[i].held.items[j]);
        json_arr_end(w);
    }
    json_obj_end(w);
}

/* Packs a run's outcome as JSON into json: exit, signal, timeout,
 * duration, error and note, and c (the run's findings and schedule). */
static void run_pack(const run_output *out, const char *error, const char *note,
                     const check_result *c, const gates *g, sbuf *json)
{
    json_writer w;
    json_init(&w, json, false);
    json_obj_begin(&w);
    json_key(&w, "exit");
    json_int(&w, out->proc.exit_code);
    json_key(&w, "signal");
    json_int(&w, out->proc.signal);
    json_key(&w, "timed_out");
    json_bool(&w, out->proc.timed_out);
    json_key(&w, "duration_ms");
    json_int(&w, out->proc.duration_ms);
    json_key(&w, "error");
    json_str(&w, error);
    json_key(&w, "note");
    json_str(&w, note);
    json_key(&w, "check");
    check_to_json(&w, c);
    if (g) gates_pack(&w, g);
    json_obj_end(&w);
}

/* Runs one planned run (in a worker) and packs its outcome into json (see
 * run_pack), its findings tidied for a whole program. */
static void run_one(const run_env *env, const scan_opts *o, const plan_item *p,
                    sbuf *json)
{
    const tool_detector *det = tool_detector_get(p->det);
    run_request rq = {.tool = det->tool,
                      .timeout_ms = o->timeout_ms,
                      .seed = p->seed,
                      .stdin_data = o->stdin_data,
                      .stdin_len = o->stdin_len};
    for (size_t i = 0; i < o->nargs; i++) strv_add(&rq.argv, o->args[i]);
    if (det->stress)
        rq.stress =
            (stress_opts){.mode = det->stress, .depth = p->depth, .trace = p->trace};
    run_output out;
    int rc = run_exec(env, &rq, &out);
    assertion_locate(&out.proc.err, &out.parsed.found);
    stopped_drop(&out, &out.parsed.found);
    char *note = tool_crash_drop(&rq, &out.parsed.found);
    style_drop(&out.parsed.found, &note);
    check_result c = {.name = xstrdup(det->name),
                      .outcome = out.parsed.found.len ? OUTCOME_FAIL : OUTCOME_PASS};
    c.findings = out.parsed.found;
    memset(&out.parsed.found, 0, sizeof out.parsed.found);
    gates g = {0};
    if (p->trace) gates_of(&out.schedule, &g); /* the whole schedule */
    c.schedule = out.schedule;
    memset(&out.schedule, 0, sizeof out.schedule);
    trace_keep_last(&c.schedule, SCHEDULE_EVENTS);
    run_pack(&out, rc < 0 ? (out.error ? out.error : "the run could not happen") : NULL,
             note, &c, p->trace ? &g : NULL, json);
    gates_free(&g);
    check_result_free(&c);
    run_output_free(&out);
    strv_clear(&rq.argv);
    free(note);
}

/* What a worker sent back, read into run and its check (findings, schedule). */
static void run_unpack(const sbuf *json, const plan_item *p, scan_run *run,
                       check_result *c)
{
    *run = (scan_run){.det = p->det, .seed = p->seed, .depth = p->depth};
    memset(c, 0, sizeof *c);
    json_value *v = json_parse(sbuf_str(json), json->len, NULL);
    if (!v || check_from_json(json_get(v, "check"), c) < 0) {
        run->error = xstrdup("the grader failed during this run (no result)");
    } else {
        run->exit_code = (int)json_get_num(v, "exit", 0);
        run->signal = (int)json_get_num(v, "signal", 0);
        run->timed_out = json_get_bool(v, "timed_out", false);
        run->duration_ms = (int64_t)json_get_num(v, "duration_ms", 0);
        run->error = xstrdup(json_get_str(v, "error"));
        run->note = xstrdup(json_get_str(v, "note"));
        run->nfound = c->findings.len;
    }
    json_free(v);
}

/* --- workers ----------------------------------------------------------------------- */

typedef struct worker {
    pid_t pid;
    int fd;
    size_t item;
    int64_t started;
} worker;

typedef struct runner {
    const run_env *env;
    const scan_opts *o;
    const plan_item *plan;
    size_t n;
    sbuf *results; /* one JSON per plan item */
    worker *live;
    size_t nlive;
} runner;

/* Forks a worker that runs plan item `item` and writes its JSON to a pipe
 * the runner reads; false if it could not be started. */
static bool worker_start(runner *rn, size_t item)
{
    int fd;
    pid_t pid = proc_worker(&fd);
    if (pid < 0) return false;
    if (pid == 0) {
        sbuf json = {0};
        run_one(rn->env, rn->o, &rn->plan[item], &json);
        fd_write_all(fd, json.data, json.len);
        _exit(0);
    }
    rn->live[rn->nlive++] = (worker){pid, fd, item, now_ms()};
    return true;
}

/* Reads what live worker k sent; reaps it when it is done. */
static void worker_poll(runner *rn, size_t k, short revents)
{
    worker *w = &rn->live[k];
    bool eof = false;
    if (revents) {
        char buf[65536];
        ssize_t r = read(w->fd, buf, sizeof buf);
        if (r > 0)
            sbuf_add(&rn->results[w->item], buf, (size_t)r);
        else if (r == 0 || errno != EINTR)
            eof = true;
    }
    if (!eof && now_ms() - w->started > RUN_DEADLINE_MS) {
        kill(w->pid, SIGKILL);
        eof = true;
    }
    if (!eof) return;
    close(w->fd);
    int status = 0;
    proc_wait_trusted(w->pid, &status, true);
    proc_trust(w->pid, false);
    rn->live[k] = rn->live[--rn->nlive];
}

/* Runs every plan item whose result is still empty, `jobs` at once, each
 * in a worker. */
static void runner_go(runner *rn, int jobs, bool progress)
{
    size_t next = 0;
    for (;;) {
        while (next < rn->n && rn->results[next].len) next++;
        if (next >= rn->n && !rn->nlive) break;
        if (next < rn->n && rn->nlive < (size_t)jobs) {
            if (!worker_start(rn, next))
                sbuf_puts(&rn->results[next], "{}"); /* a failed run */
            next++;
            continue;
        }
        if (progress)
            fprintf(stderr, "\r\033[Kscanning: %zu/%zu runs started", next, rn->n);
        struct pollfd pf[64];
        size_t np = rn->nlive < 64 ? rn->nlive : 64;
        for (size_t k = 0; k < np; k++)
            pf[k] = (struct pollfd){rn->live[k].fd, POLLIN, 0};
        if (poll(pf, np, 1000) < 0 && errno != EINTR) break;
        for (size_t k = np; k-- > 0;) worker_poll(rn, k, pf[k].revents);
    }
    if (progress) fprintf(stderr, "\r\033[K");
}

/* Executes the plan: the first pct schedule here (it also measures the
 * program's steps, which every later pct schedule inherits), the others in
 * workers. results[i] gets plan item i's JSON. */
static void runs_execute(const run_env *env, const scan_opts *o, const plan_item *plan,
                         size_t n, sbuf *results)
{
    for (size_t i = 0; i < n; i++)
        if (pct_det(plan[i].det)) {
            run_one(env, o, &plan[i], &results[i]);
            break;
        }
    int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    jobs = jobs < 1 ? 1 : jobs > 64 ? 64 : jobs;
    runner rn = {.env = env, .o = o, .plan = plan, .n = n, .results = results};
    rn.live = xmalloc(sizeof *rn.live * (size_t)jobs);
    runner_go(&rn, jobs, o->progress);
    free(rn.live);
}

/* --- merging findings ------------------------------------------------------------------
 */

/* Where a frame is: "file:line", or "file:function()" when the compiler
 * left the line unknown; NULL when neither is known (caller frees). */
static char *place_of(const char *file, int line, const char *function)
{
    if (!file || !*file) return NULL;
    if (line > 0) return xasprintf("%s:%d", file, line);
    return function ? xasprintf("%s:%s()", file, function) : NULL;
}

/* The places a finding points at: its location and the first frame of each
 * of its stacks (the program's own frames: stacks are tidied). n gets how
 * many; the caller frees them with strv_free. */
static char **places_of(const finding *f, size_t *n)
{
    char **v = xmalloc(sizeof *v * (f->stacks.len + 1));
    *n = 0;
    char *p = place_of(f->file, f->line, f->function);
    if (p) v[(*n)++] = p;
    for (size_t i = 0; i < f->stacks.len; i++) {
        const stack *st = &f->stacks.items[i];
        const frame *fr = st->frames.len ? &st->frames.items[0] : NULL;
        if (fr && (p = place_of(fr->file, fr->line, fr->function))) v[(*n)++] = p;
    }
    return v;
}

/* a and b point at a common place. */
static bool lines_meet(const finding *a, const finding *b)
{
    size_t na, nb;
    char **pa = places_of(a, &na), **pb = places_of(b, &nb);
    bool meet = false;
    for (size_t i = 0; i < na && !meet; i++)
        for (size_t j = 0; j < nb && !meet; j++) meet = !strcmp(pa[i], pb[j]);
    strv_free(pa, na);
    strv_free(pb, nb);
    return meet;
}

/* The signal a crash finding speaks of ("SIGABRT", "abort()", "the
 * assertion", "SEGV on ..."), as a word; NULL if none. */
static const char *crash_signal(const finding *f)
{
    static const char *const sigs[] = {"ABRT", "SEGV", "BUS", "FPE",
                                       "ILL",  "PIPE", "KILL"};
    const char *m = f->message ? f->message : "";
    if (strstr(m, "abort()") || strstr(m, "assertion")) return "ABRT";
    for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
        if (strstr(m, sigs[i])) return sigs[i];
    return NULL;
}

static bool has_lines(const finding *f)
{
    size_t n;
    char **v = places_of(f, &n);
    strv_free(v, n);
    return n > 0;
}

/* A kind that says a run did not end (and, but for a timeout, why). */
static bool hang_kind(const char *kind)
{
    static const char *const hangs[] = {"deadlock", "self-deadlock", "lost-wakeup",
                                        "timeout"};
    for (size_t i = 0; i < ARRAY_LEN(hangs); i++)
        if (!strcmp(kind, hangs[i])) return true;
    return false;
}

/* The rank of a kind in the vocabulary: most explanatory first. */
static size_t kind_rank(const char *kind)
{
    size_t nk;
    const kind_info *ks = kind_all(&nk);
    for (size_t k = 0; k < nk; k++)
        if (!strcmp(ks[k].name, kind)) return k;
    return nk;
}

/* Two findings of one hang: explained hangs of different kinds at a
 * common place, or a timeout and an explained hang (the program that
 * does not end is stuck once, however each tool saw it). */
static bool same_hang(const finding *a, const finding *b)
{
    if (!hang_kind(a->kind) || !hang_kind(b->kind) || !strcmp(a->kind, b->kind))
        return false;
    if (!strcmp(a->kind, "timeout") || !strcmp(b->kind, "timeout")) return true;
    return lines_meet(a, b);
}

/* The same problem: the same kind at a common line, or, for findings
 * without any line, the same kind and message; a crash without a line is
 * the crash of the same signal seen with one. A program that does not end,
 * or floods its output, has that problem once, wherever it was. */
static bool same_problem(const finding *a, const finding *b)
{
    if (same_hang(a, b)) return true;
    if (strcmp(a->kind, b->kind)) return false;
    if (!strcmp(a->kind, "timeout") || !strcmp(a->kind, "output-limit")) return true;
    if (!has_lines(a) && !has_lines(b))
        return !strcmp(a->message ? a->message : "", b->message ? b->message : "");
    if (!strcmp(a->kind, "crash") && (!has_lines(a) || !has_lines(b))) {
        /* a crash seen without a stack is the located one of that signal */
        const char *sa = crash_signal(a), *sb = crash_signal(b);
        return sa && sb && !strcmp(sa, sb);
    }
    return lines_meet(a, b);
}

/* f is placed in one of the scanned files. */
static bool own_place(const scan_report *r, const finding *f)
{
    for (size_t i = 0; f->file && i < r->nfiles; i++)
        if (!strcmp(f->file, path_base(r->files[i]))) return true;
    return false;
}

/* The problem f is, in r->found: an earlier one or a new one (f is taken).
 * A problem is told by its first finding placed in the program's files
 * (a timeout under one tool may have only the libraries' lines). */
static size_t problem_of(scan_report *r, finding *f, scan_detector det)
{
    for (size_t k = 0; k < r->found.len; k++) {
        finding *told = &r->found.items[k].f;
        if (!same_problem(told, f)) continue;
        bool explains = kind_rank(f->kind) < kind_rank(told->kind);
        if (explains ||
            (!strcmp(told->kind, f->kind) && !own_place(r, told) && own_place(r, f))) {
            finding swap = *told;
            *told = *f;
            told->tool = swap.tool, swap.tool = f->tool;
            told->count = swap.count;
            told->has_seed = false;
            *f = swap;
        }
        finding_free(f);
        return k;
    }
    scan_finding *p = VEC_PUSH(&r->found);
    p->f = *f;
    free(p->f.tool);
    p->f.tool = xstrdup(scan_detector_name(det));
    p->f.count = 0;
    p->f.has_seed = false;
    free(p->f.key);
    p->f.key = NULL;
    return r->found.len - 1;
}

void scan_merge(scan_report *r, const scan_run *run, findings *fs, trace *schedule)
{
    size_t *seen = xmalloc(sizeof *seen * (fs->len + 1)), nseen = 0;
    bool *timeouts =
        xmalloc(sizeof *timeouts * (fs->len + 1)); /* taken findings are freed */
    for (size_t i = 0; i < fs->len; i++)
        timeouts[i] = !strcmp(fs->items[i].kind, "timeout");
    for (size_t n = 0; n < 2 * fs->len; n++) { /* the run's timeouts last */
        size_t i = n % fs->len;
        bool timeout = timeouts[i];
        if (timeout != (n >= fs->len)) continue;
        size_t k = problem_of(r, &fs->items[i], run->det);
        scan_finding *p = &r->found.items[k];
        p->f.count++;
        bool again = false;
        for (size_t j = 0; j < nseen && !again; j++) again = seen[j] == k;
        if (again) continue;
        seen[nseen++] = k;
        p->seen[run->det]++;
        p->hung[run->det] += timeout;
        if (!stress_det(run->det)) continue;
        if (p->nseeds < ARRAY_LEN(p->seeds)) p->seeds[p->nseeds++] = run->seed;
        if (!p->schedule.events.len && schedule && schedule->events.len) {
            p->schedule = *schedule;
            memset(schedule, 0, sizeof *schedule);
        }
    }
    free(timeouts);
    free(seen);
    free(fs->items);
    memset(fs, 0, sizeof *fs);
}

/* Most explanatory kind first (the vocabulary's order), stable. */
static void found_sort(scan_report *r)
{
    size_t nk;
    const kind_info *ks = kind_all(&nk);
    for (size_t i = 1; i < r->found.len; i++) {
        scan_finding x = r->found.items[i];
        size_t rx = nk;
        for (size_t k = 0; k < nk; k++)
            if (!strcmp(ks[k].name, x.f.kind)) rx = k;
        size_t j = i;
        for (; j > 0; j--) {
            size_t ry = nk;
            for (size_t k = 0; k < nk; k++)
                if (!strcmp(ks[k].name, r->found.items[j - 1].f.kind)) ry = k;
            if (ry <= rx) break;
            r->found.items[j] = r->found.items[j - 1];
        }
        r->found.items[j] = x;
    }
}

/* p's seeds in increasing order. */
static void seeds_sort(scan_finding *p)
{
    for (size_t i = 1; i < p->nseeds; i++)
        for (size_t j = i; j > 0 && p->seeds[j - 1] > p->seeds[j]; j--) {
            uint64_t t = p->seeds[j];
            p->seeds[j] = p->seeds[j - 1];
            p->seeds[j - 1] = t;
        }
}

/* The locks held at every acquisition at each of f's places, as the
 * traced schedule's gates (JSON object) saw them: held gets their
 * intersection (caller clears it). Returns how many of f's places the
 * schedule took a lock at. */
static size_t gates_common(const json_value *gates_v, const finding *f, strv *held)
{
    size_t n, known = 0;
    char **places = places_of(f, &n);
    for (size_t i = 0; i < n; i++) {
        bool took = false;
        for (size_t k = 0;
             gates_v && gates_v->type == JSON_OBJ && k < gates_v->len && !took; k++)
            took = !strcmp(gates_v->keys[k], places[i]);
        if (!took)
            continue; /* a place without a gate is a place without held locks, or not a
                         lock */
        const json_value *locks = json_get(gates_v, places[i]);
        strv here = {0};
        for (size_t j = 0; locks && locks->type == JSON_ARR && j < locks->len; j++)
            if (locks->items[j]->type == JSON_STR) strv_add(&here, locks->items[j]->str);
        if (known++ == 0)
            for (size_t j = 0; j < here.len; j++) strv_add(held, here.items[j]);
        else
            strv_keep(held, &here);
        strv_clear(&here);
    }
    strv_free(places, n);
    return known;
}

/* Lock-order inversions whose every acquisition (two places at least, all
 * seen by the traced schedule) held one common lock: that gate lock lets
 * only one of the threads in, so they can never deadlock. They leave
 * r->found for a note on the traced run. */
static void gates_apply(scan_report *r, const plan_item *plan, size_t n, sbuf *results)
{
    size_t traced = n;
    for (size_t i = 0; i < n && traced == n; i++)
        if (plan[i].trace) traced = i;
    if (traced == n) return;
    json_value *v = json_parse(sbuf_str(&results[traced]), results[traced].len, NULL);
    const json_value *gates_v = json_get(v, "gates");
    scan_run *run = NULL;
    for (size_t i = 0; i < r->runs.len && !run; i++)
        if (r->runs.items[i].det == plan[traced].det &&
            r->runs.items[i].seed == plan[traced].seed)
            run = &r->runs.items[i];
    size_t k = 0;
    for (size_t i = 0; i < r->found.len; i++) {
        scan_finding *p = &r->found.items[i];
        strv held = {0};
        bool gated = !strcmp(p->f.kind, "lock-order-inversion") && gates_v &&
                     gates_common(gates_v, &p->f, &held) >= 2 && held.len && run;
        if (gated) {
            char *was = run->note;
            run->note =
                xasprintf("%s%sthe lock-order inversion at %s:%d is no possible "
                          "deadlock: every acquisition "
                          "of it holds one more lock (%s in the trace of %s seed %llu), "
                          "a gate that lets "
                          "one thread in at a time",
                          was ? was : "", was ? "; " : "", p->f.file ? p->f.file : "?",
                          p->f.line, held.items[0], scan_detector_name(run->det),
                          (unsigned long long)run->seed);
            free(was);
            finding_free(&p->f);
            trace_free(&p->schedule);
        } else {
            r->found.items[k++] = *p;
        }
        strv_clear(&held);
    }
    r->found.len = k;
    json_free(v);
}

/* Unpacks every run's JSON, in detector order then plan order, so that the
 * merged list is the same whatever order the runs finished in. */
static void runs_collect(scan_report *r, const plan_item *plan, size_t n, sbuf *results)
{
    for (int d = 0; d < DET_COUNT; d++)
        for (size_t i = 0; i < n; i++) {
            if (plan[i].det != (scan_detector)d) continue;
            check_result c;
            scan_run *run = VEC_PUSH(&r->runs);
            run_unpack(&results[i], &plan[i], run, &c);
            scan_merge(r, run, &c.findings, &c.schedule);
            check_result_free(&c);
        }
    gates_apply(r, plan, n, results);
    scan_order(r);
}

void scan_order(scan_report *r)
{
    found_sort(r);
    for (size_t k = 0; k < r->found.len; k++) seeds_sort(&r->found.items[k]);
}

/* --- the whole scan -------------------------------------------------------------------
 */

static scan_report *report_new(const scan_opts *o, unsigned mask)
{
    scan_report *r = xmalloc(sizeof *r);
    r->files = xmalloc(sizeof *r->files * (o->nfiles + 1));
    r->texts = xmalloc(sizeof *r->texts * (o->nfiles + 1));
    for (size_t i = 0; i < o->nfiles; i++) r->files[i] = xstrdup(o->files[i]);
    r->nfiles = o->nfiles;
    r->args = xmalloc(sizeof *r->args * (o->nargs + 1));
    for (size_t i = 0; i < o->nargs; i++) r->args[i] = xstrdup(o->args[i]);
    r->nargs = o->nargs;
    r->seed = o->seed;
    r->depth = o->depth;
    r->timeout_ms = o->timeout_ms;
    r->detectors = mask;
    return r;
}

/* The files must be distinct by name (they are compiled side by side) and
 * be C. Returns NULL or why not (caller frees). */
static char *files_check(const scan_opts *o)
{
    if (!o->nfiles) return xstrdup("no C file to scan");
    for (size_t i = 0; i < o->nfiles; i++) {
        if (!str_ends(o->files[i], ".c"))
            return xasprintf("%s: not a C file (.c)", o->files[i]);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(path_base(o->files[k]), path_base(o->files[i])))
                return xasprintf("%s and %s have the same name", o->files[k],
                                 o->files[i]);
    }
    return NULL;
}

/* Intake: each file taken once as a regular file of at most SOURCE_MAX_BYTES
 * (never through a symbolic link, never waiting on a FIFO) into r->texts
 * and copied into workdir/src (the copies' paths into copies[i], owned by
 * the caller). Returns NULL or why a file cannot be scanned (caller frees). */
static char *files_take(const scan_opts *o, scan_report *r, const char *workdir,
                        char **copies)
{
    char *dir = path_join(workdir, "src");
    char *why = mkdir(dir, 0700) < 0
                    ? xasprintf("cannot create %s: %s", dir, strerror(errno))
                    : NULL;
    for (size_t i = 0; i < o->nfiles && !why; i++) {
        file_kind k;
        size_t len = 0;
        r->texts[i] =
            file_read_untrusted(AT_FDCWD, o->files[i], SOURCE_MAX_BYTES, &len, &k);
        copies[i] = path_join(dir, path_base(o->files[i]));
        if (k == FILE_MISSING)
            why = xasprintf("%s: no such file", o->files[i]);
        else if (k == FILE_TOO_LARGE)
            why = xasprintf("%s: larger than %u KiB, not a source file", o->files[i],
                            SOURCE_MAX_BYTES >> 10);
        else if (k == FILE_UNREADABLE)
            why = xasprintf("%s: cannot be read (%s)", o->files[i], strerror(errno));
        else if (k != FILE_REGULAR)
            why = xasprintf("%s: %s, not a regular file (scan reads only regular files, "
                            "never through a link)",
                            o->files[i], file_kind_text(k));
        else if (file_write(copies[i], r->texts[i], len) < 0)
            why = xasprintf("cannot copy %s into %s: %s", o->files[i], dir,
                            strerror(errno));
    }
    free(dir);
    return why;
}

/* A compiler said main does not return int (`void main`, which gcc takes
 * and clang takes freestanding): the program's exit status is then
 * whatever was left in a register, not a verdict. */
static bool void_main(const build_result *builds)
{
    for (int t = 0; t < TOOL_COUNT; t++)
        if (builds[t].log && strstr(builds[t].log, "return type of 'main' is not 'int'"))
            return true;
    return false;
}

/* Builds, plans, runs and merges, in workdir. */
static void scan_in(const scan_opts *o, scan_report *r, const char *workdir)
{
    char **copies = xmalloc(sizeof *copies * (o->nfiles + 1));
    r->error = files_take(o, r, workdir, copies);
    if (r->error) {
        strv_free(copies, o->nfiles);
        return;
    }
    build_result builds[TOOL_COUNT];
    memset(builds, 0, sizeof builds);
    run_env env = {.root = o->root,
                   .workdir = workdir,
                   .source = path_base(o->files[0]),
                   .builds = builds,
                   .whole_program = true,
                   .verbose = o->verbose};
    run_prepare(&env, NULL);
    if (o->progress) fprintf(stderr, "\r\033[Kscanning: building");
    if (builds_all(o, r->detectors, workdir, copies, builds, r)) {
        env.status_undefined = void_main(builds);
        plan_item *plan = NULL;
        size_t n = plan_make(o, r->detectors, &plan);
        sbuf *results = xmalloc(sizeof *results * (n + 1));
        runs_execute(&env, o, plan, n, results);
        runs_collect(r, plan, n, results);
        for (size_t i = 0; i < n; i++) sbuf_free(&results[i]);
        free(results);
        free(plan);
    }
    run_release(&env);
    for (int t = 0; t < TOOL_COUNT; t++) build_result_free(&builds[t]);
    strv_free(copies, o->nfiles);
}

scan_report *scan_execute(const scan_opts *o)
{
    int64_t start = now_ms();
    unsigned mask = o->detectors ? o->detectors : (1u << DET_COUNT) - 1;
    scan_report *r = report_new(o, mask);
    r->error = files_check(o);
    char *workdir = r->error ? NULL : dir_temp("grader-scan");
    if (!r->error && !workdir)
        r->error = xasprintf("cannot create a temporary directory: %s", strerror(errno));
    if (workdir) scan_in(o, r, workdir);
    if (workdir && !o->keep)
        dir_remove(workdir);
    else if (workdir)
        fprintf(stderr, "grader: kept %s\n", workdir);
    free(workdir);
    r->duration_ms = now_ms() - start;
    return r;
}

int scan_runs_of(const scan_report *r, scan_detector d, int *found)
{
    int n = 0, f = 0;
    for (size_t i = 0; i < r->runs.len; i++) {
        if (r->runs.items[i].det != d) continue;
        n++;
        f += r->runs.items[i].nfound > 0;
    }
    if (found) *found = f;
    return n;
}

char *scan_error_text(const scan_report *r)
{
    if (r->error) return xstrdup(r->error);
    sbuf b = {0};
    for (int d = 0; d < DET_COUNT; d++) {
        int failed = 0, n = 0;
        const char *first = NULL;
        for (size_t i = 0; i < r->runs.len; i++) {
            const scan_run *run = &r->runs.items[i];
            if (run->det != (scan_detector)d) continue;
            n++;
            if (run->error && !failed++) first = run->error;
        }
        if (!failed) continue;
        size_t len = strlen(first);
        while (len && first[len - 1] == '\n') len--;
        if (n == 1)
            sbuf_printf(
                &b,
                "%sthe %s detector failed in its run, so its verdict is missing: %.*s",
                b.len ? "; " : "", scan_detector_name((scan_detector)d), (int)len, first);
        else
            sbuf_printf(&b,
                        "%sthe %s detector failed in %d of its %d runs, so its verdict "
                        "is missing: %.*s",
                        b.len ? "; " : "", scan_detector_name((scan_detector)d), failed,
                        n, (int)len, first);
    }
    return b.len ? sbuf_take(&b) : NULL;
}

int scan_exit_status(const scan_report *r)
{
    if (r->error) return 2;
    for (size_t i = 0; i < r->runs.len; i++)
        if (r->runs.items[i].error) return 2;
    return r->found.len ? 1 : 0;
}

void scan_report_free(scan_report *r)
{
    if (!r) return;
    strv_free(r->files, r->nfiles);
    strv_free(r->texts, r->nfiles);
    strv_free(r->args, r->nargs);
    free(r->error);
    findings_free(&r->build);
    for (size_t i = 0; i < r->runs.len; i++)
        free(r->runs.items[i].error), free(r->runs.items[i].note);
    free(r->runs.items);
    for (size_t i = 0; i < r->found.len; i++) {
        finding_free(&r->found.items[i].f);
        trace_free(&r->found.items[i].schedule);
    }
    free(r->found.items);
    free(r);
}
