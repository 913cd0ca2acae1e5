/* build.c - see build.h. */
#include "build.h"
#include "i18n.h"
#include "cache.h"
#include "policy.h"
#include "proc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BUILD_TIMEOUT_MS 120000
#define BUILD_DIR        "/grader-build" /* the directory debug information names */
#define CACHE_ENTRIES    600
#define LISTING                                                                          \
    "student.lst" /* the assembler's listing of the student's file (policy.h) */

/* How long a build step may take: BUILD_TIMEOUT_MS, cut at the grading's
 * deadline (at least 1 ms: a step past it fails at once). */
static int64_t step_ms(const build_inputs *in)
{
    if (!in->deadline_at) return BUILD_TIMEOUT_MS;
    int64_t left = in->deadline_at - now_ms();
    return left < 1 ? 1 : left < BUILD_TIMEOUT_MS ? left : BUILD_TIMEOUT_MS;
}

/* --- diagnostics ------------------------------------------------------------ */

/* Parses "FILE:LINE[:COL]: KIND: MESSAGE". Returns false if the line is not one. */
static bool parse_diag_line(const char *line, char **file, int *lineno, char **kind,
                            char **msg)
{
    const char *p = line;
    const char *colon = strchr(p, ':');
    if (!colon || colon == p || *p == ' ') return false;
    const char *q = colon + 1;
    if (!isdigit((unsigned char)*q)) return false;
    int ln = (int)strtol(q, (char **)&q, 10);
    if (*q == ':' && isdigit((unsigned char)q[1])) strtol(q + 1, (char **)&q, 10);
    if (*q != ':' || q[1] != ' ') return false;
    q += 2;
    static const char *const kinds[] = {"fatal error: ", "error: ", "warning: "};
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (str_starts(q, kinds[i])) {
            *file = xstrndup(p, (size_t)(colon - p));
            *lineno = ln;
            *kind = xstrndup(kinds[i], strlen(kinds[i]) - 2);
            *msg = xstrdup(q + strlen(kinds[i]));
            return true;
        }
    return false;
}

/* "undefined reference to `foo'" and friends from the linker. */
static bool parse_link_line(const char *line, const char *source_name, bool program,
                            findings *out)
{
    static const char *const pats[] = {"undefined reference to",
                                       "multiple definition of"};
    for (size_t i = 0; i < ARRAY_LEN(pats); i++) {
        const char *at = strstr(line, pats[i]);
        if (!at) continue;
        char *sym = xstrdup(at + strlen(pats[i]));
        char *rest = strchr(sym, ';'); /* "; other.o:/path:3: first defined here" */
        if (rest) *rest = 0;
        for (char *c = sym; *c; c++)
            if (*c == '`' || *c == '\'' || *c == '"') *c = ' ';
        char *s = str_trim(sym);
        char *msg =
            i == 0 && program ? xasprintf(_("undefined reference to '%s': it is used but "
                                            "defined in none of the program's "
                                            "files; define it, scan the file that does "
                                            "with it, or link its library "
                                            "(--libs)"),
                                          s)
            : i == 0          ? xasprintf(
                                    _("undefined reference to '%s': it is used but never defined; "
                                               "implement it with exactly the header's name and types"),
                                    s)
            : program
                ? xasprintf(
                      _("multiple definition of '%s': more than one of the program's "
                        "files "
                        "defines it; define it once (static, or extern in the others)"),
                      s)
                : xasprintf(_("multiple definition of '%s': define it only once (a "
                              "submission must not define main or the driver's names)"),
                            s);
        finding *f = findings_add(out, "build-error", "build", msg);
        /* "file.c:12: undefined reference" from a -g build */
        char *file;
        int ln;
        const char *colon = strchr(line, ':');
        if (colon && colon > line && isdigit((unsigned char)colon[1])) {
            file = xstrndup(line, (size_t)(colon - line));
            ln = atoi(colon + 1);
            if (!strcmp(path_base(file), source_name)) {
                f->file = xstrdup(source_name);
                f->line = ln;
            }
            free(file);
        }
        free(msg);
        free(sym);
        return true;
    }
    return false;
}

