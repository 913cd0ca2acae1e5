/* run.c - see run.h. */
#include "run.h"
#include "i18n.h"
#include "stacks.h"
#include "symbolize.h"

#include "helper.h"
#include "sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RESULT_FD 99
#define TOKEN_FD  98 /* the run's secret, read once by the driver (grader_driver.c) */
#define MAX_TASKS                                                                        \
    512                /* processes and threads of one run: room for hundreds of threads \
                        */
#define FLOOD_MB    64 /* proc_run stops a program past 64 times its 1 MiB output cap */
#define RUN_FILE_MB 64 /* RLIMIT_FSIZE of a run: no file it writes is larger */
#define RUN_REPORTS 256 /* tool reports read from one run (one per process) */

void run_output_free(run_output *out)
{
    trace_free(&out->schedule);
    proc_result_free(&out->proc);
    parse_out_free(&out->parsed);
    free(out->error);
    free(out->trace);
    free(out->dir);
    memset(out, 0, sizeof *out);
}

/* --- the sandbox of a grading's runs --------------------------------------------- */

#define STRESS_SHIM "libstress.so" /* the stress schedules' LD_PRELOAD library */

/* The path of a file under build/harness runs use: the grading's copy, else
 * the repository's (caller frees). */
static char *helper_path(const run_env *re, const char *name)
{
    if (re->helpers) return path_join(re->helpers, name);
    char *dir = path_join(re->root, "build/harness");
    char *p = path_join(dir, name);
    free(dir);
    return p;
}

/* Copies the stress shim and the exercise's helpers into workdir/harness;
 * 0, or -1 (nothing staged). */
static int helpers_stage(run_env *re)
{
    char *to_dir = path_join(re->workdir, "harness");
    int rc = dir_make(to_dir);
    for (size_t i = 0;
         rc == 0 && (i == 0 || (re->exercise_helpers && re->exercise_helpers[i - 1]));
         i++) {
        const helper_info *h = i ? helper_lookup(re->exercise_helpers[i - 1]) : NULL;
        const char *name = i == 0 ? STRESS_SHIM : h ? h->binary : NULL;
        if (!name) continue;
        char *from = helper_path(re, name);
        char *to = path_join(to_dir, name);
        if (file_exists(from))
            rc = file_copy(from, to) < 0 || chmod(to, 0755) < 0 ? -1 : 0;
        free(from);
        free(to);
    }
    if (rc == 0)
        re->helpers = to_dir;
    else
        free(to_dir);
    return rc;
}

/* Calls fn for each helper the exercise declared (with a row in the table). */
static void helpers_each(const run_env *re,
                         void (*fn)(const run_env *, const helper_info *, strv *),
                         strv *v)
{
    for (size_t i = 0; re->exercise_helpers && re->exercise_helpers[i]; i++) {
        const helper_info *h = helper_lookup(re->exercise_helpers[i]);
        if (h) fn(re, h, v);
    }
}

/* "GRADER_HTTPD=PATH": where the driver finds helper h. */
static void helper_env(const run_env *re, const helper_info *h, strv *env)
{
    char *path = helper_path(re, h->binary);
    strv_addf(env, "%s=%s", h->env, path);
    free(path);
}

/* The real path of h's binary, for telling its processes apart. */
static void helper_real(const run_env *re, const helper_info *h, strv *paths)
{
    char *path = helper_path(re, h->binary);
    char *real = realpath(path, NULL);
    if (real) strv_add(paths, real);
    free(real);
    free(path);
}

/* Whether the folder dir holds the program a run finds as name. */
static bool holds_program(const char *dir, const char *name)
{
    char *t = which(name);
    char *real = t ? path_abs(t) : NULL;
    size_t n = strlen(dir);
    bool held = real && !strncmp(real, dir, n) && real[n] == '/';
    free(t);
    free(real);
    return held;
}

/* Whether hiding dir leaves runs what they need: never the root, the system
 * or anything holding a tool they run. */
