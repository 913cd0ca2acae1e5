/* test_build.c - build_parse_diagnostics on real gcc, clang and ld output
 * (tests/fixtures/build, made by tests/fixtures/regen.sh). */
#include "build.h"
#include "fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static findings parse_fixture(const char *name, const char *source, bool warnings)
{
    char *rel = xasprintf("build/%s.txt", name);
    char *text = fixture_read(rel, NULL);
    findings fs = {0};
    build_parse_diagnostics(text, source, warnings, &fs);
    free(text);
    free(rel);
    return fs;
}

static void expect_diag(const finding *f, const char *kind, const char *file, int line,
                        const char *msg_part)
{
    cr_assert_str_eq(f->kind, kind);
    cr_assert_str_eq(f->tool, "build");
    cr_assert_str_eq(f->file ? f->file : "(null)", file);
    cr_assert_eq(f->line, line, "%s: line %d, wanted %d", f->message, f->line, line);
    cr_assert(strstr(f->message, msg_part), "'%s' not in '%s'", msg_part, f->message);
}

static int src_line(const char *name)
{
    return fixture_line("build_errors.c", name);
}

/* Without warnings, gcc's two errors come out in order; notes and context lines are
 * ignored. */
Test(build, gcc_errors_only)
{
    findings fs = parse_fixture("gcc_errors", "build_errors.c", false);
    cr_assert_eq(fs.len, 2);
    expect_diag(&fs.items[0], "build-error", "build_errors.c", src_line("undeclared"),
                "undeclared_name");
    expect_diag(&fs.items[1], "build-error", "build_errors.c",
                src_line("missing-semicolon") - 1, "expected");
    cr_assert_null(strstr(fs.items[0].message, "note:"));
    findings_free(&fs);
}

/* With warnings, gcc's warnings are build-warning findings at their lines. */
Test(build, gcc_errors_and_warnings)
{
    findings fs = parse_fixture("gcc_errors", "build_errors.c", true);
    cr_assert_eq(fs.len, 5);
    expect_diag(&fs.items[0], "build-warning", "build_errors.c", src_line("unused"),
                "unused variable");
    expect_diag(&fs.items[1], "build-error", "build_errors.c", src_line("undeclared"),
                "undeclared_name");
    expect_diag(&fs.items[3], "build-warning", "build_errors.c", src_line("sign-compare"),
                "[-Wsign-compare]");
    expect_diag(&fs.items[4], "build-warning", "build_errors.c", 4,
                "defined but not used");
    findings_free(&fs);
}

/* clang's plain diagnostics parse the same way. */
Test(build, clang_errors_and_warnings)
{
    findings fs = parse_fixture("clang_errors", "build_errors.c", true);
    cr_assert_eq(fs.len, 4);
    expect_diag(&fs.items[0], "build-warning", "build_errors.c", src_line("unused"),
                "unused variable 'spare'");
    expect_diag(&fs.items[1], "build-error", "build_errors.c", src_line("undeclared"),
                "use of undeclared identifier 'undeclared_name'");
    expect_diag(&fs.items[2], "build-error", "build_errors.c",
                src_line("missing-semicolon") - 1, "expected ';' after return statement");
    expect_diag(&fs.items[3], "build-warning", "build_errors.c", src_line("sign-compare"),
                "different signs");
    findings_free(&fs);
}

/* A file with only warnings gives nothing unless warnings are wanted. */
Test(build, warnings_only_file)
{
    findings fs = parse_fixture("gcc_warnings", "build_warnings.c", false);
    cr_assert_eq(fs.len, 0);
    fs = parse_fixture("gcc_warnings", "build_warnings.c", true);
    cr_assert_eq(fs.len, 2);
    expect_diag(&fs.items[0], "build-warning", "build_warnings.c",
                fixture_line("build_warnings.c", "unused"), "unused variable");
    expect_diag(&fs.items[1], "build-warning", "build_warnings.c",
                fixture_line("build_warnings.c", "no-return"),
                "control reaches end of non-void function");
    findings_free(&fs);
}