static void parse_diagnostics(const char *text, const char *source_name, bool warnings,
                              bool program, findings *out)
{
    char *copy = xstrdup(text), *save = NULL;
    findings tmp = {0};
    for (char *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *file, *kind, *msg;
        int ln;
        if (parse_diag_line(line, &file, &ln, &kind, &msg)) {
            bool err = strcmp(kind, "warning") != 0;
            if (err || warnings) {
                finding *f = findings_add(&tmp, err ? "build-error" : "build-warning",
                                          "build", msg);
                f->file = xstrdup(path_base(file));
                f->line = ln;
            }
            free(file);
            free(kind);
            free(msg);
        } else {
            parse_link_line(line, source_name, program, &tmp);
        }
    }
    free(copy);
    findings_merge(out, &tmp);
}

void build_parse_diagnostics(const char *text, const char *source_name, bool warnings,
                             findings *out)
{
    parse_diagnostics(text, source_name, warnings, false, out);
}

void build_parse_program_diagnostics(const char *text, const char *source_name,
                                     bool warnings, findings *out)
{
    parse_diagnostics(text, source_name, warnings, true, out);
}

/* --- compiling ---------------------------------------------------------------- */

/* Splits a flag string on spaces into v. */
static void add_words(strv *v, const char *s)
{
    if (!s) return;
    char *copy = xstrdup(s), *save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        strv_add(v, w);
    free(copy);
}

/* Clang refused a whole program's `void main`, which gcc compiles. */
static bool void_main_refused(const tool_info *tc, const sbuf *out)
{
    return !strcmp(tc->cc, "clang") && strstr(sbuf_str(out), "'main' must return 'int'");
}

/* A file of the grader's repository by its real path (caller frees): the
 * box sees the repository's parts only where they really are. */
static char *root_path(const build_inputs *in, const char *rel)
{
    char *p = path_join(in->root, rel), *real = path_abs(p);
    if (!real) return p;
    free(p);
    return real;
}

/* Whether the student's object of this toolchain is checked (policy.h):
 * with a driver to protect, on the native build (gcc's listing). */
static bool policy_on(const build_inputs *in, const tool_info *tc)
{
    return in->policy && in->driver && tc->checks_object;
}

/* Checks the student's object (policy.h): 0 when it may be linked, 1 with
 * the problems in *log as diagnostics, -1 (the reason in other) when it
 * could not be checked. */
static int policy_run(const build_inputs *in, const char *dir, sbuf *log, sbuf *other)
{
    char *syms = root_path(in, "harness/driver");
    policy_inputs pi = {.dir = dir,
                        .object = "student.o",
                        .listing = LISTING,
                        .source_name = in->source_name,
                        .syms_dir = syms,
                        .allow = in->allow};
    sbuf out = {0};
    int n = policy_check(&pi, &out);
    sbuf_add(n > 0 ? log : other, sbuf_str(&out), out.len);
    sbuf_free(&out);
    free(syms);
    return n > 0 ? 1 : n;
}

/* Runs a tool on the student's files in dir, boxed (proc_tool_hidden):
 * in->hide is out of its sight, the driver support headers and prebuilt
 * objects stay readable. Its output goes to log. */
static int boxed(char *const *argv, const build_inputs *in, const char *dir, sbuf *log)
{
    char *real_inc = root_path(in, "harness/driver"),
         *real_objs = root_path(in, "build/harness");
    const char *keep[3] = {NULL, NULL, NULL};
    size_t k = 0;
    if (real_inc) keep[k++] = real_inc;
    if (real_objs) keep[k++] = real_objs;
    int rc = proc_tool_hidden(argv, dir, step_ms(in), log, in->hide, keep);
    free(real_inc), free(real_objs);
    return rc;
}

/* Compiles one file in dir; appends the compiler output to log. 0 on success.
 * Debug information names dir BUILD_DIR, so that objects built in any cache
 * entry read the same. The student's files (untrusted) are compiled in the
 * box; warn asks for warnings. */
