/* verify.c - see verify.h. */
#include "verify.h"
#include "i18n.h"
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits "a, b c" into words appended to (*v, *n). */
static void words_add(const char *s, char ***v, size_t *n)
{
    char *copy = xstrdup(s), *save = NULL;
    for (char *w = strtok_r(copy, " ,\t", &save); w; w = strtok_r(NULL, " ,\t", &save)) {
        *v = xrealloc(*v, sizeof **v * (*n + 1));
        (*v)[(*n)++] = xstrdup(w);
    }
    free(copy);
}

int verify_expect_read(const char *path, verify_expect *e)
{
    memset(e, 0, sizeof *e);
    char *text = file_read(path, NULL);
    if (!text) return -1;
    const char *end = strstr(text, "*/");
    size_t limit = end ? (size_t)(end - text) : strlen(text);
    char *head = xstrndup(text, limit), *save = NULL;
    for (char *l = strtok_r(head, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        const char *k = strstr(l, "expect-kinds:");
        const char *f = strstr(l, "expect-fail:");
        const char *a = strstr(l, "expect-at:");
        if (a) words_add(a + strlen("expect-at:"), &e->ats, &e->nats);
        if (k) words_add(k + strlen("expect-kinds:"), &e->kinds, &e->nkinds);
        if (f) words_add(f + strlen("expect-fail:"), &e->fails, &e->nfails);
    }
    free(head);
    free(text);
    return 0;
}

void verify_expect_free(verify_expect *e)
{
    for (size_t i = 0; i < e->nkinds; i++) free(e->kinds[i]);
    for (size_t i = 0; i < e->nfails; i++) free(e->fails[i]);
    for (size_t i = 0; i < e->nats; i++) free(e->ats[i]);
    free(e->ats);
    free(e->kinds);
    free(e->fails);
    memset(e, 0, sizeof *e);
}

static bool report_has_kind(const report *r, const char *kind)
{
    for (size_t i = 0; i < r->checks.len; i++)
        if (findings_has_kind(&r->checks.items[i].findings, kind)) return true;
    return false;
}

static const check_result *report_check(const report *r, const char *name)
{
    for (size_t i = 0; i < r->checks.len; i++)
        if (!strcmp(r->checks.items[i].name, name)) return &r->checks.items[i];
    return NULL;
}

/* One row of the table: label, score, verdict and why. */
static void row(const char *label, const report *r, bool ok, const char *why, bool color)
{
    const char *on = color ? (ok ? "\033[32m" : "\033[31m") : "",
               *off = color ? "\033[0m" : "";
    char pts[64];
    snprintf(pts, sizeof pts, "%g/%g", r->score, r->max_score);
    printf("  %-32s %9s  %s%-8s%s %s\n", label, pts, on, ok ? "ok" : "MISMATCH", off,
           why);
    fflush(stdout);
}

/* Whether check CHECK (of "CHECK:LINE") has a finding located at LINE of
 * the student's file. */
static bool report_has_at(const report *r, const char *at)
{
    const char *colon = strrchr(at, ':');
    if (!colon) return false;
    char *name = xstrndup(at, (size_t)(colon - at));
    int line = atoi(colon + 1);
    const check_result *c = NULL;
    for (size_t i = 0; i < r->checks.len && !c; i++)
        if (!strcmp(r->checks.items[i].name, name)) c = &r->checks.items[i];
    free(name);
    for (size_t i = 0; c && i < c->findings.len; i++) {
        const finding *f = &c->findings.items[i];
        if (f->file && r->source && !strcmp(path_base(f->file), path_base(r->source)) &&
            f->line == line)
            return true;
    }
    return false;
}

static int verify_reference(const grade_opts *o, bool color)
{
    report *r = grade_run(o);
    bool ok = !r->error && r->outcome == OUTCOME_PASS && r->score == r->max_score &&
              r->max_score > 0;
    sbuf why = {0};
    if (r->error) sbuf_printf(&why, "error: %s", r->error);
    for (size_t i = 0; i < r->checks.len && !ok && !r->error; i++) {
        const check_result *c = &r->checks.items[i];
        if (c->outcome != OUTCOME_PASS)
            sbuf_printf(&why, "%s%s %s: %s", why.len ? "; " : "", c->name,
                        outcome_name(c->outcome), c->message ? c->message : "");
    }
    row("reference", r, ok, ok ? "full marks" : sbuf_str(&why), color);
    sbuf_free(&why);
    report_free(r);
    return ok ? 0 : 1;
}

static int verify_skeleton(const grade_opts *o, bool color)
{
    report *r = grade_run(o);
    const check_result *b = report_check(r, "build");
    bool compiles = b && b->outcome == OUTCOME_PASS;
    bool ok = !r->error && compiles && r->score < r->max_score;
    const char *why = r->error                   ? r->error
                      : !compiles                ? "the skeleton does not compile"
                      : r->score >= r->max_score ? "the skeleton gets full marks"
                                                 : "compiles, does not pass";
    row("skeleton", r, ok, why, color);
    report_free(r);
    return ok ? 0 : 1;
}

static int verify_buggy(const grade_opts *o, const char *label, bool color)
{
    verify_expect e;
    if (verify_expect_read(o->source, &e) < 0) {
        printf("  %-32s cannot read %s\n", label, o->source);
        return 1;
    }
    report *r = grade_run(o);
    sbuf why = {0};
    bool ok = !r->error && r->score < r->max_score;
    if (r->error)
        sbuf_printf(&why, "error: %s", r->error);
    else if (r->score >= r->max_score)
        sbuf_puts(&why, "gets full marks");
    if (!e.nkinds && !e.nfails) {
        ok = false;
        sbuf_printf(&why, "%sdeclares no expect-kinds / expect-fail",
                    why.len ? "; " : "");
    }
    for (size_t i = 0; i < e.nkinds; i++) {
        bool has = report_has_kind(r, e.kinds[i]);
        ok &= has;
        sbuf_printf(&why, "%s%s %s", why.len ? " " : "", e.kinds[i],
                    has ? "✓" : "✗(missing)");
    }
    for (size_t i = 0; i < e.nfails; i++) {
        const check_result *c = report_check(r, e.fails[i]);
        bool failed = c && c->outcome == OUTCOME_FAIL;
        ok &= failed;
        sbuf_printf(&why, "%s%s%s", why.len ? " " : "", e.fails[i],
                    failed ? ":fail ✓"
                    : c    ? ":not failed ✗"
                           : ":no such check ✗");
    }
    for (size_t i = 0; i < e.nats; i++) {
        bool at = report_has_at(r, e.ats[i]);
        ok &= at;
        sbuf_printf(&why, "%sat %s%s", why.len ? " " : "", e.ats[i],
                    at ? " ✓" : " ✗(elsewhere)");
    }
    row(label, r, ok, sbuf_str(&why), color);
    sbuf_free(&why);
    report_free(r);
    verify_expect_free(&e);
    return ok ? 0 : 1;
}

/* One language the spec declares: every _() string of the spec translated in
 * its catalog (English needs none). Returns 0 or 1 (a mismatch, said). */
static int verify_language(const spec *s, const char *lang, const spec_string *v,
                           size_t n, bool color)
{
    size_t missing = 0;
    const spec_string *first = NULL;
    for (size_t i = 0; i < n; i++) {
        if (i18n_lookup(spec_domain(s), lang, v[i].text)) continue;
        if (!missing++) first = &v[i];
    }
    const char *on = color ? (missing ? "\033[31m" : "\033[32m") : "",
               *off = color ? "\033[0m" : "";
    char label[64], dir[32], count[32];
    snprintf(label, sizeof label, "language %s", lang);
    snprintf(count, sizeof count, "%zu/%zu", n - missing, n);
    printf("  %-32s %9s  %s%-8s%s ", label, count, on, missing ? "MISMATCH" : "ok", off);
    i18n_dir_name(lang, dir, sizeof dir);
    if (!missing)
        printf("every _() string translated\n");
    else
        printf("%s:%d: no %s translation of \"%.60s%s\" (%zu missing: translate them in "
               "exercises/%s/po/%s.po, then make)\n",
               "spec.lua", first->line, lang, first->text,
               strlen(first->text) > 60 ? "…" : "", missing,
               spec_domain(s) + strlen("exercise-"), dir);
    fflush(stdout);
    return missing ? 1 : 0;
}

/* Every language the exercise declares (exercise{ languages = ... }). */
static int verify_languages(const grade_opts *o, const char *exercise, bool color)
{
    char *dir = exercise_dir(o->root, exercise);
    char *path = path_join(dir, "spec.lua");
    char *err = NULL;
    spec *s = spec_load(path, path, &err);
    int bad = 0;
    if (s) {
        const spec_exercise *ex = spec_exercise_get(s);
        size_t n = 0;
        spec_string *v = spec_strings(s, &n);
        for (size_t i = 0; i < ex->nlanguages; i++)
            bad += verify_language(s, ex->languages[i], v, n, color);
        spec_strings_free(v, n);
    }
    free(err); /* a broken spec is the reference's row */
    spec_free(s);
    free(path);
    free(dir);
    return bad;
}

int verify_exercise(const grade_opts *base, const char *exercise, bool color)
{
    printf("%s%s%s\n", color ? "\033[1m" : "", exercise, color ? "\033[0m" : "");
    int bad = 0;
    grade_opts o = *base;
    o.exercise = exercise;
    o.progress = false;
    char *sol = path_join(base->root, "solutions");
    char *soldir = path_join(sol, exercise);
    free(sol);
    o.dir = soldir;
    o.source = NULL;
    bad += verify_reference(&o, color);
    bad += verify_languages(base, exercise, color);

    char *exdir = exercise_dir(base->root, exercise);
    o.dir = exdir;
    bad += verify_skeleton(&o, color);

    char *buggy = path_join(soldir, "buggy");
    size_t n = 0;
    char **names = dir_list(buggy, &n);
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!str_ends(names[i], ".c")) continue;
        char *path = path_join(buggy, names[i]);
        char *label = xasprintf("buggy/%s", names[i]);
        o.dir = buggy;
        o.source = path;
        bad += verify_buggy(&o, label, color);
        seen++;
        free(label);
        free(path);
    }
    if (!seen) {
        printf("  %-32s %9s  MISMATCH no known-buggy variants in %s\n", "buggy/", "-",
               buggy);
        bad++;
    }
    strv_free(names, n);
    free(buggy);
    free(exdir);
    free(soldir);
    return bad;
}
