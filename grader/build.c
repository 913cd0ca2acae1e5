/* build.c - see build.h. */
#include "build.h"
#include "proc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const tool_names[TOOL_COUNT] = {"native", "tsan", "helgrind"};

const char *tool_name(tool_id t)
{
    return tool_names[t];
}

int tool_parse(const char *s)
{
    for (int i = 0; i < TOOL_COUNT; i++)
        if (s && !strcmp(s, tool_names[i])) return i;
    return -1;
}

#define BUILD_TIMEOUT_MS 120000

/* --- diagnostics ------------------------------------------------------------ */

/* Parses "FILE:LINE[:COL]: KIND: MESSAGE". Returns false if the line is not one. */
static bool parse_diag_line(const char *line, char **file, int *lineno, char **kind, char **msg)
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
static bool parse_link_line(const char *line, const char *source_name, findings *out)
{
    static const char *const pats[] = {"undefined reference to", "multiple definition of"};
    for (size_t i = 0; i < ARRAY_LEN(pats); i++) {
        const char *at = strstr(line, pats[i]);
        if (!at) continue;
        char *sym = xstrdup(at + strlen(pats[i]));
        char *rest = strchr(sym, ';'); /* "; other.o:/path:3: first defined here" */
        if (rest) *rest = 0;
        for (char *c = sym; *c; c++)
            if (*c == '`' || *c == '\'' || *c == '"') *c = ' ';
        char *s = str_trim(sym);
        char *msg = i == 0 ? xasprintf("undefined reference to '%s': it is used but never defined; "
                                       "implement it with exactly the header's name and types",
                                       s)
                           : xasprintf("multiple definition of '%s': define it only once (a "
                                       "submission must not define main or the driver's names)",
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

void build_parse_diagnostics(const char *text, const char *source_name, bool warnings,
                             findings *out)
{
    char *copy = xstrdup(text), *save = NULL;
    findings tmp = {0};
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *file, *kind, *msg;
        int ln;
        if (parse_diag_line(line, &file, &ln, &kind, &msg)) {
            bool err = strcmp(kind, "warning") != 0;
            if (err || warnings) {
                finding *f = findings_add(&tmp, err ? "build-error" : "build-warning", "build", msg);
                f->file = xstrdup(path_base(file));
                f->line = ln;
            }
            free(file);
            free(kind);
            free(msg);
        } else {
            parse_link_line(line, source_name, &tmp);
        }
    }
    free(copy);
    findings_merge(out, &tmp);
}

/* --- compiling ---------------------------------------------------------------- */

typedef struct toolchain {
    const char *cc;
    const char *flags; /* compile flags for every file */
    const char *support; /* prebuilt objects under build/harness */
    const char *ldflags; /* link flags */
} toolchain;

static const toolchain chains[TOOL_COUNT] = {
    {"gcc", "-g -O1 -fno-omit-frame-pointer -fdiagnostics-plain-output", "driver-native.a", ""},
    {"clang", "-g -O1 -fno-omit-frame-pointer -fsanitize=thread -fno-caret-diagnostics "
              "-fno-color-diagnostics",
     "driver-tsan.a", "-fsanitize=thread"},
    {"clang", "-gdwarf-4 -O1 -fno-omit-frame-pointer -fsanitize=thread -mllvm "
              "-tsan-instrument-memory-accesses=0 -mllvm -tsan-instrument-func-entry-exit=0 "
              "-mllvm -tsan-instrument-memintrinsics=0 -fno-caret-diagnostics "
              "-fno-color-diagnostics",
     "driver-helgrind.a hgatomic.o", ""},
};

/* Splits a flag string on spaces into v. */
static void add_words(strv *v, const char *s)
{
    if (!s) return;
    char *copy = xstrdup(s), *save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) strv_add(v, w);
    free(copy);
}

/* Compiles one file in dir; appends the compiler output to log. 0 on success.
 * The student's file (warn) is compiled without sight of in->hide, so that
 * no #include reaches the solutions; the driver support headers stay. */
static int compile(const toolchain *tc, const build_inputs *in, const char *dir,
                   const char *file, const char *obj, bool warn, sbuf *log)
{
    strv a = {0};
    strv_add(&a, tc->cc);
    add_words(&a, "-std=c11 -D_GNU_SOURCE -pthread -c");
    add_words(&a, tc->flags);
    if (warn) add_words(&a, "-Wall -Wextra");
    add_words(&a, in->extra_cflags);
    char *inc_dir = path_join(in->root, "harness/driver");
    strv_addf(&a, "-I%s", inc_dir);
    strv_add(&a, "-I.");
    strv_add(&a, "-o");
    strv_add(&a, obj);
    strv_add(&a, file);
    sbuf out = {0};
    int rc;
    if (warn && in->hide) {
        char *real_inc = path_abs(inc_dir);
        const char *keep[] = {real_inc, NULL};
        rc = proc_tool_hidden(strv_get(&a), dir, BUILD_TIMEOUT_MS, &out, in->hide, real_inc ? keep : NULL);
        free(real_inc);
    } else {
        rc = proc_tool(strv_get(&a), dir, BUILD_TIMEOUT_MS, &out);
    }
    free(inc_dir);
    sbuf_add(log, out.data ? out.data : "", out.len);
    sbuf_free(&out);
    strv_clear(&a);
    return rc;
}

static int redefine(const build_inputs *in, const char *dir, const char *obj, sbuf *log)
{
    char *syms = path_join(in->root, "harness/driver/redefine.syms");
    char *arg = xasprintf("--redefine-syms=%s", syms);
    char *argv[] = {"objcopy", arg, (char *)obj, NULL};
    int rc = proc_tool(argv, dir, BUILD_TIMEOUT_MS, log);
    free(arg);
    free(syms);
    return rc;
}

static int link_prog(const toolchain *tc, const build_inputs *in, const char *dir, sbuf *log)
{
    strv a = {0};
    strv_add(&a, tc->cc);
    add_words(&a, tc->ldflags);
    strv_add(&a, "-pthread");
    strv_add(&a, "-o");
    strv_add(&a, "prog");
    strv_add(&a, "student.o");
    if (in->driver) {
        strv_add(&a, "driver.o");
        char *copy = xstrdup(tc->support), *save = NULL;
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            char *p = xasprintf("%s/build/harness/%s", in->root, w);
            strv_add(&a, p);
            free(p);
        }
        free(copy);
    }
    add_words(&a, in->libs);
    add_words(&a, "-lm -ldl");
    sbuf out = {0};
    int rc = proc_tool(strv_get(&a), dir, BUILD_TIMEOUT_MS, &out);
    sbuf_add(log, out.data ? out.data : "", out.len);
    sbuf_free(&out);
    strv_clear(&a);
    return rc;
}