static int compile(const tool_info *tc, const build_inputs *in, const char *dir,
                   const char *file, const char *obj, bool untrusted, bool warn,
                   sbuf *log)
{
    char *inc_dir = root_path(in, "harness/driver");
    char *real_dir = path_abs(dir);
    sbuf out = {0};
    int rc = -1;
    for (int freestanding = 0; freestanding < 2; freestanding++) {
        strv a = {0};
        strv_add(&a, tc->cc);
        add_words(&a, "-std=c11 -D_GNU_SOURCE -pthread -c");
        add_words(&a, tc->cflags);
        if (warn) add_words(&a, "-Wall -Wextra");
        if (untrusted && policy_on(in, tc) && !strcmp(obj, "student.o"))
            strv_add(&a, "-Wa,-adln=" LISTING);
        /* gcc takes a whole program's `void main` (with a warning), clang
         * refuses it in a hosted build: freestanding, main is an ordinary
         * function */
        if (freestanding) strv_add(&a, "-ffreestanding");
        add_words(&a, in->extra_cflags);
        strv_addf(&a, "-fdebug-prefix-map=%s=%s", real_dir ? real_dir : dir, BUILD_DIR);
        strv_addf(&a, "-I%s", inc_dir);
        strv_add(&a, "-I.");
        for (size_t i = 0; in->include_dirs && in->include_dirs[i]; i++)
            strv_addf(&a, "-iquote%s", in->include_dirs[i]);
        strv_add(&a, "-o");
        strv_add(&a, obj);
        strv_add(&a, file);
        sbuf_free(&out);
        rc = untrusted ? boxed(strv_get(&a), in, dir, &out)
                       : proc_tool(strv_get(&a), dir, step_ms(in), &out);
        strv_clear(&a);
        if (rc == 0 || in->driver || !void_main_refused(tc, &out)) break;
    }
    free(real_dir);
    free(inc_dir);
    sbuf_add(log, out.data ? out.data : "", out.len);
    sbuf_free(&out);
    return rc;
}

static int redefine(const build_inputs *in, const char *dir, const char *obj, sbuf *log)
{
    char *syms = root_path(in, "harness/driver/redefine.syms");
    char *arg = xasprintf("--redefine-syms=%s", syms);
    char *argv[] = {"objcopy", arg, (char *)obj, NULL};
    int rc = boxed(argv, in, dir, log);
    free(arg);
    free(syms);
    return rc;
}

/* Adds the prebuilt objects named by `words` (under build/harness) to v. */
static void add_harness(strv *v, const build_inputs *in, const char *words)
{
    char *copy = xstrdup(words ? words : ""), *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char *rel = xasprintf("build/harness/%s", w), *p = root_path(in, rel);
        free(rel);
        strv_add(v, p);
        free(p);
    }
    free(copy);
}

/* Links dir/prog from dir/student.o and driver_obj with the driver support
 * (driver_obj NULL: a whole program, without it), and the tool's runtime. */
static int link_prog(const tool_info *tc, const build_inputs *in, const char *dir,
                     const char *driver_obj, sbuf *log)
{
    strv a = {0};
    strv_add(&a, tc->cc);
    add_words(&a, tc->ldflags);
    strv_add(&a, "-pthread");
    strv_add(&a, "-o");
    strv_add(&a, "prog");
    strv_add(&a, "student.o");
    if (driver_obj) {
        strv_add(&a, driver_obj);
        add_harness(&a, in, tc->support);
    }
    add_harness(&a, in, tc->runtime);
    add_words(&a, in->libs);
    add_words(&a, "-lm -ldl");
    sbuf out = {0};
    int rc = boxed(strv_get(&a), in, dir, &out);
    sbuf_add(log, out.data ? out.data : "", out.len);
    sbuf_free(&out);
    strv_clear(&a);
    return rc;
}

/* A whole program's other files: each copied into dir, compiled like the
 * first (diagnostics appended to log), then merged into student.o with it
 * (a relocatable link). 0 on success, like compile. */
