/* test_specs.c - broken spec.lua files give an `error` outcome with the exact
 * "spec.lua:LINE: message", never a crash, a hang or points lost.
 *
 * Every .lua file of tests/specs/cases starts with a line saying what must happen:
 *   -- expect: spec.lua:6: exercise: unknown field 'titel' (did you mean 'title'?)
 *        the spec does not load; the report's error holds that text
 *   -- expect: check: NAME error TEXT
 *        the spec loads; check NAME is an error whose message holds TEXT, it
 *        is left out of max_score, and every other check is graded normally
 * Each case is graded for real: a temporary grader root holds the broken spec
 * beside the `threads` exercise's files, and the reference solution is the
 * submission. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade.h"
#include "util.h"

typedef struct spec_case {
    char name[128];
} spec_case;

static char *repo_root(void)
{
    const char *r = getenv("GRADER_ROOT");
    return path_abs(r && *r ? r : ".");
}

ParameterizedTestParameters(specs, broken)
{
    char *root = repo_root();
    char *dir = path_join(root, "tests/specs/cases");
    size_t n = 0;
    char **names = dir_list(dir, &n);
    spec_case *cases = cr_malloc(sizeof *cases * (n ? n : 1));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (str_ends(names[i], ".lua")) snprintf(cases[k++].name, sizeof cases[0].name, "%s", names[i]);
    strv_free(names, n);
    free(dir);
    free(root);
    return cr_make_param_array(spec_case, cases, k);
}

/* The text after "-- expect: " on the case's first line (caller frees). */
static char *expectation(const char *text)
{
    const char *e = strstr(text, "-- expect: ");
    cr_assert_not_null(e, "the case must start with '-- expect: ...'");
    e += strlen("-- expect: ");
    const char *nl = strchr(e, '\n');
    return xstrndup(e, nl ? (size_t)(nl - e) : strlen(e));
}

/* A grader root in a temporary directory whose `threads` exercise has the
 * given spec text. Returns the root (caller removes and frees). */
static char *fake_root(const char *root, const char *spec_text, size_t len)
{
    char *tmp = dir_temp("grader-spec-test");
    cr_assert_not_null(tmp);
    char *ex = path_join(tmp, "exercises/threads");
    cr_assert_eq(dir_make(ex), 0);
    const char *files[] = {"threads.h", "threads.c", "driver.c"};
    for (size_t i = 0; i < 3; i++) {
        char *from = xasprintf("%s/exercises/threads/%s", root, files[i]);
        char *to = path_join(ex, files[i]);
        cr_assert_eq(file_copy(from, to), 0, "cannot copy %s", from);
        free(from);
        free(to);
    }
    char *spec = path_join(ex, "spec.lua");
    cr_assert_eq(file_write(spec, spec_text, len), 0);
    const char *links[] = {"build", "harness"};
    for (size_t i = 0; i < 2; i++) {
        char *from = path_join(root, links[i]);
        char *to = path_join(tmp, links[i]);
        cr_assert_eq(symlink(from, to), 0);
        free(from);
        free(to);
    }
    free(spec);
    free(ex);
    return tmp;
}

static const check_result *find_check(const report *r, const char *name)
{
    for (size_t i = 0; i < r->checks.len; i++)
        if (!strcmp(r->checks.items[i].name, name)) return &r->checks.items[i];
    return NULL;
}

/* A spec that loads but breaks inside one check. */
static void expect_check_error(const report *r, const char *want)
{
    char name[64], text[512];
    cr_assert_eq(sscanf(want, "check: %63s error %511[^\n]", name, text), 2, "bad expectation: %s", want);
    const check_result *c = find_check(r, name);
    cr_assert_not_null(c, "no check named %s in the report", name);
    cr_expect_eq(c->outcome, OUTCOME_ERROR, "check %s should be an error, is %s", name, outcome_name(c->outcome));
    cr_expect_not_null(strstr(c->message ? c->message : "", text), "message of %s:\n  %s\nshould contain:\n  %s",
                       name, c->message, text);
    cr_expect(!c->graded, "an errored check must not be graded");
    double max = 0;
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *o = &r->checks.items[i];
        if (o == c) continue;
        cr_expect_eq(o->outcome, OUTCOME_PASS, "check %s should still pass (%s)", o->name, o->message);
        max += o->max_score;
    }
    cr_expect_eq(r->max_score, max, "the errored check must be left out of max_score");
    cr_expect_eq(r->score, max, "the student keeps every other point");
    cr_expect_eq(r->outcome, OUTCOME_ERROR);
}

ParameterizedTest(spec_case *sc, specs, broken, .timeout = 120)
{
    char *root = repo_root();
    char *path = xasprintf("%s/tests/specs/cases/%s", root, sc->name);
    size_t len;
    char *text = file_read(path, &len);
    cr_assert_not_null(text, "cannot read %s", path);
    char *want = expectation(text);
    if (strstr(sc->name, "bytecode")) text[len / 2] = 0; /* a binary file */
    char *tmp = fake_root(root, text, len);
    char *dir = path_join(root, "solutions/threads");
    grade_opts o = {.root = tmp, .exercise = "threads", .dir = dir, .seed = 1, .jobs = 2};
    report *r = grade_run(&o);
    if (str_starts(want, "check: ")) {
        cr_assert_null(r->error, "the spec should load, but: %s", r->error);
        expect_check_error(r, want);
    } else {
        cr_assert_not_null(r->error, "the spec should not load (%s)", sc->name);
        cr_expect_not_null(strstr(r->error, want), "error:\n  %s\nshould contain:\n  %s", r->error, want);
        cr_expect_eq(r->outcome, OUTCOME_ERROR);
        cr_expect_eq(r->checks.len, 0);
    }
    report_free(r);
    dir_remove(tmp);
    free(tmp);
    free(dir);
    free(want);
    free(text);
    free(path);
    free(root);
}