static bool hide_ok(const char *dir)
{
    static const char *const system[] = {"/usr",   "/bin",    "/sbin", "/lib", "/lib32",
                                         "/lib64", "/libx32", "/etc",  "/dev", "/proc",
                                         "/sys",   "/run",    "/var",  "/nix", "/snap"};
    if (!dir || !strcmp(dir, "/") || !strcmp(dir, "/tmp")) return false;
    size_t n = strlen(dir);
    for (size_t i = 0; i < ARRAY_LEN(system); i++) {
        size_t m = strlen(system[i]);
        if (!strncmp(system[i], dir, n) && (system[i][n] == '/' || !system[i][n]))
            return false;
        if (!strncmp(dir, system[i], m) && dir[m] == '/' && strcmp(system[i], "/var"))
            return false;
    }
    bool ok = !holds_program(dir, "sh");
    for (int t = 0; t < TOOL_COUNT && ok; t++) {
        char *copy = xstrdup(tool_get((tool_id)t)->programs), *save = NULL;
        for (char *w = strtok_r(copy, " ", &save); w && ok;
             w = strtok_r(NULL, " ", &save))
            ok = !holds_program(dir, w);
        free(copy);
    }
    return ok;
}

/* Adds dir (taken; may be NULL) unless it is already hidden by an entry. */
static void hide_add(strv *v, char *dir)
{
    bool covered = !dir;
    for (size_t i = 0; i < v->len && !covered; i++) {
        size_t n = strlen(v->items[i]);
        covered = !strncmp(v->items[i], dir, n) && (!dir[n] || dir[n] == '/');
    }
    if (!covered && hide_ok(dir)) strv_add(v, dir);
    free(dir);
}

static int by_length(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? -1 : la > lb;
}

/* The folder above the one holding path (caller frees), or NULL. */
static char *grandparent(const char *path)
{
    char *real = path ? path_abs(path) : NULL;
    char *d1 = real ? path_dirname(real) : NULL;
    char *d2 = d1 ? path_dirname(d1) : NULL;
    free(real);
    free(d1);
    return d2;
}

/* What runs must not see: the repository (and where its parts really are),
 * the folder of submissions, and without root our home. Shortest first, so
 * that a hidden folder's own hidden folders need nothing more. */
static char **hide_list(const char *root, const char *submission)
{
    strv v = {0};
    hide_add(&v, path_abs(root));
    static const char *const parts[] = {"build", "harness", "exercises", "solutions"};
    for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
        char *p = path_join(root, parts[i]);
        char *real = path_abs(p);
        hide_add(&v, real ? path_dirname(real) : NULL);
        free(real);
        free(p);
    }
    hide_add(&v, grandparent(submission));
    const char *home = getenv("HOME");
    if (geteuid() != 0 && home && *home) hide_add(&v, path_abs(home));
    qsort(v.items, v.len, sizeof *v.items, by_length);
    strv_get(&v);
    return v.items; /* NULL-terminated, owned by the caller */
}

int run_prepare(run_env *re, const char *submission)
{
    int rc = helpers_stage(re);
    re->hide = hide_list(re->root, submission);
    /* probed here, once, before the workers fork; as root the runs' own
     * users (one per worker) must reach their folders */
    if (sandbox_probe()->root) chmod(re->workdir, 0711);
    return rc;
}

void run_release(run_env *re)
{
    for (size_t i = 0; re->hide && re->hide[i]; i++) free(re->hide[i]);
    free(re->hide);
    free(re->helpers);
    re->hide = NULL;
    re->helpers = NULL;
}

/* --- command line and environment -------------------------------------------- */

/* PCT spreads its priority change points over the steps a run takes. Before
 * the first pct run of a scenario, a calibration run measures them (depth 1,
 * a seed derived from the scenario alone, so a replay measures the same);
 * every pct run of that scenario then uses that measure. A schedule is thus
 * fixed by its seed and its scenario. */
typedef struct steps_seen {
    char *key;
    long steps;
} steps_seen;
static struct {
    steps_seen *items;
    size_t len, cap;
} seen_steps;

static char *steps_key(const run_request *rq)
{
    sbuf b = {0};
    for (size_t i = 0; i < rq->argv.len; i++)
        sbuf_printf(&b, "%s\x1f", rq->argv.items[i]);
    return sbuf_take(&b);
}

static long steps_known(const run_request *rq)
{
    char *key = steps_key(rq);
    long v = 0;
    for (size_t i = 0; i < seen_steps.len; i++)
        if (!strcmp(seen_steps.items[i].key, key)) v = seen_steps.items[i].steps;
    free(key);
    return v;
}