static int compile_more(const tool_info *tc, const build_inputs *in, const char *dir,
                        bool warn, sbuf *log)
{
    strv objs = {0};
    strv_add(&objs, "ld");
    strv_add(&objs, "-r");
    strv_add(&objs, "-o");
    strv_add(&objs, "whole.o");
    strv_add(&objs, "student.o");
    int rc = 0;
    for (size_t i = 0; in->more_sources && in->more_sources[i] && rc == 0; i++) {
        const char *name = path_base(in->more_sources[i]);
        char *to = path_join(dir, name), *obj = xasprintf("more-%zu.o", i);
        if (file_copy(in->more_sources[i], to) < 0) {
            sbuf_printf(log, "cannot copy %s\n", in->more_sources[i]);
            rc = -1;
        } else {
            rc = compile(tc, in, dir, name, obj, true, warn, log);
        }
        strv_add(&objs, obj);
        free(to), free(obj);
    }
    if (rc == 0) rc = boxed(strv_get(&objs), in, dir, log);
    strv_clear(&objs);
    if (rc != 0) return rc;
    char *from = path_join(dir, "whole.o"), *to = path_join(dir, "student.o");
    rc = rename(from, to) == 0 ? 0 : -1;
    free(from), free(to);
    return rc;
}

/* Copies into dir the exercise's header, its driver (with_driver) and the
 * student's file (with_source, from in->source_path), each under its name. */
static int stage(const build_inputs *in, const char *dir, bool with_source,
                 bool with_driver, sbuf *log)
{
    const char *files[] = {in->header, with_driver ? in->driver : NULL};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        if (!files[i]) continue;
        char *from = path_join(in->exercise_dir, files[i]);
        char *to = path_join(dir, files[i]);
        int rc = file_copy(from, to);
        if (rc < 0) sbuf_printf(log, "cannot copy %s\n", from);
        free(from);
        free(to);
        if (rc < 0) return -1;
    }
    if (!with_source) return 0;
    char *to = path_join(dir, in->source_name);
    int rc = file_copy(in->source_path, to);
    if (rc < 0) sbuf_printf(log, "cannot copy %s\n", in->source_path);
    free(to);
    return rc;
}

/* --- what a build depends on -------------------------------------------------- */

/* Appends "label: <whole file>" (small inputs: compared byte for byte). */
static void manifest_file(sbuf *m, const char *label, const char *path)
{
    size_t len = 0;
    char *text = path ? file_read(path, &len) : NULL;
    sbuf_printf(m, "%s %zu\n", label, text ? len : (size_t)0);
    if (text) sbuf_add(m, text, len);
    sbuf_putc(m, '\n');
    free(text);
}

