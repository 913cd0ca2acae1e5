/* test_channel.c - channel_parse: the driver's JSON lines (out, finding,
 * crash, done) into outputs and findings; garbage lines are skipped. */
#include "parse.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static parse_out parse(const char *text)
{
    parse_out out = {0};
    channel_parse(text, strlen(text), &out);
    return out;
}

/* "out" lines become key/value outputs in order; a later value wins in lookups. */
Test(channel, out_lines)
{
    parse_out o = parse("{\"type\":\"out\",\"key\":\"sum\",\"value\":\"10\"}\n"
                        "{\"type\":\"out\",\"key\":\"log\",\"value\":\"a\\nb\"}\n"
                        "{\"type\":\"out\",\"key\":\"sum\",\"value\":\"12\"}\n");
    cr_assert_eq(o.outs.len, 3);
    cr_assert_str_eq(o.outs.items[0].key, "sum");
    cr_assert_str_eq(o.outs.items[0].value, "10");
    cr_assert_str_eq(o.outs.items[1].value, "a\nb");
    cr_assert_str_eq(parse_out_get(&o, "sum"), "12");
    cr_assert_null(parse_out_get(&o, "missing"));
    cr_assert_eq(o.found.len, 0);
    cr_assert_not(o.done);
    parse_out_free(&o);
}

/* An "out" line without a string key and value is ignored. */
Test(channel, out_incomplete_ignored)
{
    parse_out o = parse("{\"type\":\"out\",\"key\":\"k\"}\n{\"type\":\"out\",\"key\":"
                        "\"k\",\"value\":5}\n");
    cr_assert_eq(o.outs.len, 0);
    parse_out_free(&o);
}

/* A "finding" line keeps its kind and message and gets a raw stack to symbolize. */
Test(channel, finding_with_stack)
{
    parse_out o =
        parse("{\"type\":\"finding\",\"kind\":\"not-concurrent\",\"message\":\"ran one "
              "by one\","
              "\"stack\":[{\"module\":\"/w/prog\",\"offset\":4660,\"symbol\":\"worker\"},"
              "{\"module\":\"/lib/libc.so.6\",\"offset\":16,\"symbol\":null}]}\n");
    cr_assert_eq(o.found.len, 1);
    const finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "not-concurrent");
    cr_assert_str_eq(f->tool, "driver");
    cr_assert_str_eq(f->message, "ran one by one");
    cr_assert_eq(f->stacks.len, 1);
    cr_assert_null(f->stacks.items[0].title);
    const frame *fr = f->stacks.items[0].frames.items;
    cr_assert_eq(f->stacks.items[0].frames.len, 2);
    cr_assert_str_eq(fr[0].module, "/w/prog");
    cr_assert_eq(fr[0].offset, 4660);
    cr_assert_str_eq(fr[0].function, "worker");
    cr_assert_null(fr[1].function);
    cr_assert_null(fr[0].file, "not symbolized yet");
    parse_out_free(&o);
}

/* A kind outside the vocabulary becomes wrong-result; a finding without kind is ignored.
 */
Test(channel, finding_unknown_kind)
{
    parse_out o = parse("{\"type\":\"finding\",\"kind\":\"oops\",\"message\":\"m\"}\n"
                        "{\"type\":\"finding\",\"message\":\"no kind\"}\n");
    cr_assert_eq(o.found.len, 1);
    cr_assert_str_eq(o.found.items[0].kind, "wrong-result");
    cr_assert_eq(o.found.items[0].stacks.len, 0, "no stack given, none made");
    parse_out_free(&o);
}

/* A "crash" line records the signal and a crash finding with a readable message and
 * stack. */
Test(channel, crash_line)
{
    parse_out o = parse("{\"type\":\"crash\",\"signal\":11,\"stack\":[{\"module\":\"/w/"
                        "prog\",\"offset\":32}]}\n");
    cr_assert_eq(o.crash_signal, SIGSEGV);
    cr_assert_eq(o.found.len, 1);
    const finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "crash");
    cr_assert(
        str_starts(f->message, "the program was killed by SIGSEGV, a segmentation fault"),
        "%s", f->message);
    cr_assert_str_eq(f->stacks.items[0].title, "Where it crashed");
    cr_assert_eq(f->stacks.items[0].frames.items[0].offset, 32);
    cr_assert_null(f->stacks.items[0].frames.items[0].function);
    parse_out_free(&o);
}

