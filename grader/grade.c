/* grade.c - see grade.h. */
#include "grade.h"
#include "i18n.h"
#include "build.h"
#include "proc.h"
#include "run.h"
#include "sandbox.h"
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK_DEADLINE_MS (15 * 60 * 1000)
#define SUBMISSION_MAX_BYTES                                                             \
    (1u << 20) /* a source file of a few thousand lines fits many times */

char *exercise_dir(const char *root, const char *name)
{
    char *ex = path_join(root, "exercises");
    char *d = path_join(ex, name);
    free(ex);
    return d;
}

char *exercise_spec_display(const char *root, const char *spec_path)
{
    size_t n = strlen(root);
    if (!strncmp(spec_path, root, n) && spec_path[n] == '/')
        return xstrdup(spec_path + n + 1);
    return xstrdup(spec_path);
}

/* --- the grading state ------------------------------------------------------------ */

typedef struct grading {
    const grade_opts *o;
    spec *sp;
    char *workdir;
    char *source_path;
    build_result builds[TOOL_COUNT];
    run_env env;
    report *rep;
    int64_t deadline_ms; /* the exercise's deadline for the whole grading */
    int64_t deadline_at; /* now_ms() when it passes */
} grading;

static int host_run(void *ctx, const run_request *rq, run_output *out)
{
    grading *g = ctx;
    return run_exec(&g->env, rq, out);
}

static uint64_t check_seed(uint64_t base, const char *name)
{
    return hash_str(base, name) % 2147483647u;
}

/* --- building ----------------------------------------------------------------------- */

/* The `build` check's title: a whole program (no driver) compiles alone. */
static const char *build_title(const spec_exercise *ex)
{
    return ex->driver ? _("Your code compiles with the exercise's files")
                      : _("Your program compiles, for every tool");
}

static check_result *result_add(report *r, const char *name, const char *title,
                                double points)
{
    check_result *c = VEC_PUSH(&r->checks);
    c->name = xstrdup(name);
    c->title = xstrdup(title);
    c->max_score = points;
    c->graded = true;
    return c;
}

/* The grading's deadline passed: check c, which was running (or had not
 * started), ends with a verdict that says so. */
static void deadline_verdict(const grading *g, check_result *c, bool running)
{
    int s = (int)(g->deadline_ms / 1000);
    free(c->message);
    free(c->hint);
    c->graded = true;
    c->score = 0;
    if (running) {
        c->outcome = OUTCOME_FAIL;
        c->message = xasprintf(_("stopped: the whole grading may take at most %d s (the "
                                 "exercise's deadline), "
                                 "and that time ran out while this check was running"),
                               s);
        findings_add(&c->findings, "timeout", "sandbox", c->message);
    } else {
        c->outcome = OUTCOME_SKIPPED;
        c->message = xasprintf(_("not run: the whole grading may take at most %d s (the "
                                 "exercise's deadline), "
                                 "and that time ran out before this check could start"),
                               s);
    }
    c->hint =
        xstrdup(_("Your program made the grading too slow: make the runs that timed out "
                  "finish (a thread "
                  "stuck in a lock, a join or an endless loop), then grade again."));
}

/* Builds every tool; records the outcome as the `build` check (the first
 * tool's failure, native first). Returns true when every build succeeded. */