static void steps_learn(const run_request *rq, long steps)
{
    steps_seen *s = VEC_PUSH(&seen_steps);
    s->key = steps_key(rq);
    s->steps = steps > 0 ? steps : -1; /* -1: measured, nothing counted */
}

/* Measures the steps of rq's scenario under pct once (see above). */
static void steps_calibrate(const run_env *re, const run_request *rq)
{
    if (!rq->stress.mode || strcmp(rq->stress.mode, "pct") || rq->stress.steps > 0 ||
        steps_known(rq))
        return;
    run_request cal = *rq;
    cal.stress.depth = 1;
    cal.stress.steps = 2000; /* irrelevant at depth 1; stops the recursion */
    cal.stress.trace = false;
    char *key = steps_key(rq);
    cal.seed = hash_str(0x5eed, key) % 2147483647u;
    free(key);
    run_output out;
    long steps = run_exec(re, &cal, &out) == 0 ? out.parsed.stress_steps : 0;
    run_output_free(&out);
    steps_learn(rq, steps);
}

static void stress_env(strv *env, const run_env *re, const run_request *rq,
                       const char *dir, const char *binary)
{
    const stress_opts *s = &rq->stress;
    char *lib = helper_path(re, STRESS_SHIM);
    strv_addf(env, "LD_PRELOAD=%s", lib);
    free(lib);
    strv_addf(env, "STRESS_MODE=%s", s->mode);
    strv_addf(env, "STRESS_SEED=%llu", (unsigned long long)rq->seed);
    strv_addf(env, "STRESS_OUT=%s/stress.jsonl", dir);
    strv_addf(env, "STRESS_EXE=%s", binary);
    if (s->depth > 0) strv_addf(env, "STRESS_DEPTH=%d", s->depth);
    long steps = s->steps > 0 ? s->steps : steps_known(rq);
    if (steps > 0) strv_addf(env, "STRESS_STEPS=%ld", steps < 8 ? 8 : steps);
    if (s->prob > 0) strv_addf(env, "STRESS_PROB=%d", s->prob);
    if (s->fail_create > 0) strv_addf(env, "STRESS_FAIL_CREATE=%ld", s->fail_create);
    if (s->fail_fork > 0) strv_addf(env, "STRESS_FAIL_FORK=%ld", s->fail_fork);
    if (s->trace) strv_add(env, "STRESS_TRACE=1");
    if (s->one_process) strv_add(env, "STRESS_ONE_PROCESS=1");
}

/* --- after the run ------------------------------------------------------------- */

/* A file the run left where a tool's report belongs was not what the tool
 * writes: the student's doing, a failing finding. */
static void tampering_add(parse_out *out, const char *name, const char *what, file_kind k)
{
    char *msg =
        k == FILE_TOO_LARGE
            ? xasprintf("%s (%s) is larger than the %d MiB any file of a run may be: the "
                        "program "
                        "tampered with the tools' reports, and nothing of it was read",
                        name, what, RUN_FILE_MB)
            : xasprintf("%s (%s) is %s, not the regular file the tool writes: the "
                        "program tampered "
                        "with the tools' reports, and nothing of it was read",
                        name, what, file_kind_text(k));
    findings_add(&out->found, "tampering", "sandbox", msg);
    free(msg);
}

/* Reads one file the run may have touched (name in dir), as a regular file
 * of at most the run's file size; anything else becomes a tampering
 * finding. Returns the bytes (caller frees) or NULL (missing or refused). */
static char *run_file_read(const char *dir, const char *name, const char *what,
                           size_t *len, parse_out *out)
{
    char *path = path_join(dir, name);
    file_kind k;
    char *text = file_read_untrusted(AT_FDCWD, path, (size_t)RUN_FILE_MB << 20, len, &k);
    free(path);
    if (!text && k != FILE_MISSING) tampering_add(out, name, what, k);
    return text;
}

/* Feeds every file in dir whose name starts with prefix (what: the tool's
 * report, for messages) to parser p, at most RUN_REPORTS of them. */
