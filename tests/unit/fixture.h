/* fixture.h - finding and reading the saved tool output in tests/fixtures.
 *
 * The unit binary runs from the repository root (tests/run); when it does not,
 * the fixtures are found relative to the binary (build/tests/unit). Lines the
 * tests care about are marked in the sources under tests/fixtures/src with a
 * comment "@name", so the expected line numbers follow the sources. */
#ifndef TEST_FIXTURE_H
#define TEST_FIXTURE_H

#include "util.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Absolute or cwd-relative path of tests/fixtures/REL (caller frees). */
static inline char *fixture_path(const char *rel)
{
    if (dir_exists("tests/fixtures")) return path_join("tests/fixtures", rel);
    char exe[PATH_MAX] = {0};
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    cr_assert_gt(n, 0, "cannot find the test binary");
    char *bin = path_dirname(exe);    /* build/tests */
    char *build = path_dirname(bin);  /* build */
    char *root = path_dirname(build); /* the repository */
    char *fx = path_join(root, "tests/fixtures");
    char *p = path_join(fx, rel);
    free(bin), free(build), free(root), free(fx);
    return p;
}

/* The bytes of a fixture, NUL-terminated (caller frees). */
static inline char *fixture_read(const char *rel, size_t *len)
{
    char *p = fixture_path(rel);
    char *text = file_read(p, len);
    cr_assert_not_null(text, "cannot read fixture %s", p);
    free(p);
    return text;
}

/* The line of tests/fixtures/src/SRC that carries the marker "@NAME". */
static inline int fixture_line(const char *src, const char *name)
{
    char *rel = path_join("src", src);
    char *text = fixture_read(rel, NULL);
    char *marker = xasprintf("@%s ", name);
    char *at = strstr(text, marker);
    cr_assert_not_null(at, "no marker @%s in %s", name, src);
    int line = 1;
    for (const char *p = text; p < at; p++) line += *p == '\n';
    free(rel), free(text), free(marker);
    return line;
}

/* The absolute source directory the fixtures were captured in (src.dir). */
static inline char *fixture_src_dir(void)
{
    char *text = fixture_read("src.dir", NULL);
    char *dir = xstrdup(str_trim(text));
    free(text);
    return dir;
}

#endif