static bool build_all(grading *g)
{
    const spec_exercise *ex = spec_exercise_get(g->sp);
    char *exdir = exercise_dir(g->o->root, ex->name);
    build_inputs in = {
        .root = g->o->root,
        .exercise_dir = exdir,
        .source_name = ex->source,
        .source_path = g->source_path,
        .header = ex->header,
        .driver = ex->driver,
        .extra_cflags = ex->cflags,
        .libs = ex->libs,
        .workdir = g->workdir,
        .hide = (const char *const *)g->env.hide,
        .deadline_at = g->deadline_at,
        .policy = true,
        .allow = ex->allow,
    };
    check_result *c = result_add(g->rep, "build", build_title(ex), 0);
    int64_t start = now_ms();
    if (g->o->progress) fprintf(stderr, "\r\033[Kgrading %s: building", ex->name);
    build_tools(&in, NULL, g->builds);
    bool ok = true;
    for (int t = 0; t < TOOL_COUNT && ok; t++) {
        build_result *b = &g->builds[t];
        if (b->ok) {
            if (tool_get((tool_id)t)->warnings) findings_copy(&c->findings, &b->diags);
            continue;
        }
        ok = false;
        if (b->machine_error) {
            c->outcome = OUTCOME_ERROR;
            c->graded = false;
            c->message = xasprintf(
                _("the %s build failed for a reason that is not in your code:\n%s"),
                tool_name((tool_id)t), b->log ? b->log : "");
            c->hint = xstrdup(
                _("Check that the grader's packages are installed (make setup)."));
        } else {
            c->outcome = OUTCOME_FAIL;
            findings_copy(&c->findings, &b->diags);
            const finding *first = NULL;
            for (size_t i = 0; i < c->findings.len && !first; i++)
                if (!strcmp(c->findings.items[i].kind, "build-error"))
                    first = &c->findings.items[i];
            c->message =
                first && first->line
                    ? xasprintf(_("%s does not compile: %s:%d: %s"), ex->source,
                                first->file, first->line, first->message)
                    : xasprintf(_("%s does not compile: %s"), ex->source,
                                first ? first->message : _("see the compiler output"));
            c->hint = xstrdup(kind_lookup("build-error")->hint);
        }
    }
    c->duration_ms = now_ms() - start;
    free(exdir);
    if (now_ms() < g->deadline_at) return ok;
    /* the build itself used up the grading's time */
    findings_free(&c->findings);
    deadline_verdict(g, c, true);
    return false;
}

/* --- scheduling checks ------------------------------------------------------------- */

enum { ST_WAITING, ST_RUNNING, ST_DONE };

typedef struct slot {
    int state;
    pid_t pid;
    int fd;
    sbuf buf;
    int64_t started;
    check_result *res;
} slot;

/* Runs check i in this (forked) process and writes its JSON to fd. */
static void worker_main(grading *g, size_t i, int fd)
{
    const spec_check *c = spec_check_get(g->sp, i);
    spec_host host = {.run = host_run,
                      .ctx = g,
                      .seed = check_seed(g->o->seed, c->name),
                      .verbose = g->o->verbose};
    if (g->o->replay && g->o->only && !strcmp(g->o->only, c->name)) {
        host.seed = g->o->seed;
        host.replay = true;
    }
    check_result r;
    int64_t start = now_ms();
    spec_run_check(g->sp, i, &host, &r);
    r.duration_ms = now_ms() - start;
    sbuf out = {0};
    json_writer w;
    json_init(&w, &out, false);
    check_to_json(&w, &r);
    fd_write_all(fd, out.data, out.len);
    _exit(0);
}

static void skip(check_result *c, const spec_check *sc, const char *dep, bool dep_error)
{
    c->outcome = OUTCOME_SKIPPED;
    c->graded = !dep_error;
    c->message =
        dep_error
            ? xasprintf(_("not run: it depends on '%s', which could not be graded"), dep)
            : xasprintf(_("not run: it depends on '%s', which did not pass"), dep);
    (void)sc;
}

/* Whether check i may start: 1 yes, 0 not yet, -1 skipped (decided here). */
static int deps_ready(grading *g, slot *slots, size_t i, const bool *build_ok)
{
    const spec_check *c = spec_check_get(g->sp, i);
    if (!*build_ok) {
        skip(slots[i].res, c, "build", g->rep->checks.items[0].outcome == OUTCOME_ERROR);
        return -1;
    }
    for (size_t d = 0; d < c->ndeps; d++) {
        int j = spec_check_find(g->sp, c->deps[d]);
        if (slots[j].state != ST_DONE) return 0;
        outcome o = slots[j].res->outcome;
        if (o == OUTCOME_PASS) continue;
        bool err = o == OUTCOME_ERROR || (o == OUTCOME_SKIPPED && !slots[j].res->graded);
        skip(slots[i].res, c, c->deps[d], err);
        return -1;
    }
    return 1;
}