static void parse_files(const char *dir, const char *prefix, const char *what, parse_fn p,
                        parse_out *out)
{
    size_t n, seen = 0;
    char **names = dir_list(dir, &n);
    for (size_t i = 0; i < n; i++) {
        if (!str_starts(names[i], prefix)) continue;
        if (++seen > RUN_REPORTS) {
            char *msg = xasprintf("the run left more than %d files named %s*: the "
                                  "program tampered with the "
                                  "tools' reports, and the rest were not read",
                                  RUN_REPORTS, prefix);
            findings_add(&out->found, "tampering", "sandbox", msg);
            free(msg);
            break;
        }
        size_t len;
        char *text = run_file_read(dir, names[i], what, &len, out);
        if (text) p(text, len, out);
        free(text);
    }
    strv_free(names, n);
}

typedef struct timeout_ctx {
    findings stuck;
    sbuf summary;
    bool take_stacks;
    strv helpers; /* the exercise's helpers (real paths): their stacks are not the
                     student's */
} timeout_ctx;

/* True if pid runs the program at path (a canonical path, or NULL). */
static bool runs_program(pid_t pid, const char *path)
{
    char link[64], exe[4096];
    snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
    ssize_t k = readlink(link, exe, sizeof exe - 1);
    if (!path || k <= 0) return false;
    exe[k] = 0;
    return !strcmp(exe, path);
}

static bool runs_helper(pid_t pid, const strv *helpers)
{
    for (size_t i = 0; i < helpers->len; i++)
        if (runs_program(pid, helpers->items[i])) return true;
    return false;
}

static void on_timeout(void *ctx, const pid_t *pids, size_t n)
{
    timeout_ctx *t = ctx;
    finding *f = findings_add(&t->stuck, "timeout", "sandbox", "");
    if (!t->take_stacks) return;
    pid_t *mine = xmalloc(sizeof *mine * (n + 1));
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!runs_helper(pids[i], &t->helpers)) mine[m++] = pids[i];
    stacks_capture(mine, m, f, &t->summary);
    free(mine);
}

/* Findings the run itself implies: a timeout, a crash nobody explained, a
 * status nobody explained, a flood of output. */
static void judge_exit(const run_request *rq, run_output *out, timeout_ctx *tc,
                       const run_env *re)
{
    bool whole_program = re->whole_program;
    proc_result *p = &out->proc;
    parse_out *po = &out->parsed;
    if (p->timed_out) {
        finding *f = &tc->stuck.items[0];
        free(f->message);
        const char *where = tc->summary.len ? _("; where each thread was:") : "";
        if (p->hung)
            f->message = xasprintf(
                _("the program could never finish: every thread waited (on a lock, a "
                  "condition variable, a semaphore, a join or a child) for another that "
                  "waited too, nothing could wake any of them, and it was stopped%s%s"),
                where, sbuf_str(&tc->summary));
        else
            f->message = xasprintf(
                _("the program did not finish within %.0f s and was stopped%s%s"),
                (double)out->timeout_ms / 1000.0, where, sbuf_str(&tc->summary));
        findings tmp = tc->stuck;
        memset(&tc->stuck, 0, sizeof tc->stuck);
        for (size_t i = 0; i < tmp.len; i++) *VEC_PUSH(&po->found) = tmp.items[i];
        free(tmp.items);
        return;
    }
    if (p->flooded) {
        char *msg = xasprintf(
            _("the program printed more than %d MiB and was stopped; only its first MiB "
              "of output was kept"),
            (int)(FLOOD_MB));
        findings_add(&po->found, "output-limit", "sandbox", msg);
        free(msg);
        return;
    }
    if (p->signal && !findings_has_kind(&po->found, "crash")) {
        char *msg = channel_crash_message(p->signal);
        findings_add(&po->found, "crash", tool_get(rq->tool)->crash_by, msg);
        free(msg);
    } else if (p->exit_code != 0 && p->exit_code != tool_get(rq->tool)->report_status &&
               !po->found.len && !po->done && !re->status_undefined) {
        char *msg = xasprintf(
            whole_program
                ? _("the program exited with status %d")
                : _("the program exited with status %d before the test finished"),
            p->exit_code);
        findings_add(&po->found, "wrong-result", "sandbox", msg);
        free(msg);
    } else if (p->exit_code == 0 && !po->done && !whole_program && !po->found.len) {
        /* _exit(0) from the student's code, or the result channel closed:
         * the test never reached its end, whatever the status says */
        findings_add(&po->found, "wrong-result", "sandbox",
                     _("the program ended with status 0 before the test finished: "
                       "_exit() or exit() was "
                       "called, or the test's result channel was closed, while the test "
                       "was still running"));
    }
    if (p->out_cut && p->out.len && (p->out.len >= (1u << 20))) {
        findings_add(
            &po->found, "output-limit", "sandbox",
            _("the program printed more than 1 MiB; the rest of its output was cut"));
    }
}