/* A "done" line marks the scenario finished with its status. */
Test(channel, done_line)
{
    parse_out o = parse("{\"type\":\"done\",\"scenario\":\"basic\",\"status\":3}\n");
    cr_assert(o.done);
    cr_assert_eq(o.done_status, 3);
    parse_out_free(&o);
}

/* Non-JSON lines are skipped with a note; the rest count, even a last line without
 * newline. */
Test(channel, garbage_skipped)
{
    parse_out o = parse("hello from printf\n"
                        "{\"type\":\"out\",\"key\":\"a\",\"value\":\"1\"}\n"
                        "\n"
                        "[1,2]\n"
                        "{\"type\":\"out\",\"key\":\"b\",\"val\n"
                        "{\"no\":\"type\"}\n"
                        "{\"type\":\"teapot\"}\n"
                        "{\"type\":\"done\",\"status\":0}");
    cr_assert_eq(o.outs.len, 1);
    cr_assert_str_eq(parse_out_get(&o, "a"), "1");
    cr_assert(o.done);
    cr_assert_eq(o.found.len, 0);
    const char *notes = sbuf_str(&o.notes);
    size_t skipped = 0;
    for (const char *p = notes; (p = strstr(p, "skipped a line")); p++) skipped++;
    cr_assert_eq(skipped, 3, "printf text, an array and a cut line: %s", notes);
    parse_out_free(&o);
}

/* Crash messages name the signal and explain it; unknown signals still read well. */
Test(channel, crash_messages)
{
    char *abrt = channel_crash_message(SIGABRT);
    char *fpe = channel_crash_message(SIGFPE);
    char *other = channel_crash_message(SIGUSR1);
    cr_assert_str_eq(abrt, "the program was killed by SIGABRT, abort(), usually a failed "
                           "assert() or a corrupted heap");
    cr_assert(strstr(fpe, "SIGFPE, an arithmetic error"), "%s", fpe);
    cr_assert_str_eq(other, "the program was killed by SIGUSR1, a fatal signal");
    free(abrt), free(fpe), free(other);
}

/* A finding's "stacks" become titled stacks after its own "stack" (several call
 * sites, e.g. every process of a deadlock); one without a stack adds none. */
Test(channel, finding_with_titled_stacks)
{
    parse_out o =
        parse("{\"type\":\"finding\",\"kind\":\"deadlock\",\"message\":\"both wait\","
              "\"stacks\":[{\"title\":\"the parent: blocked in write() here\",\"stack\":"
              "[{\"module\":\"/w/prog\",\"offset\":100,\"symbol\":null}]},"
              "{\"title\":\"child 1: blocked in write() here\",\"stack\":"
              "[{\"module\":\"/w/prog\",\"offset\":200,\"symbol\":null}]},"
              "{\"title\":\"no stack\"}]}\n");
    cr_assert_eq(o.found.len, 1);
    const finding *f = &o.found.items[0];
    cr_assert_str_eq(f->kind, "deadlock");
    cr_assert_eq(f->stacks.len, 2);
    cr_assert_str_eq(f->stacks.items[0].title, "the parent: blocked in write() here");
    cr_assert_str_eq(f->stacks.items[1].title, "child 1: blocked in write() here");
    cr_assert_eq(f->stacks.items[1].frames.len, 1);
    parse_out_free(&o);
}

/* A parent killed by SIGPIPE is told what happened and what to do. */
Test(channel, crash_message_sigpipe)
{
    char *m = channel_crash_message(SIGPIPE);
    cr_assert(strstr(m, "killed by SIGPIPE, which happens on a write to a pipe"), "%s",
              m);
    cr_assert(strstr(m, "SIG_IGN") && strstr(m, "EPIPE"), "%s", m);
    free(m);
}