/* Marks the checks `only` needs (itself and its dependencies, transitively). */
static void mark_needed(grading *g, size_t i, bool *need)
{
    if (need[i]) return;
    need[i] = true;
    const spec_check *c = spec_check_get(g->sp, i);
    for (size_t d = 0; d < c->ndeps; d++)
        mark_needed(g, (size_t)spec_check_find(g->sp, c->deps[d]), need);
}

static void worker_finish(grading *g, slot *s, int status)
{
    check_result parsed;
    json_value *v = json_parse(sbuf_str(&s->buf), s->buf.len, NULL);
    if (v && check_from_json(v, &parsed) == 0) {
        char *title = xstrdup(s->res->title);
        check_result_free(s->res);
        *s->res = parsed;
        if (!s->res->title)
            s->res->title = title;
        else
            free(title);
    } else {
        s->res->outcome = OUTCOME_ERROR;
        s->res->graded = false;
        s->res->message =
            WIFSIGNALED(status)
                ? xasprintf(_("the grader failed while running this check (signal %d)"),
                            WTERMSIG(status))
                : xstrdup(_("the grader failed while running this check (no result)"));
    }
    json_free(v);
    sbuf_free(&s->buf);
    s->state = ST_DONE;
    (void)g;
}

static void progress(grading *g, slot *slots, size_t n)
{
    if (!g->o->progress) return;
    size_t done = 0;
    sbuf running = {0};
    for (size_t i = 0; i < n; i++) {
        if (slots[i].state == ST_DONE) done++;
        if (slots[i].state == ST_RUNNING)
            sbuf_printf(&running, "%s%s", running.len ? ", " : "", slots[i].res->name);
    }
    fprintf(stderr, "\r\033[Kgrading %s: %zu/%zu checks done%s%s",
            spec_exercise_get(g->sp)->name, done, n, running.len ? "; running " : "",
            sbuf_str(&running));
    sbuf_free(&running);
}

static bool slot_start(grading *g, slot *s, size_t i)
{
    int fd;
    pid_t pid = proc_worker(&fd);
    if (pid < 0) return false;
    if (pid == 0) worker_main(g, i, fd);
    s->pid = pid;
    s->fd = fd;
    s->state = ST_RUNNING;
    s->started = now_ms();
    return true;
}

/* The grading's deadline passed: every running check is stopped with its
 * whole tree and fails, every check not started is marked as not run. */
static void deadline_stop(grading *g, slot *slots, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (slots[i].state == ST_RUNNING) {
            close(slots[i].fd);
            proc_kill_worker(slots[i].pid, NULL);
            sbuf_free(&slots[i].buf);
        }
        if (slots[i].state != ST_DONE)
            deadline_verdict(g, slots[i].res, slots[i].state == ST_RUNNING);
        slots[i].state = ST_DONE;
    }
}