/* Copies the exercise's header and driver next to the student's file. */
static int stage(const build_inputs *in, const char *dir, sbuf *log)
{
    const char *files[] = {in->header, in->driver};
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
    char *to = path_join(dir, in->source_name);
    int rc = file_copy(in->source_path, to);
    if (rc < 0) sbuf_printf(log, "cannot copy %s\n", in->source_path);
    free(to);
    return rc;
}

void build_run(const build_inputs *in, tool_id tool, build_result *out)
{
    memset(out, 0, sizeof *out);
    const toolchain *tc = &chains[tool];
    char *sub = xasprintf("build-%s", tool_names[tool]);
    out->dir = path_join(in->workdir, sub);
    free(sub);
    sbuf log = {0};
    if (dir_make(out->dir) < 0 || stage(in, out->dir, &log) < 0) {
        out->machine_error = true;
        out->log = sbuf_take(&log);
        return;
    }
    /* 1. the student's file: its diagnostics are the student's */
    int rc = compile(tc, in, out->dir, in->source_name, "student.o", tool == TOOL_NATIVE, &log);
    build_parse_diagnostics(sbuf_str(&log), in->source_name, tool == TOOL_NATIVE, &out->diags);
    if (rc != 0) {
        if (rc < 0 || !findings_has_kind(&out->diags, "build-error")) out->machine_error = true;
        out->log = sbuf_take(&log);
        return;
    }
    /* 2. the driver: a failure here is the exercise's, not the student's */
    sbuf dlog = {0};
    if (in->driver &&
        (redefine(in, out->dir, "student.o", &dlog) != 0 ||
         compile(tc, in, out->dir, in->driver, "driver.o", false, &dlog) != 0)) {
        out->machine_error = true;
        sbuf_add(&log, sbuf_str(&dlog), dlog.len);
        sbuf_free(&dlog);
        out->log = sbuf_take(&log);
        return;
    }
    sbuf_free(&dlog);
    /* 3. link: undefined or duplicate names are the student's */
    sbuf llog = {0};
    rc = link_prog(tc, in, out->dir, &llog);
    sbuf_add(&log, sbuf_str(&llog), llog.len);
    if (rc != 0) {
        findings lf = {0};
        build_parse_diagnostics(sbuf_str(&llog), in->source_name, false, &lf);
        if (!lf.len) out->machine_error = true;
        findings_merge(&out->diags, &lf);
        sbuf_free(&llog);
        out->log = sbuf_take(&log);
        return;
    }
    sbuf_free(&llog);
    out->ok = true;
    out->binary = path_join(out->dir, "prog");
    out->log = sbuf_take(&log);
}

void build_result_free(build_result *b)
{
    free(b->dir);
    free(b->binary);
    free(b->log);
    findings_free(&b->diags);
    memset(b, 0, sizeof *b);
}
