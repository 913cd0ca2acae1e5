/* test_asan.c - asan_parse on real AddressSanitizer and UndefinedBehavior-
 * Sanitizer output (tests/fixtures/asan, made by tests/fixtures/regen.sh):
 * the kind, the student's line, the stacks and a message that names both. */
#include "fixture.h"
#include "parse.h"
#include "report.h"
#include "symbolize.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Parses asan/NAME.txt and tidies it as the grader does for student file SRC. */
static parse_out parse_tidy(const char *name, const char *src)
{
    char *rel = xasprintf("asan/%s.txt", name);
    size_t len = 0;
    char *text = fixture_read(rel, &len);
    parse_out out = {0};
    asan_parse(text, len, &out);
    free(text);
    free(rel);
    char *dir = fixture_src_dir();
    stacks_tidy(&out.found, dir, src);
    free(dir);
    return out;
}

/* The one finding of NAME: its kind, located at the @mark line of SRC. */
static finding *expect_one(parse_out *o, const char *kind, const char *src,
                           const char *mark)
{
    cr_assert_eq(o->found.len, 1, "%zu findings", o->found.len);
    finding *f = &o->found.items[0];
    cr_assert_str_eq(f->kind, kind);
    cr_assert_str_eq(f->tool, "asan");
    cr_assert_str_eq(f->file ? f->file : "(none)", src);
    cr_assert_eq(f->line, fixture_line(src, mark), "%s located at line %d", kind,
                 f->line);
    cr_assert(!o->tool_failed);
    return f;
}

static void expect_says(const finding *f, const char *words)
{
    cr_assert_not_null(strstr(f->message, words), "message \"%s\" lacks \"%s\"",
                       f->message, words);
}

/* "file.c:N" of the @mark line of src (caller frees). */
static char *at(const char *src, const char *mark)
{
    return xasprintf("%s:%d", src, fixture_line(src, mark));
}

static void expect_says_at(const finding *f, const char *src, const char *mark)
{
    char *w = at(src, mark);
    expect_says(f, w);
    free(w);
}

/* A thread reads a block the main thread freed: where it was used, freed
 * and allocated, in that order, and no address in the message. */
Test(asan, use_after_free_between_threads)
{
    const char *src = "asan_uaf_thread.c";
    parse_out o = parse_tidy("uaf_thread", src);
    finding *f = expect_one(&o, "use-after-free", src, "use");
    cr_assert_eq(f->stacks.len, 3);
    cr_assert_str_eq(f->stacks.items[0].title, "Read (4 bytes) by a thread");
    cr_assert_str_eq(f->stacks.items[1].title, "Freed by the main thread");
    cr_assert_str_eq(f->stacks.items[2].title, "Allocated by the main thread");
    expect_says_at(f, src, "use");
    expect_says_at(f, src, "free");
    expect_says_at(f, src, "malloc");
    expect_says(f, "a heap block of 4 bytes");
    cr_assert_null(strstr(f->message, "0x6"), "%s", f->message);
    parse_out_free(&o);
}

/* A thread uses a variable of its creator's frame after the creator
 * returned: the variable and its function are named. */
Test(asan, stack_use_after_return)
{
    const char *src = "asan_stack_return.c";
    parse_out o = parse_tidy("stack_return", src);
    finding *f = expect_one(&o, "stack-use-after-return", src, "use");
    expect_says(f, "the local variable 'id' of start()");
    char *decl = xasprintf("declared at line %d", fixture_line(src, "local"));
    expect_says(f, decl);
    free(decl);
    expect_says(f, "after start() had returned");
    parse_out_free(&o);
}

/* ASan's use after scope is the same kind, told apart in the message. */
Test(asan, stack_use_after_scope)
{
    const char *src = "asan_scope.c";
    parse_out o = parse_tidy("scope", src);
    finding *f = expect_one(&o, "stack-use-after-return", src, "use");
    expect_says(f, "'pair' of main()");
    expect_says(f, "block or the call that declared it had ended");
    parse_out_free(&o);
}

Test(asan, heap_out_of_bounds)
{
    const char *src = "asan_heap_overflow.c";
    parse_out o = parse_tidy("heap_overflow", src);
    finding *f = expect_one(&o, "out-of-bounds", src, "read");
    expect_says(f, "past the end of a heap block of 16 bytes allocated at");
    expect_says_at(f, src, "malloc");
    parse_out_free(&o);
}