static void run_checks(grading *g, bool build_ok)
{
    size_t n = spec_check_count(g->sp);
    slot *slots = xmalloc(sizeof *slots * n);
    bool *need = xmalloc(n);
    int only = g->o->only ? spec_check_find(g->sp, g->o->only) : -1;
    for (size_t i = 0; i < n; i++) {
        if (only < 0) need[i] = true;
    }
    if (only >= 0) mark_needed(g, (size_t)only, need);
    /* results in declaration order, after `build` */
    size_t first = g->rep->checks.len;
    for (size_t i = 0; i < n; i++) {
        if (!need[i]) continue;
        const spec_check *c = spec_check_get(g->sp, i);
        result_add(g->rep, c->name, c->title, c->points);
    }
    for (size_t i = 0, k = first; i < n; i++) {
        slots[i].state = need[i] ? ST_WAITING : ST_DONE;
        slots[i].res = need[i] ? &g->rep->checks.items[k++] : NULL;
    }
    int jobs = g->o->jobs > 0 ? g->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1) jobs = 1;
    proc_subreaper(); /* what a worker's runs leave comes back to us at a deadline */
    struct pollfd *pf = xmalloc(sizeof *pf * (n ? n : 1));
    size_t *idx = xmalloc(sizeof *idx * (n ? n : 1));
    for (;;) {
        int running = 0;
        bool waiting = false;
        for (size_t i = 0; i < n; i++) {
            if (slots[i].state == ST_RUNNING) running++;
            if (slots[i].state == ST_WAITING) waiting = true;
        }
        for (size_t i = 0; i < n && running < jobs; i++) {
            if (slots[i].state != ST_WAITING) continue;
            int r = deps_ready(g, slots, i, &build_ok);
            if (r < 0)
                slots[i].state = ST_DONE;
            else if (r > 0 && slot_start(g, &slots[i], i))
                running++;
        }
        progress(g, slots, n);
        if (!running && !waiting) break;
        int64_t left = g->deadline_at - now_ms();
        if (left <= 0) {
            deadline_stop(g, slots, n);
            break;
        }
        if (!running) continue;
        size_t np = 0;
        for (size_t i = 0; i < n; i++)
            if (slots[i].state == ST_RUNNING)
                pf[np] = (struct pollfd){slots[i].fd, POLLIN, 0}, idx[np++] = i;
        poll(pf, np, left < 1000 ? (int)left : 1000);
        for (size_t k = 0; k < np; k++) {
            slot *s = &slots[idx[k]];
            bool eof = false;
            if (pf[k].revents) {
                char buf[65536];
                ssize_t r = read(s->fd, buf, sizeof buf);
                if (r > 0)
                    sbuf_add(&s->buf, buf, (size_t)r);
                else if (r == 0 || errno != EINTR)
                    eof = true;
            }
            if (!eof && now_ms() - s->started > CHECK_DEADLINE_MS) {
                close(s->fd);
                int status = 0;
                proc_kill_worker(s->pid, &status);
                worker_finish(g, s, status);
                continue;
            }
            if (!eof) continue;
            close(s->fd);
            int status = 0;
            proc_wait_trusted(s->pid, &status, true);
            proc_trust(s->pid, false);
            worker_finish(g, s, status);
        }
    }
    if (g->o->progress) fprintf(stderr, "\r\033[K");
    free(pf);
    free(idx);
    free(slots);
    free(need);
}

/* --- the whole grading ------------------------------------------------------------- */

/* A spec whose exercise{} names another exercise than its folder would grade
 * the wrong file (NAME.c): the spec's mistake, never the student's. Returns
 * the message (caller frees) or NULL. */
static char *exercise_name_check(const spec_exercise *ex, const char *folder,
                                 const char *display)
{
    if (!strcmp(ex->name, folder)) return NULL;
    return xasprintf("%s:%d: exercise: name '%s' is not the name of its folder, '%s'",
                     display, ex->line, ex->name, folder);
}

/* Prepares the runs' sandbox; with -v says what it does on this machine. */
static void sandbox_report(grading *g, const char *submission)
{
    bool staged = run_prepare(&g->env, submission) == 0;
    if (!g->o->verbose) return;
    char *d = sandbox_describe();
    fprintf(stderr, "grader: sandbox: %s\n", d);
    if (!staged)
        fprintf(stderr, "grader: sandbox: the stress shim and test server could not be "
                        "copied out of the repository\n");
    for (size_t i = 0; sandbox_probe()->mount && g->env.hide && g->env.hide[i]; i++)
        fprintf(stderr, "grader: sandbox: hidden from runs: %s\n", g->env.hide[i]);
    free(d);
}

static report *report_new(const grade_opts *o)
{
    report *r = xmalloc(sizeof *r);
    r->exercise = xstrdup(o->exercise);
    r->submission = xstrdup(o->dir);
    r->seed = o->seed;
    return r;
}

/* The `build` check failing at intake: kind, message (taken) and hint. */
static void intake_fail(grading *g, const spec_exercise *ex, const char *kind, char *msg,
                        char *hint)
{
    check_result *c = result_add(g->rep, "build", build_title(ex), 0);
    c->outcome = OUTCOME_FAIL;
    finding *f = findings_add(&c->findings, kind, "build", msg);
    f->file = xstrdup(ex->source);
    c->message = msg;
    c->hint = hint;
}

/* Why the submitted file at `shown` cannot be graded, as a message to the
 * student (caller frees); kind gets the finding's kind. */
