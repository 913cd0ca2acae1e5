/* test_policy.c - the object check (policy.h) on objects real gcc makes,
 * and the build box's limits (proc_tool_hidden) on a real tool. */
#include "fixture.h"
#include "policy.h"
#include "proc.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Compiles text as "s.c" in a fresh directory with gcc's listing, then
 * checks it; the problems' diagnostics go to *log. */
static int check_source(const char *text, const char *allow, sbuf *log)
{
    char *dir = dir_temp("grader-policy-test");
    cr_assert(dir);
    char *src = path_join(dir, "s.c");
    cr_assert_eq(file_write(src, text, strlen(text)), 0);
    char *argv[] = {
        "gcc", "-std=c11", "-D_GNU_SOURCE", "-g", "-O1", "-c", "-Wa,-adln=s.lst",
        "-o",  "s.o",      "s.c",           NULL};
    sbuf out = {0};
    cr_assert_eq(proc_tool(argv, dir, 60000, &out), 0, "gcc: %s", sbuf_str(&out));
    char *syms = path_abs("harness/driver");
    cr_assert(syms, "run from the repository");
    policy_inputs in = {.dir = dir,
                        .object = "s.o",
                        .listing = "s.lst",
                        .source_name = "s.c",
                        .syms_dir = syms,
                        .allow = allow};
    int n = policy_check(&in, log);
    sbuf_free(&out);
    free(syms), free(src);
    dir_remove(dir);
    free(dir);
    return n;
}

Test(policy, match_names_and_patterns)
{
    const char *text = "# a comment\npthread_*\nmprotect   changes protection\nato?\n";
    char why[64] = "";
    cr_assert(policy_match(text, "pthread_create", NULL, 0));
    cr_assert(policy_match(text, "atoi", NULL, 0));
    cr_assert_not(policy_match(text, "atoll", NULL, 0));
    cr_assert_not(policy_match(text, "comment", NULL, 0));
    cr_assert(policy_match(text, "mprotect", why, sizeof why));
    cr_assert_str_eq(why, "changes protection");
}

Test(policy, plain_c_with_threads_passes)
{
    sbuf log = {0};
    int n =
        check_source("#include <pthread.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
                     "static void *work(void *p) { printf(\"%p\\n\", p); return p; }\n"
                     "int go(void) { pthread_t t; void *r; int *x = malloc(4);\n"
                     "  pthread_create(&t, NULL, work, x); pthread_join(t, &r); free(x); "
                     "return 0; }\n",
                     NULL, &log);
    cr_assert_eq(n, 0, "%s", sbuf_str(&log));
    sbuf_free(&log);
}

Test(policy, refused_symbol_at_its_line)
{
    sbuf log = {0};
    int n = check_source("#include <sys/mman.h>\n"
                         "int go(void *p)\n"
                         "{\n"
                         "    return mprotect(p, 4096, PROT_READ);\n"
                         "}\n",
                         NULL, &log);
    cr_assert_eq(n, 1, "%s", sbuf_str(&log));
    cr_assert(strstr(sbuf_str(&log), "s.c:4: error: 'mprotect' is not allowed here"),
              "%s", sbuf_str(&log));
    sbuf_free(&log);
    /* the exercise may allow even a refused name */
    n = check_source("#include <sys/mman.h>\nint go(void *p) { return mprotect(p, 4096, "
                     "PROT_READ); }\n",
                     "mprotect", &log);
    cr_assert_eq(n, 0, "%s", sbuf_str(&log));
    sbuf_free(&log);
}

Test(policy, unknown_symbol_refused)
{
    sbuf log = {0};
    int n = check_source(
        "extern int secret_counter;\nint go(void) { return secret_counter; }\n", NULL,
        &log);
    cr_assert_eq(n, 1, "%s", sbuf_str(&log));
    cr_assert(strstr(sbuf_str(&log), "s.c:2: error: 'secret_counter' is neither defined"),
              "%s", sbuf_str(&log));
    sbuf_free(&log);
    /* a weak reference is resolved by the link all the same */
    n = check_source(
        "extern void drv_out(const char *, const char *, ...) __attribute__((weak));\n"
        "int go(void) { if (drv_out) drv_out(\"rc\", \"42\"); return 0; }\n",
        NULL, &log);
    cr_assert_eq(n, 1, "%s", sbuf_str(&log));
    cr_assert(strstr(sbuf_str(&log), "'drv_out' is not allowed here"), "%s",
              sbuf_str(&log));
    sbuf_free(&log);
}

Test(policy, assembly_refused)
{
    sbuf log = {0};
    int n = check_source("int go(void)\n{\n    int x = 1;\n    __asm__ volatile(\"nop\" "
                         ": \"+r\"(x));\n    return x;\n}\n",
                         NULL, &log);
    cr_assert_eq(n, 1, "%s", sbuf_str(&log));
    cr_assert(strstr(sbuf_str(&log), "s.c:4: error: assembly"), "%s", sbuf_str(&log));
    sbuf_free(&log);
    n = check_source("__asm__(\".pushsection .rodata\\n.byte 1\\n.popsection\");\nint "
                     "go(void) { return 0; }\n",
                     NULL, &log);
    cr_assert_geq(n, 1, "%s", sbuf_str(&log));
    cr_assert(strstr(sbuf_str(&log), "error: assembly"), "%s", sbuf_str(&log));
    sbuf_free(&log);
    /* a #line naming a system header changes nothing */
    n = check_source("#line 1 \"/usr/include/stdio.h\"\nint go(void) { int x = 1; "
                     "__asm__(\"nop\" : \"+r\"(x)); return x; }\n",
                     NULL, &log);
    cr_assert_eq(n, 1, "%s", sbuf_str(&log));
    sbuf_free(&log);
}

Test(policy, constructor_refused_at_its_definition)
{
    sbuf log = {0};
    int n = check_source("static int ready;\n"
                         "__attribute__((constructor)) static void early(void)\n"
                         "{\n"
                         "    ready = 1;\n"
                         "}\n"
                         "int go(void) { return ready; }\n",
                         NULL, &log);
    cr_assert_eq(n, 1, "%s", sbuf_str(&log));
    cr_assert(strstr(sbuf_str(&log), "error: a constructor or destructor"), "%s",
              sbuf_str(&log));
    cr_assert(strstr(sbuf_str(&log), "s.c:3:") || strstr(sbuf_str(&log), "s.c:2:"), "%s",
              sbuf_str(&log));
    sbuf_free(&log);
}

/* A tool that writes past the box's file-size limit is stopped by it: the
 * input's doing, not an error of ours. */
Test(policy, box_file_size_limit)
{
    char *dir = dir_temp("grader-box-test");
    cr_assert(dir);
    char *argv[] = {"dd", "if=/dev/zero", "of=big", "bs=1M", "count=200", NULL};
    sbuf out = {0};
    int rc = proc_tool_hidden(argv, dir, 60000, &out, NULL, NULL);
    cr_assert_eq(rc, PROC_TOOL_LIMIT, "rc %d: %s", rc, sbuf_str(&out));
    char *ok_argv[] = {"sh", "-c", "echo fine", NULL};
    sbuf_free(&out);
    cr_assert_eq(proc_tool_hidden(ok_argv, dir, 60000, &out, NULL, NULL), 0, "%s",
                 sbuf_str(&out));
    cr_assert(strstr(sbuf_str(&out), "fine"));
    sbuf_free(&out);
    dir_remove(dir);
    free(dir);
}