Test(asan, stack_out_of_bounds)
{
    const char *src = "asan_stack_overflow.c";
    parse_out o = parse_tidy("stack_overflow", src);
    finding *f = expect_one(&o, "out-of-bounds", src, "write");
    expect_says(f, "a write (4 bytes) by the main thread");
    expect_says(f, "past the end of the local array 'v' of main()");
    parse_out_free(&o);
}

/* A double free is located at the second free, and names the first. */
Test(asan, double_free)
{
    const char *src = "asan_double_free.c";
    parse_out o = parse_tidy("double_free", src);
    finding *f = expect_one(&o, "double-free", src, "second");
    expect_says(f, "freed twice");
    expect_says_at(f, src, "first");
    parse_out_free(&o);
}

Test(asan, ub_signed_overflow)
{
    const char *src = "asan_ub_overflow.c";
    parse_out o = parse_tidy("ub_overflow", src);
    finding *f = expect_one(&o, "undefined-behavior", src, "overflow");
    expect_says(f, "signed integer overflow");
    parse_out_free(&o);
}

/* UBSan's index check and null check are the kinds a student knows them by. */
Test(asan, ub_index_and_null)
{
    parse_out o = parse_tidy("ub_index", "asan_ub_index.c");
    finding *f = expect_one(&o, "out-of-bounds", "asan_ub_index.c", "index");
    expect_says(f, "index 4 out of bounds");
    parse_out_free(&o);
    o = parse_tidy("segv", "asan_segv.c");
    f = expect_one(&o, "crash", "asan_segv.c", "write");
    expect_says(f, "NULL pointer");
    parse_out_free(&o);
}

/* Garbage and the runtime's own failures: no finding, a tool failure. */
Test(asan, garbage_and_runtime_failure)
{
    parse_out o = {0};
    const char *junk = "hello\n==1==ERROR: AddressSanitizer: \nSUMMARY: \n#0|x\n";
    asan_parse(junk, strlen(junk), &o);
    cr_assert_eq(o.found.len,
                 1); /* a report with nothing in it still says "memory error" */
    cr_assert_str_eq(o.found.items[0].kind, "memory-error");
    parse_out_free(&o);
    const char *broken =
        "==7==ERROR: AddressSanitizer failed to allocate 0x10 bytes\n"
        "==7==ReserveShadowMemoryRange failed while trying to map 0x1000 bytes. "
        "Perhaps you're using ulimit -v\n";
    asan_parse(broken, strlen(broken), &o);
    cr_assert(o.tool_failed);
    parse_out_free(&o);
}

/* A real ASan finding reaches every report format at the student's line:
 * the fixture's stack-use-after-return in a failed check, through each
 * registered reporter. */
Test(asan, every_report_format)
{
    const char *src = "asan_stack_return.c";
    parse_out o = parse_tidy("stack_return", src);
    report *r = xmalloc(sizeof *r);
    r->exercise = xstrdup("threads");
    r->title = xstrdup("Threads");
    r->source = xstrdup(src);
    char *dir = fixture_src_dir();
    r->source_path = path_join(dir, src);
    free(dir);
    r->source_text = file_read(r->source_path, NULL);
    r->seed = 1;
    check_result *c = VEC_PUSH(&r->checks);
    c->name = xstrdup("memory");
    c->title = xstrdup("AddressSanitizer finds nothing");
    c->outcome = OUTCOME_FAIL;
    c->max_score = 5;
    c->graded = true;
    c->message = xasprintf("%s: %s", kind_lookup("stack-use-after-return")->title,
                           o.found.items[0].message);
    c->findings = o.found;
    memset(&o.found, 0, sizeof o.found);
    report_total(r);
    char *line = xasprintf("%d", fixture_line(src, "use"));
    size_t n = 0;
    const reporter *all = reporter_all(&n);
    cr_assert_geq(n, 7);
    for (size_t i = 0; i < n; i++) {
        report_opts opts = {0};
        sbuf b = {0};
        all[i].write(r, &opts, &b);
        const char *text = sbuf_str(&b);
        cr_assert(strstr(text, src), "%s: no %s in\n%s", all[i].name, src, text);
        cr_assert(strstr(text, line), "%s: no line %s", all[i].name, line);
        cr_assert(strstr(text, "local variable"), "%s: no message", all[i].name);
        sbuf_free(&b);
    }
    free(line);
    report_free(r);
    parse_out_free(&o);
}