static char *intake_message(file_kind k, const char *shown, const spec_exercise *ex,
                            const char **kind)
{
    *kind = k == FILE_LINK || k == FILE_FIFO || k == FILE_DEVICE || k == FILE_SOCKET
                ? "tampering"
                : "build-error";
    switch (k) {
    case FILE_LINK:
        return xasprintf(_("%s is a symbolic link: the grader reads only a regular file, "
                           "never what a link points "
                           "to; put your solution itself in %s"),
                         shown, ex->source);
    case FILE_DIRECTORY:
        return xasprintf(
            _("%s is a directory, not a file: save your solution as the file %s"), shown,
            ex->source);
    case FILE_TOO_LARGE:
        return xasprintf(
            _("%s is larger than %u KiB: submit only your solution's source file, %s"),
            shown, SUBMISSION_MAX_BYTES >> 10, ex->source);
    case FILE_UNREADABLE:
        return xasprintf(_("%s cannot be read (%s): make it a readable file"), shown,
                         strerror(errno));
    default:
        return xasprintf(
            _("%s is %s, not a regular file: save your solution as a plain file, %s"),
            shown, _(file_kind_text(k)), ex->source);
    }
}

/* Intake: the submitted file, DIR/<source> (or --source), taken once as a
 * regular file of at most SUBMISSION_MAX_BYTES (never through a symbolic
 * link, never waiting on a FIFO) and copied into workdir/submission; every
 * later read (build, cache key, excerpts) uses the copy (its path returned,
 * caller frees) or g->rep->source_text. NULL with a failed `build` check
 * when the file is missing or not a regular file. */
static char *submission_take(grading *g, const spec_exercise *ex)
{
    const grade_opts *o = g->o;
    char *shown = o->source ? xstrdup(o->source) : path_join(o->dir, ex->source);
    int dfd = o->source ? AT_FDCWD
                        : open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
                                           (o->strict_dir ? O_NOFOLLOW : 0));
    file_kind k = FILE_MISSING;
    size_t len = 0;
    char *data = dfd == -1 ? NULL
                           : file_read_untrusted(dfd, o->source ? o->source : ex->source,
                                                 SUBMISSION_MAX_BYTES, &len, &k);
    int err = errno;
    if (dfd >= 0) close(dfd);
    errno = err;
    char *copy = NULL;
    if (data) {
        char *dir = path_join(g->workdir, "submission");
        copy = path_join(dir, ex->source);
        if (mkdir(dir, 0700) < 0 || file_write(copy, data, len) < 0) {
            g->rep->error = xasprintf(_("cannot copy the submission into %s: %s"), dir,
                                      strerror(errno));
            free(copy), free(data);
            copy = data = NULL;
        } else {
            g->rep->source_text = data;
        }
        free(dir);
    } else if (dfd == -1 && !o->source) {
        bool link = o->strict_dir && err == ELOOP;
        intake_fail(g, ex, link ? "tampering" : "build-error",
                    link ? xasprintf(_("the folder %s is a symbolic link: the grader "
                                       "grades only a folder of your own"),
                                     o->dir)
                         : xasprintf(_("the directory %s does not exist"), o->dir),
                    xasprintf(_("Run the grader in the folder that holds %s, or give "
                                "that folder: grader grade %s DIR"),
                              ex->source, ex->name));
    } else if (k == FILE_MISSING) {
        intake_fail(
            g, ex, "build-error",
            xasprintf(_("%s was not found: save your solution as %s"), shown, ex->source),
            xasprintf(_("Run the grader in the folder that holds %s, or give that "
                        "folder: grader grade %s DIR"),
                      ex->source, ex->name));
    } else {
        const char *kind;
        char *msg = intake_message(k, shown, ex, &kind);
        intake_fail(g, ex, kind, msg, xstrdup(_(kind_lookup(kind)->hint)));
    }
    free(shown);
    return copy;
}