static void read_outputs(const run_env *re, const run_request *rq, run_output *out)
{
    const build_result *b = &re->builds[rq->tool];
    parse_out *po = &out->parsed;
    snprintf(po->token, sizeof po->token, "%s", out->token);
    channel_parse(out->proc.result.data ? out->proc.result.data : "",
                  out->proc.result.len, po);
    /* the run may have made its directory unreadable to us (same uid) */
    chmod(out->dir, 0700);
    const tool_info *ti = tool_get(rq->tool);
    if (ti->log_prefix) {
        char *what = xasprintf("%s's report", ti->title);
        parse_files(out->dir, ti->log_prefix, what, ti->parse, po);
        free(what);
    }
    if (rq->stress.mode) {
        size_t len = 0;
        char *text = run_file_read(out->dir, "stress.jsonl",
                                   "the stress schedule's trace", &len, po);
        if (text) stress_parse(text, len, po);
        /* the schedule that led to a finding (the shim keeps the last events
         * of every run and writes them with a finding) */
        if (text && (po->found.len || rq->stress.trace))
            trace_parse(text, len, b->binary, b->dir, &out->schedule);
        if (rq->stress.trace)
            out->trace = text;
        else
            free(text);
    }
    ti->symbolize(&po->found, b->binary);
    stacks_tidy(&po->found, b->dir, re->source);
    findings_to_decision(&po->found, re->source, re->source_text);
    findings tmp = po->found;
    memset(&po->found, 0, sizeof po->found);
    findings_merge(&po->found, &tmp);
}

/* The run's command line: the program, after the tool's wrapper if any. */
static int run_argv(const run_request *rq, const build_result *b, const char *dir,
                    strv *argv)
{
    const tool_info *ti = tool_get(rq->tool);
    tool_run_ctx c = {.dir = dir, .build_dir = b->dir};
    if (ti->wrap && ti->wrap(&c, argv) < 0) return -1;
    strv_add(argv, b->binary);
    for (size_t i = 0; i < rq->argv.len; i++) strv_add(argv, rq->argv.items[i]);
    return 0;
}

/* A fresh secret per run: the driver stamps its lines with it, so lines the
 * program writes itself on the driver's channel are ignored. */
static void run_token(char *buf, size_t cap)
{
    unsigned char raw[12] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, raw, sizeof raw) != (ssize_t)sizeof raw) {
        uint64_t t = hash_mix((uint64_t)now_ms() ^ (uint64_t)getpid() << 20);
        memcpy(raw, &t, sizeof t);
    }
    if (fd >= 0) close(fd);
    size_t k = 0;
    for (size_t i = 0; i < sizeof raw && k + 2 < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%02x", raw[i]);
}

/* The run's whole environment: nothing of ours but what the tools need. */
static void run_environment(const run_env *re, const run_request *rq,
                            const build_result *b, const char *dir, strv *env)
{
    strv_add(env, "PATH=/usr/local/bin:/usr/bin:/bin");
    strv_addf(env, "HOME=%s", dir);
    strv_addf(env, "TMPDIR=%s", dir);
    strv_add(env, "LANG=C");
    strv_add(env, "LC_ALL=C");
    strv_addf(env, "GRADER_RESULT_FD=%d", RESULT_FD);
    strv_addf(env, "GRADER_TOKEN_FD=%d", TOKEN_FD);
    strv_addf(env, "GRADER_SEED=%llu", (unsigned long long)rq->seed);
    strv_addf(env, "GRADER_PATIENCE=%d", tool_slowdown(rq->tool));
    strv_addf(env, "GRADER_TOOL=%s", tool_name(rq->tool));
    helpers_each(re, helper_env, env);
    const tool_info *ti = tool_get(rq->tool);
    tool_run_ctx c = {.dir = dir, .build_dir = b->dir};
    if (ti->options) ti->options(&c, env);
    if (rq->stress.mode) stress_env(env, re, rq, dir, b->binary);
}

