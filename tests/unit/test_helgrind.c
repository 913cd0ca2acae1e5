/* test_helgrind.c - helgrind_parse on real Valgrind Helgrind XML
 * (tests/fixtures/helgrind, made by tests/fixtures/regen.sh). */
#include "fixture.h"
#include "parse.h"
#include "symbolize.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static parse_out parse_fixture(const char *name)
{
    char *rel = xasprintf("helgrind/%s.xml", name);
    size_t len;
    char *text = fixture_read(rel, &len);
    parse_out out = {0};
    helgrind_parse(text, len, &out);
    free(text);
    free(rel);
    return out;
}

/* Parses helgrind/NAME.xml and tidies it as the grader does for student file SRC. */
static parse_out parse_tidy(const char *name, const char *src)
{
    parse_out out = parse_fixture(name);
    char *dir = fixture_src_dir();
    stacks_tidy(&out.found, dir, src);
    free(dir);
    return out;
}

static void expect_located(const finding *f, const char *file, int line, const char *fn)
{
    cr_assert_not_null(f->file, "%s finding has no location", f->kind);
    cr_assert_str_eq(f->file, file);
    cr_assert_eq(f->line, line, "%s located at line %d, wanted %d", f->kind, f->line,
                 line);
    cr_assert_str_eq(f->function, fn);
}

/* The race finding about data symbol NAME (there is a read and a write one). */
static const finding *race_on(const parse_out *o, const char *name, const char *op)
{
    char *sym = xasprintf("data symbol \"%s\"", name);
    char *during = xasprintf("during %s of size 4", op);
    const finding *hit = NULL;
    for (size_t i = 0; i < o->found.len && !hit; i++)
        if (strstr(o->found.items[i].message, sym) &&
            strstr(o->found.items[i].message, during))
            hit = &o->found.items[i];
    cr_assert_not_null(hit, "no %s race on %s", op, name);
    free(sym);
    free(during);
    return hit;
}

/* Race errors become data-race findings from helgrind, one per <error>. */
Test(helgrind, race_kinds)
{
    parse_out o = parse_fixture("race");
    cr_assert_eq(o.found.len, 4);
    for (size_t i = 0; i < o.found.len; i++) {
        cr_assert_str_eq(o.found.items[i].kind, "data-race");
        cr_assert_str_eq(o.found.items[i].tool, "helgrind");
    }
    race_on(&o, "counter", "read");
    race_on(&o, "total", "write");
    parse_out_free(&o);
}

/* The message joins what and auxwhat texts, with every address removed or masked. */
Test(helgrind, race_message)
{
    parse_out o = parse_fixture("race");
    const char *m = race_on(&o, "counter", "write")->message;
    cr_assert(str_starts(m, "Possible data race during write of size 4 by thread #"),
              "%s", m);
    cr_assert(strstr(m, "; This conflicts with a previous "), "%s", m);
    cr_assert(str_ends(m, "is 0 bytes inside data symbol \"counter\""), "%s", m);
    cr_assert_null(strstr(m, "0x1"), "%s", m);
    cr_assert_null(strstr(m, "0x10C028"), "%s", m);
    parse_out_free(&o);
}

/* Each stack is titled by the text before it, and frames join dir and file. */
Test(helgrind, race_stacks)
{
    parse_out o = parse_fixture("race");
    const finding *f = race_on(&o, "counter", "read");
    cr_assert_eq(f->stacks.len, 2);
    cr_assert(str_starts(f->stacks.items[0].title, "Possible data race during read"));
    cr_assert(str_starts(f->stacks.items[1].title, "This conflicts with a previous"));
    const frame *fr = &f->stacks.items[0].frames.items[0];
    char *dir = fixture_src_dir();
    char *path = path_join(dir, "hg_race.c");
    cr_assert_str_eq(fr->file, path);
    cr_assert_str_eq(fr->function, "bump");
    cr_assert_eq(fr->line, fixture_line("hg_race.c", "counter"));
    const frame *preload = &f->stacks.items[0].frames.items[1];
    cr_assert_null(preload->function, "a frame with only <ip> and <obj> has no function");
    cr_assert_null(preload->file);
    free(dir);
    free(path);
    parse_out_free(&o);
}

/* After tidying, each race points at its own line of the student's file. */
Test(helgrind, race_tidy_locates)
{
    parse_out o = parse_tidy("race", "hg_race.c");
    expect_located(race_on(&o, "counter", "read"), "hg_race.c",
                   fixture_line("hg_race.c", "counter"), "bump");
    expect_located(race_on(&o, "total", "write"), "hg_race.c",
                   fixture_line("hg_race.c", "total"), "bump");
    const finding *f = race_on(&o, "total", "read");
    cr_assert_eq(f->stacks.items[0].frames.len, 1, "libc and preload frames are dropped");
    parse_out_free(&o);
}