/* Appends a program's or a large file's identity: path, size, time, digest. */
static void manifest_stamp(sbuf *m, const char *label, const char *path)
{
    char *real = path ? path_abs(path) : NULL;
    struct stat st;
    if (!real || stat(real, &st) < 0) {
        sbuf_printf(m, "%s missing\n", label);
        free(real);
        return;
    }
    sbuf_printf(m, "%s %s %lld %lld.%09ld", label, real, (long long)st.st_size,
                (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    if (st.st_size < (64 << 20)) {
        size_t len = 0;
        char *data = file_read(real, &len);
        sbuf_printf(m, " %016llx",
                    (unsigned long long)cache_digest(0, data ? data : "", len));
        free(data);
    }
    sbuf_putc(m, '\n');
    free(real);
}

/* What the compiler sees besides the source: flags, tools, headers. */
static void manifest_common(sbuf *m, const build_inputs *in, tool_id tool)
{
    const tool_info *tc = tool_get(tool);
    sbuf_printf(m, "grader build 1\ntool %s\ncc %s\nflags %s\nextra %s\nroot %s\n",
                tool_name(tool), tc->cc, tc->cflags,
                in->extra_cflags ? in->extra_cflags : "", in->root);
    /* this grader itself: how it builds may change with any new version */
    manifest_stamp(m, "grader", "/proc/self/exe");
    char *cc = which(tc->cc);
    manifest_stamp(m, "compiler", cc);
    free(cc);
    manifest_stamp(m, "libc headers", "/usr/include/features.h");
    char *header = in->header ? path_join(in->exercise_dir, in->header) : NULL;
    manifest_file(m, "header", header);
    free(header);
    char *inc = path_join(in->root, "harness/driver");
    size_t n = 0;
    char **names = dir_list(inc, &n);
    for (size_t i = 0; i < n; i++)
        if (str_ends(names[i], ".h")) {
            char *p = path_join(inc, names[i]);
            manifest_file(m, names[i], p);
            free(p);
        }
    strv_free(names, n);
    free(inc);
}

/* Appends the digest of a file's content (an object we built). */
static void manifest_digest(sbuf *m, const char *label, const char *path)
{
    size_t len = 0;
    char *data = file_read(path, &len);
    sbuf_printf(m, "%s %016llx\n", label,
                (unsigned long long)(data ? cache_digest(0, data, len) : 0));
    free(data);
}

/* --- building, through the cache ------------------------------------------------ */

/* Where a build step works: a cache entry, or workdir/KIND-TOOL without one. */
typedef struct step_dir {
    cache_entry e;
    char *dir;   /* owned */
    bool cached; /* dir is the cache entry e */
    bool ready;  /* finished by an earlier build */
} step_dir;

static int step_open(const build_inputs *in, tool_id tool, const char *cache,
                     const char *kind, const char *manifest, step_dir *d)
{
    memset(d, 0, sizeof *d);
    d->e.lock_fd = -1;
    if (cache && cache_open(cache, kind, manifest, &d->e) == 0) {
        d->cached = true;
        d->ready = d->e.ready;
        d->dir = xstrdup(d->e.dir);
        return 0;
    }
    d->dir = xasprintf("%s/%s-%s", in->workdir, kind, tool_name(tool));
    dir_remove(d->dir);
    return dir_make(d->dir) == 0 && chmod(d->dir, 0700) == 0 ? 0 : -1;
}

static void step_close(step_dir *d)
{
    if (d->cached) cache_close(&d->e);
    free(d->dir);
    memset(d, 0, sizeof *d);
}

/* Compiles the exercise's driver for tool (an entry every submission of the
 * exercise shares). 0, or -1 with the reason in log. */
static int driver_object(const build_inputs *in, tool_id tool, const char *cache,
                         step_dir *d, sbuf *log)
{
    sbuf m = {0};
    manifest_common(&m, in, tool);
    char *driver = path_join(in->exercise_dir, in->driver);
    manifest_file(&m, "driver", driver);
    free(driver);
    int rc = step_open(in, tool, cache, "driver", sbuf_str(&m), d);
    if (rc == 0 && !d->ready) {
        rc = stage(in, d->dir, false, true, log) == 0 &&
                     compile(tool_get(tool), in, d->dir, in->driver, "driver.o", false,
                             false, log) == 0
                 ? 0
                 : -1;
        if (rc == 0 && d->cached) cache_commit(&d->e, sbuf_str(&m));
    }
    sbuf_free(&m);
    return rc;
}

/* What the student's steps did: kept in a cache entry when they say
 * something about the student's file (not when a machine failed). */
typedef struct build_steps {
    bool staged, redefined;
    int compile_rc, link_rc;
    sbuf compile_log, link_log, other_log;
} build_steps;

static void steps_free(build_steps *st)
{
    sbuf_free(&st->compile_log);
    sbuf_free(&st->link_log);
    sbuf_free(&st->other_log);
}

/* Stages, compiles, renames the observed calls, links (driver_obj NULL: a
 * whole program), in dir. */
static void steps_run(const build_inputs *in, tool_id tool, const char *driver_obj,
                      const char *dir, build_steps *st)
{
    const tool_info *tc = tool_get(tool);
    st->staged = stage(in, dir, true, false, &st->other_log) == 0;
    if (!st->staged) return;
    st->compile_rc = compile(tc, in, dir, in->source_name, "student.o", true,
                             tc->warnings, &st->compile_log);
    if (st->compile_rc == 0 && in->more_sources)
        st->compile_rc = compile_more(tc, in, dir, tc->warnings, &st->compile_log);
    if (st->compile_rc > 0 && strstr(sbuf_str(&st->compile_log), "Assembler messages:"))
        /* the compiler's own assembly never fails: the file's asm did */
        sbuf_printf(&st->compile_log, "%s:0: error: %s\n", in->source_name,
                    policy_on(in, tc)
                        ? "assembly (asm, __asm__, .incbin) is not allowed: write the "
                          "exercise in C"
                        : "the assembler rejected the assembly (asm) in this file");
    if (st->compile_rc != 0) return;
    if (policy_on(in, tc)) {
        int p = policy_run(in, dir, &st->compile_log, &st->other_log);
        if (p < 0) st->staged = false;
        if (p != 0) {
            st->compile_rc = 1;
            return;
        }
    }
    st->redefined = !driver_obj || redefine(in, dir, "student.o", &st->other_log) == 0;
    if (st->redefined) st->link_rc = link_prog(tc, in, dir, driver_obj, &st->link_log);
}

/* steps_run in a directory of the grading's own when d is a cache entry
 * (the box cannot reach the cache, and nothing of the student's may write
 * there): the driver object is copied in, the program copied out. */
static void steps_boxed(const build_inputs *in, tool_id tool, const char *driver_obj,
                        const step_dir *d, build_steps *st)
{
    char *box = d->cached ? xasprintf("%s/box-%s", in->workdir, tool_name(tool))
                          : xstrdup(d->dir);
    char *obj = driver_obj ? path_join(box, "driver.o") : NULL;
    if (d->cached) dir_remove(box);
    if ((d->cached && (dir_make(box) < 0 || chmod(box, 0700) < 0)) ||
        (obj && file_copy(driver_obj, obj) < 0)) {
        sbuf_printf(&st->other_log, "cannot prepare %s", box);
    } else {
        steps_run(in, tool, obj ? "driver.o" : NULL, box, st);
        char *from = path_join(box, "prog"), *to = path_join(d->dir, "prog");
        if (d->cached && st->link_rc == 0 && st->compile_rc == 0 && st->redefined &&
            file_copy(from, to) < 0)
            st->staged = false;
        free(from), free(to);
    }
    if (d->cached) dir_remove(box);
    free(box), free(obj);
}

static void steps_save(const char *dir, const build_steps *st)
{
    char *p = path_join(dir, "compile.log"), *q = path_join(dir, "link.log"),
         *r = path_join(dir, "status");
    char *status = xasprintf("%d %d\n", st->compile_rc, st->link_rc);
    file_write(p, st->compile_log.data ? st->compile_log.data : "", st->compile_log.len);
    file_write(q, st->link_log.data ? st->link_log.data : "", st->link_log.len);
    file_write(r, status, strlen(status));
    free(status), free(p), free(q), free(r);
}

static void steps_load(const char *dir, build_steps *st)
{
    char *p = path_join(dir, "compile.log"), *q = path_join(dir, "link.log"),
         *r = path_join(dir, "status");
    size_t n = 0;
    char *text = file_read(p, &n);
    sbuf_add(&st->compile_log, text ? text : "", n);
    free(text);
    text = file_read(q, &n);
    sbuf_add(&st->link_log, text ? text : "", text ? n : 0);
    free(text);
    text = file_read(r, NULL);
    st->staged = st->redefined = true;
    if (!text || sscanf(text, "%d %d", &st->compile_rc, &st->link_rc) != 2)
        st->compile_rc = -1;
    free(text);
    free(p), free(q), free(r);
}

/* Why a build stopped at the box's limits (static text). */
static const char *limit_message(bool compiling)
{
    return compiling ? "the compiler stopped on this file at the build's limits (CPU "
                       "time, memory, file size or "
                       "time): an #include of something huge or endless (a device such "
                       "as /dev/zero, a generated "
                       "file) or macros that expand without end; include only the "
                       "exercise's header and the "
                       "system's headers"
                     : "the link of this file stopped at the build's limits (CPU time, "
                       "memory, file size or "
                       "time): remove what makes the program huge (enormous initialized "
                       "arrays?)";
}

/* The build's verdict from its steps: the student's diagnostics, or a
 * failure that is not theirs (machine_error). */
static void steps_judge(const build_inputs *in, tool_id tool, build_steps *st,
                        build_result *out)
{
    sbuf log = {0};
    sbuf_add(&log, sbuf_str(&st->compile_log), st->compile_log.len);
    build_parse_diagnostics(sbuf_str(&st->compile_log), in->source_name,
                            tool_get(tool)->warnings, &out->diags);
    if (st->staged &&
        (st->compile_rc == PROC_TOOL_LIMIT || st->link_rc == PROC_TOOL_LIMIT)) {
        finding *f = findings_add(&out->diags, "build-error", "build",
                                  limit_message(st->compile_rc != 0));
        f->file = xstrdup(in->source_name);
        sbuf_add(&log, sbuf_str(&st->link_log), st->link_log.len);
    } else if (!st->staged || (st->compile_rc == 0 && !st->redefined)) {
        out->machine_error = true;
        sbuf_add(&log, sbuf_str(&st->other_log), st->other_log.len);
    } else if (st->compile_rc != 0) {
        if (st->compile_rc < 0 || !findings_has_kind(&out->diags, "build-error"))
            out->machine_error = true;
    } else if (st->link_rc != 0) {
        /* undefined or duplicate names are the student's */
        findings lf = {0};
        if (in->driver)
            build_parse_diagnostics(sbuf_str(&st->link_log), in->source_name, false, &lf);
        else
            build_parse_program_diagnostics(sbuf_str(&st->link_log), in->source_name,
                                            false, &lf);
        if (!lf.len) out->machine_error = true;
        findings_merge(&out->diags, &lf);
        sbuf_add(&log, sbuf_str(&st->link_log), st->link_log.len);
    } else {
        out->ok = true;
    }
    out->log = sbuf_take(&log);
}

/* Appends the identity of each prebuilt object `words` names. */
static void manifest_harness(sbuf *m, const build_inputs *in, const char *words)
{
    char *copy = xstrdup(words ? words : ""), *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char *p = xasprintf("%s/build/harness/%s", in->root, w);
        manifest_stamp(m, w, p);
        free(p);
    }
    free(copy);
}

/* Appends what an include folder holds that an #include may read: each
 * entry's name, size and time (the folder of a scanned program). */
static void manifest_neighbours(sbuf *m, const char *dir)
{
    size_t n = 0;
    char **names = dir_list(dir, &n);
    sbuf_printf(m, "include %s %zu\n", dir, n);
    for (size_t i = 0; i < n; i++) {
        char *p = path_join(dir, names[i]);
        struct stat st;
        if (stat(p, &st) == 0)
            sbuf_printf(m, "  %s %lld %lld.%09ld\n", names[i], (long long)st.st_size,
                        (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        free(p);
    }
    strv_free(names, n);
}

/* The manifest of the student's build: the common inputs, the source, the
 * driver object and everything the link reads. */
static void manifest_build(sbuf *m, const build_inputs *in, tool_id tool,
                           const char *driver_dir)
{
    manifest_common(m, in, tool);
    sbuf_printf(m, "source name %s\n", in->source_name); /* debug information names it */
    manifest_file(m, "source", in->source_path);
    for (size_t i = 0; in->more_sources && in->more_sources[i]; i++) {
        char *label = xasprintf("source %s", path_base(in->more_sources[i]));
        manifest_file(m, label, in->more_sources[i]);
        free(label);
    }
    char *syms = path_join(in->root, "harness/driver/redefine.syms");
    manifest_file(m, "redefine", syms);
    free(syms);
    char *objcopy = which("objcopy"), *ld = which("ld");
    manifest_stamp(m, "objcopy", objcopy);
    manifest_stamp(m, "ld", ld);
    free(objcopy), free(ld);
    if (driver_dir) {
        char *obj = path_join(driver_dir, "driver.o");
        manifest_digest(m, "driver.o", obj);
        free(obj);
        manifest_harness(m, in, tool_get(tool)->support);
    }
    manifest_harness(m, in, tool_get(tool)->runtime);
    sbuf_printf(m, "libs %s\n", in->libs ? in->libs : "");
    for (size_t i = 0; in->include_dirs && in->include_dirs[i]; i++)
        manifest_neighbours(m, in->include_dirs[i]);
    if (policy_on(in, tool_get(tool))) {
        /* what the object check allows */
        sbuf_printf(m, "policy allow %s\n", in->allow ? in->allow : "");
        char *allowed = root_path(in, "harness/driver/allowed.syms"),
             *refused = root_path(in, "harness/driver/refused.syms");
        manifest_file(m, "allowed.syms", allowed);
        manifest_file(m, "refused.syms", refused);
        free(allowed), free(refused);
        char *nm = which("nm");
        manifest_stamp(m, "nm", nm);
        free(nm);
    }
}

/* The program runs from a copy of its own in workdir (a cache entry is
 * neither visible nor writable to runs). */
static int binary_place(const build_inputs *in, tool_id tool, const char *dir,
                        build_result *out)
{
    char *from = path_join(dir, "prog");
    out->binary = xasprintf("%s/prog-%s", in->workdir, tool_name(tool));
    int rc = file_copy(from, out->binary) == 0 && chmod(out->binary, 0755) == 0 ? 0 : -1;
    free(from);
    return rc;
}

void build_run(const build_inputs *in, tool_id tool, build_result *out)
{
    memset(out, 0, sizeof *out);
    out->dir = xstrdup(BUILD_DIR);
    char *cache = cache_root();
    step_dir drv = {.e.lock_fd = -1}, bld = {.e.lock_fd = -1};
    sbuf log = {0};
    if (in->driver && driver_object(in, tool, cache, &drv, &log) < 0) {
        out->machine_error = true;
        out->log = sbuf_take(&log);
    } else {
        sbuf m = {0};
        manifest_build(&m, in, tool, in->driver ? drv.dir : NULL);
        build_steps st = {0};
        if (step_open(in, tool, cache, "build", sbuf_str(&m), &bld) < 0) {
            st.staged = false;
            sbuf_printf(&st.other_log, "cannot create a build directory");
        } else if (bld.ready) {
            steps_load(bld.dir, &st);
        } else {
            char *obj = in->driver ? path_join(drv.dir, "driver.o") : NULL;
            steps_boxed(in, tool, obj, &bld, &st);
            free(obj);
        }
        steps_judge(in, tool, &st, out);
        if (bld.cached && !bld.ready && !out->machine_error) {
            steps_save(bld.dir, &st);
            cache_commit(&bld.e, sbuf_str(&m));
            cache_prune(cache, CACHE_ENTRIES);
        }
        if (out->ok && binary_place(in, tool, bld.dir, out) < 0) {
            out->ok = false;
            out->machine_error = true;
        }
        steps_free(&st);
        sbuf_free(&m);
        sbuf_free(&log);
    }
    step_close(&bld);
    step_close(&drv);
    free(cache);
}

typedef struct build_job {
    const build_inputs *in;
    tool_id tool;
    build_result *out;
} build_job;

static void *build_thread(void *arg)
{
    build_job *j = arg;
    build_run(j->in, j->tool, j->out);
    return NULL;
}

void build_tools(const build_inputs *in, const bool *need, build_result *builds)
{
    pthread_t th[TOOL_COUNT];
    build_job jobs[TOOL_COUNT];
    bool started[TOOL_COUNT] = {false};
    for (int t = 0; t < TOOL_COUNT; t++) {
        if (need && !need[t]) continue;
        jobs[t] = (build_job){in, (tool_id)t, &builds[t]};
        started[t] = pthread_create(&th[t], NULL, build_thread, &jobs[t]) == 0;
        if (!started[t]) build_run(in, (tool_id)t, &builds[t]);
    }
    for (int t = 0; t < TOOL_COUNT; t++)
        if (started[t]) pthread_join(th[t], NULL);
}

void build_result_free(build_result *b)
{
    free(b->dir);
    free(b->binary);
    free(b->log);
    findings_free(&b->diags);
    memset(b, 0, sizeof *b);
}