/* An undefined reference is a build error at the student's call (from -g line info). */
Test(build, link_undefined_reference)
{
    findings fs = parse_fixture("gcc_link", "build_link.c", false);
    cr_assert_eq(fs.len, 1, "collect2's summary line is not a finding");
    expect_diag(
        &fs.items[0], "build-error", "build_link.c", fixture_line("build_link.c", "call"),
        "undefined reference to 'missing_function': it is used but never defined");
    findings_free(&fs);
}

/* A link error in another file than the student's carries no location. */
Test(build, link_error_elsewhere_has_no_location)
{
    findings fs = parse_fixture("gcc_link", "threads.c", false);
    cr_assert_eq(fs.len, 1);
    cr_assert_null(fs.items[0].file);
    cr_assert_eq(fs.items[0].line, 0);
    findings_free(&fs);
}

/* A multiple definition names just the symbol, not the rest of ld's line. */
Test(build, link_multiple_definition)
{
    findings fs = parse_fixture("gcc_multiple", "build_dup.c", false);
    cr_assert_eq(fs.len, 1);
    cr_assert_str_eq(fs.items[0].kind, "build-error");
    cr_assert(str_starts(fs.items[0].message,
                         "multiple definition of 'helper': define it only once"),
              "%s", fs.items[0].message);
    cr_assert_null(strstr(fs.items[0].message, "first defined here"), "%s",
                   fs.items[0].message);
    findings_free(&fs);
}

/* The same diagnostic printed twice becomes one finding seen twice. */
Test(build, duplicates_merge)
{
    const char *text =
        "a.c:3:1: error: boom\na.c:3:1: error: boom\na.c:4: error: other\n";
    findings fs = {0};
    build_parse_diagnostics(text, "a.c", false, &fs);
    cr_assert_eq(fs.len, 2);
    cr_assert_eq(fs.items[0].count, 2);
    cr_assert_eq(fs.items[1].line, 4, "a line without a column parses too");
    findings_free(&fs);
}

/* Paths are reduced to the file name; lines that only look like diagnostics are skipped.
 */
Test(build, paths_and_lookalikes)
{
    const char *text = "/tmp/w/build-native/t.c:9:2: fatal error: x.h: No such file\n"
                       " t.c:1:1: error: indented\n"
                       "t.c:x: error: no line\n"
                       "In file included from t.c:2:\n"
                       "t.c:5:1: note: just a note\n";
    findings fs = {0};
    build_parse_diagnostics(text, "t.c", true, &fs);
    cr_assert_eq(fs.len, 1);
    expect_diag(&fs.items[0], "build-error", "t.c", 9, "x.h: No such file");
    findings_free(&fs);
}

/* Tool names parse both ways. */
Test(build, tool_names)
{
    cr_assert_eq(tool_parse("helgrind"), TOOL_HELGRIND);
    cr_assert_eq(tool_parse("no-such-tool"), -1);
    cr_assert_eq(tool_parse(NULL), -1);
    cr_assert_str_eq(tool_name(TOOL_TSAN), "tsan");
}

/* A whole program has no header: its link errors speak of its files. */
Test(build, program_link_errors)
{
    const char *text = "/usr/bin/ld: /tmp/w/main.o: in function `main':\n"
                       "main.c:2: undefined reference to `undefined_fn'\n";
    findings fs = {0};
    build_parse_program_diagnostics(text, "main.c", false, &fs);
    cr_assert_eq(fs.len, 1);
    cr_assert(strstr(fs.items[0].message, "defined in none of the program's files"), "%s",
              fs.items[0].message);
    cr_assert_null(strstr(fs.items[0].message, "header"), "%s", fs.items[0].message);
    cr_assert_eq(fs.items[0].line, 2);
    findings_free(&fs);
}