/* LockOrder is a lock-order inversion located at the inverted acquisition. */
Test(helgrind, lock_order)
{
    parse_out o = parse_tidy("lock_order", "hg_lock_order.c");
    cr_assert_eq(o.found.len, 1);
    const finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "lock-order-inversion");
    cr_assert(strstr(f->message, "lock order"), "%s", f->message);
    cr_assert(strstr(f->message, "violated; Required order was established"), "%s",
              f->message);
    cr_assert_null(strstr(f->message, "0x1"), "%s", f->message);
    cr_assert_eq(f->stacks.len, 5);
    cr_assert_str_eq(f->stacks.items[2].title, "followed by a later acquisition of lock");
    cr_assert_eq(f->stacks.items[2].frames.items[0].line,
                 fixture_line("hg_lock_order.c", "forward-inner"));
    expect_located(f, "hg_lock_order.c",
                   fixture_line("hg_lock_order.c", "backward-inner"), "backward");
    parse_out_free(&o);
}

/* UnlockUnlocked is mutex misuse at the second unlock. */
Test(helgrind, unlock_unlocked)
{
    parse_out o = parse_tidy("unlock_unlocked", "hg_unlock_unlocked.c");
    cr_assert_eq(o.found.len, 1);
    const finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "mutex-misuse");
    cr_assert_str_eq(f->message,
                     "Thread #1 unlocked a not-locked lock; Lock was first observed");
    expect_located(f, "hg_unlock_unlocked.c",
                   fixture_line("hg_unlock_unlocked.c", "unlock"), "main");
    parse_out_free(&o);
}

/* UnlockForeign is mutex misuse at the other thread's unlock; the exit with a lock held
 * follows, as a lock left held. */
Test(helgrind, unlock_foreign)
{
    parse_out o = parse_tidy("unlock_foreign", "hg_unlock_foreign.c");
    cr_assert_eq(o.found.len, 2);
    const finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "mutex-misuse");
    cr_assert_str_eq(
        f->message,
        "Thread #2 unlocked lock currently held by thread #1; Lock was first observed");
    expect_located(f, "hg_unlock_foreign.c",
                   fixture_line("hg_unlock_foreign.c", "unlock"), "release");
    cr_assert_str_eq(o.found.items[1].kind, "lock-held");
    cr_assert_str_eq(o.found.items[1].message,
                     "Thread #1: Exiting thread still holds 1 lock");
    parse_out_free(&o);
}

/* A Misc re-lock of a non-recursive mutex is a self-deadlock; the killed run is noted. */
Test(helgrind, relock_is_self_deadlock)
{
    parse_out o = parse_tidy("relock", "hg_relock.c");
    cr_assert_eq(o.found.len, 2);
    const finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "self-deadlock");
    expect_located(f, "hg_relock.c", fixture_line("hg_relock.c", "relock"), "main");
    cr_assert_str_eq(f->stacks.items[1].title, "Lock was previously acquired");
    cr_assert_eq(f->stacks.items[1].frames.items[0].line,
                 fixture_line("hg_relock.c", "first"));
    cr_assert_str_eq(o.found.items[1].kind, "lock-held",
                     "an exit holding a lock is a lock left held");
    cr_assert(strstr(sbuf_str(&o.notes), "killed by SIGTERM"), "%s", sbuf_str(&o.notes));
    parse_out_free(&o);
}

/* A document cut inside an <error> yields the complete errors only, with a note. */
Test(helgrind, truncated_keeps_complete_errors)
{
    parse_out o = parse_fixture("truncated");
    cr_assert_eq(o.found.len, 1);
    cr_assert_str_eq(o.found.items[0].kind, "data-race");
    cr_assert(strstr(o.found.items[0].message, "\"counter\""), "%s",
              o.found.items[0].message);
    cr_assert(strstr(sbuf_str(&o.notes), "cut short"), "%s", sbuf_str(&o.notes));
    parse_out_free(&o);
}

/* Empty input is silent; input that is not XML is noted, never a finding. */
Test(helgrind, empty_and_garbage)
{
    parse_out o = {0};
    helgrind_parse("", 0, &o);
    cr_assert_eq(o.found.len, 0);
    cr_assert_eq(o.notes.len, 0);
    const char *junk = "==123== Helgrind, a thread error detector\n<error><kind>Race";
    helgrind_parse(junk, strlen(junk), &o);
    cr_assert_eq(o.found.len, 0);
    cr_assert(strstr(sbuf_str(&o.notes), "helgrind XML"), "%s", sbuf_str(&o.notes));
    parse_out_free(&o);
}