static void timeout_ctx_free(timeout_ctx *tc)
{
    findings_free(&tc->stuck);
    sbuf_free(&tc->summary);
    strv_clear(&tc->helpers);
}

/* Starts the run in its directory, sandboxed; fills out->proc. */
static int run_start(const run_env *re, const run_request *rq, strv *argv, strv *env,
                     run_output *out, timeout_ctx *tc)
{
    int64_t timeout =
        (rq->timeout_ms > 0 ? rq->timeout_ms : 10000) * tool_slowdown(rq->tool);
    out->timeout_ms = timeout;
    char *workdir = path_abs(re->workdir);
    const char *keep[] = {workdir, NULL};
    proc_opts o = {
        .argv = strv_get(argv),
        .env = strv_get(env),
        .cwd = out->dir,
        .stdin_data = rq->stdin_data,
        .stdin_len = rq->stdin_len,
        .timeout_ms = timeout,
        .result_fd = re->whole_program ? -1 : RESULT_FD,
        .secret = re->whole_program ? NULL : out->token,
        .secret_fd = TOKEN_FD,
        .max_memory_mb = tool_get(rq->tool)->memory_mb,
        .max_procs = MAX_TASKS,
        .cpu_seconds = (long)(timeout / 1000) * 2 + 5,
        .max_file_mb = RUN_FILE_MB,
        .max_open_files = 1024,
        .sandbox = true,
        .hide = (const char *const *)re->hide,
        .keep = workdir ? keep : NULL,
        .on_timeout = on_timeout,
        .ctx = tc,
        .watch_hangs = true,
    };
    if (re->verbose > 1) {
        fprintf(stderr, "grader: run");
        for (size_t i = 0; i < argv->len; i++) fprintf(stderr, " %s", argv->items[i]);
        fprintf(stderr, "\n");
    }
    int rc = proc_run(&o, &out->proc);
    if (re->verbose > 1)
        fprintf(stderr, "grader: ran %s %s in %lld ms (cpu %.0f ms)\n",
                tool_name(rq->tool), rq->argv.len ? rq->argv.items[0] : "",
                (long long)out->proc.duration_ms, out->proc.cpu_ms);
    free(workdir);
    return rc;
}

int run_exec(const run_env *re, const run_request *rq, run_output *out)
{
    static int counter;
    steps_calibrate(re, rq);
    memset(out, 0, sizeof *out);
    const build_result *b = &re->builds[rq->tool];
    if (!b->ok || !b->binary) {
        out->error = xasprintf("no %s build to run", tool_name(rq->tool));
        return -1;
    }
    char *sub = xasprintf("run-%d-%d", (int)getpid(), ++counter);
    out->dir = path_join(re->workdir, sub);
    free(sub);
    if (dir_make(out->dir) < 0) {
        out->error = xasprintf("cannot create %s", out->dir);
        return -1;
    }
    strv argv = {0}, env = {0};
    if (run_argv(rq, b, out->dir, &argv) < 0) {
        out->error =
            xasprintf("%s is not installed (run: make setup)", tool_get(rq->tool)->title);
        strv_clear(&argv);
        return -1;
    }
    run_environment(re, rq, b, out->dir, &env);
    run_token(out->token, sizeof out->token);
    timeout_ctx tc = {.take_stacks = tool_get(rq->tool)->timeout_stacks};
    helpers_each(re, helper_real, &tc.helpers);
    int rc = run_start(re, rq, &argv, &env, out, &tc);
    strv_clear(&argv);
    strv_clear(&env);
    if (rc < 0 || !out->proc.started) {
        out->error = xstrdup(out->proc.error ? out->proc.error
                                             : "the program could not be started");
        timeout_ctx_free(&tc);
        return -1;
    }
    read_outputs(re, rq, out);
    judge_exit(rq, out, &tc, re);
    /* the timeout finding's stacks need tidying too */
    stacks_tidy(&out->parsed.found, b->dir, re->source);
    findings_sort(&out->parsed.found);
    timeout_ctx_free(&tc);
    /* a tool that broke never lets the driver start; a "failure" printed
     * after the driver started came from the program */
    if (out->parsed.tool_failed && !(out->parsed.started && !re->whole_program))
        out->error = xstrdup(sbuf_str(&out->parsed.notes));
    return out->error ? -1 : 0;
}