report *grade_run(const grade_opts *o)
{
    int64_t start = now_ms();
    grading g = {.o = o};
    g.rep = report_new(o);
    char *exdir = exercise_dir(o->root, o->exercise);
    char *spec_path = path_join(exdir, "spec.lua");
    char *display = exercise_spec_display(o->root, spec_path);
    char *err = NULL;
    g.sp = spec_load(spec_path, display, &err);
    if (g.sp && !err)
        err = exercise_name_check(spec_exercise_get(g.sp), o->exercise, display);
    free(exdir);
    free(spec_path);
    free(display);
    if (!g.sp || err) {
        g.rep->error = err;
        spec_free(g.sp);
        report_total(g.rep);
        return g.rep;
    }
    const spec_exercise *ex = spec_exercise_get(g.sp);
    g.deadline_ms = ex->deadline_ms;
    g.deadline_at = start + ex->deadline_ms;
    g.rep->title = xstrdup(ex->title);
    g.rep->source = xstrdup(ex->source);
    if (o->only && spec_check_find(g.sp, o->only) < 0 && strcmp(o->only, "build")) {
        g.rep->error =
            xasprintf(_("there is no check named '%s' in %s (see grader list -v)"),
                      o->only, ex->name);
        spec_free(g.sp);
        report_total(g.rep);
        return g.rep;
    }
    g.rep->source_path = o->source ? xstrdup(o->source) : path_join(o->dir, ex->source);
    g.workdir = dir_temp("grader");
    if (!g.workdir) {
        g.rep->error =
            xasprintf(_("cannot create a temporary directory: %s"), strerror(errno));
    } else {
        g.source_path = submission_take(&g, ex);
        g.env = (run_env){.root = o->root,
                          .workdir = g.workdir,
                          .source = ex->source,
                          .source_text = g.rep->source_text,
                          .builds = g.builds,
                          .whole_program = ex->driver == NULL,
                          .verbose = o->verbose,
                          .exercise_helpers = (const char *const *)ex->helpers};
        /* what runs must not see is judged from where the submission was */
        sandbox_report(&g, g.rep->source_path);
        bool build_ok = g.source_path && build_all(&g);
        if (!g.rep->error && !(o->only && !strcmp(o->only, "build")))
            run_checks(&g, build_ok);
    }
    run_release(&g.env);
    for (int t = 0; t < TOOL_COUNT; t++) build_result_free(&g.builds[t]);
    if (g.workdir && !o->keep)
        dir_remove(g.workdir);
    else if (g.workdir)
        fprintf(stderr, "grader: kept %s\n", g.workdir);
    free(g.workdir);
    free(g.source_path);
    spec_free(g.sp);
    g.rep->duration_ms = now_ms() - start;
    report_total(g.rep);
    return g.rep;
}

/* Loads the spec of o->exercise (NULL with *err on a problem). */
static spec *spec_of_exercise(const char *root, const char *exercise, char **err)
{
    char *exdir = exercise_dir(root, exercise);
    char *spec_path = path_join(exdir, "spec.lua");
    char *display = exercise_spec_display(root, spec_path);
    spec *sp = spec_load(spec_path, display, err);
    free(exdir), free(spec_path), free(display);
    return sp;
}

report *grade_unfinished(const grade_opts *o, outcome oc, const char *why)
{
    report *r = report_new(o);
    char *err = NULL;
    spec *sp = spec_of_exercise(o->root, o->exercise, &err);
    if (!sp) {
        r->error = err;
        report_total(r);
        return r;
    }
    const spec_exercise *ex = spec_exercise_get(sp);
    r->title = xstrdup(ex->title);
    r->source = xstrdup(ex->source);
    r->source_path = path_join(o->dir, ex->source);
    check_result *c = result_add(r, "build", build_title(ex), 0);
    c->outcome = oc;
    c->graded = oc != OUTCOME_ERROR;
    c->message = xstrdup(why);
    for (size_t i = 0; i < spec_check_count(sp); i++) {
        const spec_check *sc = spec_check_get(sp, i);
        c = result_add(r, sc->name, sc->title, sc->points);
        c->outcome = OUTCOME_SKIPPED;
        c->graded = oc != OUTCOME_ERROR;
        c->message = xasprintf(_("not run: %s"), why);
    }
    spec_free(sp);
    report_total(r);
    return r;
}

int64_t grade_deadline_ms(const char *root, const char *exercise)
{
    char *err = NULL;
    spec *sp = spec_of_exercise(root, exercise, &err);
    int64_t ms = sp ? spec_exercise_get(sp)->deadline_ms : SPEC_DEADLINE_DEFAULT_S * 1000;
    spec_free(sp);
    free(err);
    return ms;
}
