/* scaffold.c - see scaffold.h. Templates use @NAME@ (the exercise's name),
 * @IDENT@ (the name as a C identifier) and @TITLE@. */
#include "scaffold.h"
#include "proc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* --- templates of a new exercise ------------------------------------------------ */

static const char tpl_header[] =
    "/* @NAME@.h - the `@NAME@` exercise. Do not change this file. */\n"
    "#ifndef @IDENT@_H\n"
    "#define @IDENT@_H\n"
    "\n"
    "/* Adds 1 to *counter, `times` times. Many threads call it at once on the\n"
    " * same counter: no increment may be lost. */\n"
    "void @IDENT@_increment(long *counter, long times);\n"
    "\n"
    "#endif\n";

static const char tpl_skeleton[] =
    "/* @NAME@.c - your solution. Grade it with: grader grade @NAME@ . */\n"
    "#include <pthread.h>\n"
    "\n"
    "#include \"@NAME@.h\"\n"
    "\n"
    "void @IDENT@_increment(long *counter, long times)\n"
    "{\n"
    "    (void)counter;\n"
    "    (void)times;\n"
    "}\n";

static const char tpl_reference[] =
    "/* @NAME@.c - reference solution: every increment under one lock. */\n"
    "#include <pthread.h>\n"
    "\n"
    "#include \"@NAME@.h\"\n"
    "\n"
    "static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;\n"
    "\n"
    "void @IDENT@_increment(long *counter, long times)\n"
    "{\n"
    "    for (long i = 0; i < times; i++) {\n"
    "        pthread_mutex_lock(&lock);\n"
    "        (*counter)++;\n"
    "        pthread_mutex_unlock(&lock);\n"
    "    }\n"
    "}\n";

static const char tpl_buggy[] =
    "/* Increments without a lock: a read-modify-write that two threads can\n"
    " * interleave, losing updates.\n"
    " * expect-kinds: data-race\n"
    " * expect-fail: tsan\n"
    " */\n"
    "#include \"@NAME@.h\"\n"
    "\n"
    "void @IDENT@_increment(long *counter, long times)\n"
    "{\n"
    "    for (long i = 0; i < times; i++) (*counter)++;\n"
    "}\n";

static const char tpl_driver[] =
    "/* driver.c - scenarios of the `@NAME@` exercise. */\n"
    "#include <pthread.h>\n"
    "#include <stdlib.h>\n"
    "\n"
    "#include \"grader_driver.h\"\n"
    "#include \"@NAME@.h\"\n"
    "\n"
    "static long counter;\n"
    "static long times;\n"
    "\n"
    "static void *worker(void *arg)\n"
    "{\n"
    "    (void)arg;\n"
    "    @IDENT@_increment(&counter, times);\n"
    "    return NULL;\n"
    "}\n"
    "\n"
    "/* threads N TIMES: N threads increment the same counter TIMES times each. */\n"
    "static int scenario_threads(int argc, char **argv)\n"
    "{\n"
    "    long n = drv_arg(argc, argv, 1, 4);\n"
    "    times = drv_arg(argc, argv, 2, 1000);\n"
    "    pthread_t *t = calloc((size_t)n, sizeof *t);\n"
    "    for (long i = 0; i < n; i++) pthread_create(&t[i], NULL, worker, NULL);\n"
    "    for (long i = 0; i < n; i++) pthread_join(t[i], NULL);\n"
    "    drv_out(\"counter\", \"%ld\", counter);\n"
    "    if (counter != n * times)\n"
    "        drv_finding(\"wrong-result\", \"the counter is %ld after %ld threads added "
    "%ld each; expected %ld\",\n"
    "                    counter, n, times, n * times);\n"
    "    free(t);\n"
    "    return 0;\n"
    "}\n"
    "\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    static const drv_scenario scenarios[] = {\n"
    "        {\"threads\", scenario_threads, \"N TIMES: N threads increment one "
    "counter\"},\n"
    "        {NULL, NULL, NULL},\n"
    "    };\n"
    "    return drv_main(argc, argv, scenarios);\n"
    "}\n";

static const char tpl_spec[] =
    "-- spec.lua: the `@NAME@` exercise (see docs/spec-api.md).\n"
    "-- Strings in _() are translated from po/LL.po; once po/pt_BR.po translates\n"
    "-- them all, declare it in exercise{}: languages = { \"en\", \"pt-BR\" }.\n"
    "exercise {\n"
    "  name = \"@NAME@\",\n"
    "  title = _(\"@TITLE@\"),\n"
    "}\n"
    "\n"
    "check \"single\" {\n"
    "  title = _(\"One thread: every increment counts\"),\n"
    "  points = 40,\n"
    "  run = function(t)\n"
    "    t:run(\"threads\", 1, 1000):assert_ok()\n"
    "  end,\n"
    "}\n"
    "\n"
    "check \"tsan\" {\n"
    "  title = _(\"Many threads: no data race (ThreadSanitizer)\"),\n"
    "  points = 40,\n"
    "  depends = \"single\",\n"
    "  hint = _(\"Do the whole read-modify-write under one mutex held by every "
    "thread.\"),\n"
    "  run = function(t)\n"
    "    t:run(\"threads\", 4, 1000, { tool = \"tsan\" }):assert_ok()\n"
    "  end,\n"
    "}\n"
    "\n"
    "check \"helgrind\" {\n"
    "  title = _(\"Many threads: no data race (Helgrind)\"),\n"
    "  points = 20,\n"
    "  depends = \"single\",\n"
    "  run = function(t)\n"
    "    t:run(\"threads\", 3, 200, { tool = \"helgrind\" }):assert_ok()\n"
    "  end,\n"
    "}\n";

static const char tpl_readme[] =
    "# Exercise `@NAME@` — @TITLE@\n"
    "\n"
    "Implement `@IDENT@_increment` in `@NAME@.c`: add 1 to `*counter`, `times`\n"
    "times. Many threads call it at the same time on the same counter, so each\n"
    "increment (a read, an add and a write) must happen under a lock.\n"
    "\n"
    "Grade your work with `grader grade @NAME@ .`\n";

static const char tpl_readme_pt[] =
    "# Exercício `@NAME@` — @TITLE@\n"
    "\n"
    "Implemente `@IDENT@_increment` em `@NAME@.c`: some 1 a `*counter`, `times`\n"
    "vezes. Muitas threads a chamam ao mesmo tempo com o mesmo contador, então\n"
    "cada incremento (uma leitura, uma soma e uma escrita) precisa acontecer sob\n"
    "uma trava (lock).\n"
    "\n"
    "Corrija o seu trabalho com `grader grade @NAME@ . --lang pt-BR`\n";

/* Replaces the placeholders of tpl (caller frees); @EX@ is the name too. */
static char *expand(const char *tpl, const char *name, const char *ident,
                    const char *title)
{
    sbuf b = {0};
    for (const char *p = tpl; *p;) {
        if (str_starts(p, "@NAME@"))
            sbuf_puts(&b, name), p += 6;
        else if (str_starts(p, "@EX@"))
            sbuf_puts(&b, name), p += 4;
        else if (str_starts(p, "@IDENT@"))
            sbuf_puts(&b, ident), p += 7;
        else if (str_starts(p, "@TITLE@"))
            sbuf_puts(&b, title), p += 7;
        else
            sbuf_putc(&b, *p++);
    }
    return sbuf_take(&b);
}

static int write_new(const char *dir, const char *file, const char *text, char **err)
{
    char *path = path_join(dir, file);
    int rc = 0;
    if (file_exists(path)) {
        *err = xasprintf("%s already exists; nothing was overwritten", path);
        rc = -1;
    } else if (dir_make(dir) < 0 || file_write(path, text, strlen(text)) < 0) {
        *err = xasprintf("cannot write %s", path);
        rc = -1;
    } else {
        printf("created  %s\n", path);
    }
    free(path);
    return rc;
}

int scaffold_exercise(const char *root, const char *name, const char *title, char **err)
{
    if (!str_is_ident(name) || strlen(name) > 40) {
        *err = xasprintf(
            "'%s' is not a valid exercise name (letters, digits, '-' and '_')", name);
        return -1;
    }
    char *ident = xstrdup(name);
    for (char *c = ident; *c; c++)
        if (!isalnum((unsigned char)*c)) *c = '_';
    char *exdir = xasprintf("%s/exercises/%s", root, name);
    char *soldir = xasprintf("%s/solutions/%s", root, name);
    char *bugdir = xasprintf("%s/buggy", soldir);
    if (dir_exists(exdir)) {
        *err = xasprintf("%s already exists", exdir);
        free(ident), free(exdir), free(soldir), free(bugdir);
        return -1;
    }
    char *h = xasprintf("%s.h", name), *c = xasprintf("%s.c", name);
    struct {
        const char *dir, *file, *tpl;
    } files[] = {
        {exdir, "spec.lua", tpl_spec},
        {exdir, "README.md", tpl_readme},
        {exdir, "README.pt-BR.md", tpl_readme_pt},
        {exdir, h, tpl_header},
        {exdir, c, tpl_skeleton},
        {exdir, "driver.c", tpl_driver},
        {soldir, c, tpl_reference},
        {bugdir, "no_lock.c", tpl_buggy},
    };
    int rc = 0;
    for (size_t i = 0; i < ARRAY_LEN(files) && !rc; i++) {
        char *text = expand(files[i].tpl, name, ident,
                            title ? title : "A counter shared by threads");
        rc = write_new(files[i].dir, files[i].file, text, err);
        free(text);
    }
    free(h), free(c), free(ident), free(exdir), free(soldir), free(bugdir);
    return rc;
}

/* --- GitHub Classroom starter repository -------------------------------------------- */

/* A step id the reporter accepts: letters and digits only. */
static char *step_id(const char *name)
{
    sbuf b = {0};
    for (const char *p = name; *p; p++)
        if (isalnum((unsigned char)*p)) sbuf_putc(&b, *p);
    if (!b.len) sbuf_puts(&b, "grade");
    return sbuf_take(&b);
}

char *scaffold_workflow(char **exercises, size_t n, const char *lang)
{
    sbuf b = {0};
    sbuf_puts(&b,
              "# Grades every exercise of this repository on each push, and reports the\n"
              "# points to GitHub Classroom. Generated by `grader classroom-template`.\n"
              "# Classroom starts it on push, and through repository_dispatch when it\n"
              "# asks for a regrade.\n"
              "name: Autograding Tests\n"
              "'on':\n"
              "  push:\n"
              "  workflow_dispatch:\n"
              "  repository_dispatch:\n"
              "permissions:\n"
              "  contents: read\n"
              "jobs:\n"
              "  run-autograding-tests:\n"
              "    runs-on: ubuntu-latest\n"
              "    if: github.actor != 'github-classroom[bot]'\n"
              "    steps:\n"
              "    - name: Checkout code\n"
              "      uses: actions/checkout@v4\n"
              "    - name: Let ThreadSanitizer map its shadow memory\n"
              "      run: sudo sysctl -w vm.mmap_rnd_bits=28\n"
              "    - name: Install what grading needs (compilers, Valgrind, Lua)\n"
              "      run: sudo bash .grader/scripts/setup --grading\n"
              "    - name: Cache the grader's build\n"
              "      uses: actions/cache@v4\n"
              "      with:\n"
              "        path: |\n"
              "          .grader/bin\n"
              "          .grader/build\n"
              "        key: grader-${{ runner.os }}-${{ hashFiles('.grader/grader/**', "
              "'.grader/harness/**', "
              "'.grader/Makefile', '.grader/po/**') }}\n"
              "    - name: Build the grader\n"
              "      run: make -C .grader -j2 all\n");
    sbuf runners = {0}, env = {0};
    for (size_t i = 0; i < n; i++) {
        char *id = step_id(exercises[i]);
        /* no `|| true`: the step publishes an error result itself when the
         * grader cannot, and the steps after it run whatever happened */
        sbuf_printf(&b,
                    "    - name: %s\n"
                    "      id: %s\n"
                    "      if: ${{ !cancelled() }}\n"
                    "      run: bash .grader/scripts/classroom-step %s %s%s%s\n",
                    exercises[i], id, exercises[i], exercises[i], lang ? " --lang " : "",
                    lang ? lang : "");
        sbuf_printf(&runners, "%s%s", i ? "," : "", id);
        char *upper = xstrdup(id);
        for (char *c = upper; *c; c++) *c = (char)toupper((unsigned char)*c);
        sbuf_printf(&env, "        %s_RESULTS: \"${{steps.%s.outputs.result}}\"\n", upper,
                    id);
        free(upper);
        free(id);
    }
    sbuf_printf(&b,
                "    - name: Autograding Reporter\n"
                "      if: ${{ !cancelled() }}\n"
                "      uses: classroom-resources/autograding-grading-reporter@v1\n"
                "      env:\n%s"
                "      with:\n"
                "        runners: %s\n",
                sbuf_str(&env), sbuf_str(&runners));
    sbuf_free(&runners);
    sbuf_free(&env);
    return sbuf_take(&b);
}

static int copy_tree(const char *from, const char *to, char **err)
{
    char *argv[] = {"cp", "-R", (char *)from, (char *)to, NULL};
    sbuf out = {0};
    int rc = proc_tool(argv, NULL, 60000, &out);
    if (rc != 0) *err = xasprintf("cannot copy %s: %s", from, sbuf_str(&out));
    sbuf_free(&out);
    return rc == 0 ? 0 : -1;
}

static const char student_makefile[] =
    "# Build and grade your exercises.\n"
    "#   make grade EX=threads     grade one exercise (its folder holds EX.c)\n"
    "#   make grade-all            grade every exercise\n"
    "GRADER := .grader/bin/grader\n"
    "LANGUAGE_OPT := @LANG@\n"
    "EXERCISES := $(patsubst %/,%,$(dir $(wildcard */README.md)))\n"
    "\n"
    "$(GRADER):\n"
    "\t@.grader/scripts/setup\n"
    "\t@$(MAKE) -s -C .grader all\n"
    "\n"
    "grade: $(GRADER)\n"
    "\t$(GRADER) grade $(EX) $(EX) $(LANGUAGE_OPT)\n"
    "\n"
    "grade-all: $(GRADER)\n"
    "\t@for ex in $(EXERCISES); do $(GRADER) grade $$ex $$ex $(LANGUAGE_OPT); done\n"
    "\n"
    ".PHONY: grade grade-all\n";

/* The grader's own sources (never the solutions) and the exercises' folders,
 * into dir/sub. */
static int copy_grader(const char *root, const char *dir, const char *sub,
                       char *const *exercises, size_t n, char **err)
{
    char *g = path_join(dir, sub);
    char *exdir = path_join(g, "exercises");
    int rc = dir_make(exdir) < 0 ? -1 : 0;
    const char *parts[] = {"grader", "harness",  "scripts",
                           "po",     "Makefile", "tests/tests.mk"};
    for (size_t i = 0; i < ARRAY_LEN(parts) && !rc; i++) {
        char *from = path_join(root, parts[i]);
        char *to = path_join(g, parts[i]);
        char *parent = path_dirname(to);
        dir_make(parent);
        if (file_exists(from) || dir_exists(from)) rc = copy_tree(from, to, err);
        free(parent);
        free(from);
        free(to);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        char *from = xasprintf("%s/exercises/%s", root, exercises[i]);
        rc = copy_tree(from, exdir, err);
        free(from);
    }
    free(exdir);
    free(g);
    return rc;
}

/* The assignment a student of lang gets as README.md: README.LANG.md when
 * the exercise has one (caller frees). */
static char *readme_for(const char *exdir, const char *lang)
{
    char *p = lang ? xasprintf("%s/README.%s.md", exdir, lang) : NULL;
    if (p && strcmp(lang, "en") && file_exists(p)) return p;
    free(p);
    return path_join(exdir, "README.md");
}

static int copy_student_files(const char *root, const char *dir, const char *ex,
                              const char *lang, char **err)
{
    char *exdir = xasprintf("%s/exercises/%s", root, ex);
    char *to = path_join(dir, ex);
    size_t n;
    char **names = dir_list(exdir, &n);
    int rc = dir_make(to);
    for (size_t i = 0; i < n && !rc; i++) {
        /* the student gets the assignment, the header and the skeleton */
        if (!strcmp(names[i], "spec.lua") || !strcmp(names[i], "driver.c")) continue;
        char *from = !strcmp(names[i], "README.md") ? readme_for(exdir, lang)
                                                    : path_join(exdir, names[i]);
        char *dst = path_join(to, names[i]);
        if (file_exists(from) && file_copy(from, dst) < 0) {
            *err = xasprintf("cannot write %s", dst);
            rc = -1;
        }
        free(from);
        free(dst);
    }
    strv_free(names, n);
    free(exdir);
    free(to);
    return rc;
}

int scaffold_classroom(const char *root, const char *dir, char **exercises, size_t n,
                       const char *lang, char **err)
{
    if (dir_make(dir) < 0) {
        *err = xasprintf("cannot create %s", dir);
        return -1;
    }
    int rc = copy_grader(root, dir, ".grader", exercises, n, err);
    for (size_t i = 0; i < n && !rc; i++)
        rc = copy_student_files(root, dir, exercises[i], lang, err);
    if (rc) return rc;
    char *wfdir = path_join(dir, ".github/workflows");
    char *wf = path_join(wfdir, "classroom.yml");
    char *yml = scaffold_workflow(exercises, n, lang);
    char *lang_opt = lang ? xasprintf("--lang %s", lang) : xstrdup("");
    const char *at = strstr(student_makefile, "@LANG@");
    sbuf mkb = {0};
    sbuf_add(&mkb, student_makefile, (size_t)(at - student_makefile));
    sbuf_printf(&mkb, "%s%s", lang_opt, at + strlen("@LANG@"));
    char *mk = path_join(dir, "Makefile");
    char *readme = path_join(dir, "README.md");
    char *gi = path_join(dir, ".gitignore");
    sbuf r = {0};
    sbuf_puts(
        &r,
        "# Concurrency exercises\n\nOne folder per exercise: read its README.md, edit "
        "the `.c` file, then\n"
        "grade it with `make grade EX=<exercise>` (the first run installs and builds\n"
        "the grader). Every push is graded by GitHub Classroom the same way.\n\n");
    for (size_t i = 0; i < n; i++)
        sbuf_printf(&r, "- [%s](%s/README.md)\n", exercises[i], exercises[i]);
    if (dir_make(wfdir) < 0 || file_write(wf, yml, strlen(yml)) < 0 ||
        file_write(mk, mkb.data, mkb.len) < 0 || file_write(readme, r.data, r.len) < 0 ||
        file_write(gi, ".grader/bin/\n.grader/build/\n", 29) < 0) {
        *err = xasprintf("cannot write into %s", dir);
        rc = -1;
    }
    sbuf_free(&r);
    sbuf_free(&mkb);
    free(lang_opt);
    free(gi);
    free(readme);
    free(mk);
    free(yml);
    free(wf);
    free(wfdir);
    return rc;
}

/* --- Gradescope autograder ---------------------------------------------------------- */

static const char gs_setup[] =
    "#!/usr/bin/env bash\n"
    "# setup.sh - Gradescope runs this once, as root, when it builds the\n"
    "# autograder's image (its Ubuntu base image): it installs what grading needs\n"
    "# (compilers, Valgrind, Lua; scripts/setup --grading) and builds the grader.\n"
    "# Generated by `grader gradescope-template`.\n"
    "set -eu\n"
    "ag=${AUTOGRADER_ROOT:-/autograder} # another folder stands for it in tests\n"
    "export DEBIAN_FRONTEND=noninteractive\n"
    "bash \"$ag/source/grader/scripts/setup\" --grading\n"
    "make -C \"$ag/source/grader\" -j2 all\n";

static const char gs_run[] =
    "#!/usr/bin/env bash\n"
    "# run_autograder - Gradescope runs this for every submission, from /autograder:\n"
    "# grades the submission's @EX@.c and writes results/results.json (every\n"
    "# check a test, Markdown output). Generated by `grader gradescope-template`.\n"
    "set -u\n"
    "ag=${AUTOGRADER_ROOT:-/autograder} # another folder stands for it in tests\n"
    "ex=@EX@\n"
    "grader=$ag/source/grader/bin/grader\n"
    "results=$ag/results/results.json\n"
    "mkdir -p \"$ag/results\"\n"
    "\n"
    "# results.json written here when the grader cannot: score, message\n"
    "fallback() {\n"
    "    python3 - \"$results\" \"$1\" \"$2\" <<'PY' 2>/dev/null ||\n"
    "import json, sys\n"
    "json.dump({\"score\": 0, \"output\": sys.argv[3], \"output_format\": \"md\", "
    "\"visibility\": \"visible\",\n"
    "           \"stdout_visibility\": \"visible\", \"tests\": [] if sys.argv[2] == "
    "\"student\" else\n"
    "           [{\"name\": \"grading (not graded: error)\", \"score\": 0, \"status\": "
    "\"failed\",\n"
    "             \"max_score\": float(sys.argv[2]), \"output\": sys.argv[3], "
    "\"output_format\": \"md\",\n"
    "             \"tags\": [\"error\"]}]}, open(sys.argv[1], \"w\"))\n"
    "PY\n"
    "        printf '{\"score\": 0, \"output\": \"%s\", \"tests\": []}\\n' \"$2\" "
    ">\"$results\"\n"
    "}\n"
    "\n"
    "# the file, wherever in the upload it is (a folder, a zip's top directory)\n"
    "src=$(find \"$ag/submission\" -type f -name \"$ex.c\" -print 2>/dev/null | LC_ALL=C "
    "sort | head -n 1)\n"
    "if [ -z \"$src\" ]; then\n"
    "    fallback student \"Your submission has no file named \\`$ex.c\\`: upload it "
    "(alone or in a folder) and submit again.\"\n"
    "    exit 0\n"
    "fi\n"
    "\"$grader\" grade \"$ex\" --source \"$src\" --format gradescope --output "
    "\"$results\"\n"
    "rc=$?\n"
    "if [ $rc -gt 2 ] || [ ! -s \"$results\" ]; then\n"
    "    max=$(\"$grader\" list 2>/dev/null | awk -v e=\"$ex\" '$1 == e { for (i = NF; i "
    "> 1; i--) if ($i ~ /^[0-9.]+$/) { print $i; exit } }')\n"
    "    fallback \"${max:-0}\" \"The grader stopped (exit status $rc) before it "
    "reported: this is not your code's fault; ask for a regrade.\"\n"
    "fi\n"
    "exit 0\n";

/* Writes setup.sh, run_autograder and grader/ (the grader, this exercise)
 * into dir. */
static int gradescope_one(const char *root, const char *dir, char *ex, char **err)
{
    if (dir_make(dir) < 0) {
        *err = xasprintf("cannot create %s", dir);
        return -1;
    }
    char *exs[] = {ex};
    int rc = copy_grader(root, dir, "grader", exs, 1, err);
    struct {
        const char *name, *tpl;
    } files[] = {{"setup.sh", gs_setup}, {"run_autograder", gs_run}};
    for (size_t i = 0; i < ARRAY_LEN(files) && !rc; i++) {
        char *path = path_join(dir, files[i].name);
        char *text = expand(files[i].tpl, ex, ex, "");
        if (file_write(path, text, strlen(text)) < 0 || chmod(path, 0755) < 0) {
            *err = xasprintf("cannot write %s", path);
            rc = -1;
        }
        free(text);
        free(path);
    }
    return rc;
}

int scaffold_gradescope(const char *root, const char *dir, char **exercises, size_t n,
                        char **err)
{
    if (n == 1) return gradescope_one(root, dir, exercises[0], err);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char *sub = path_join(dir, exercises[i]);
        rc = gradescope_one(root, sub, exercises[i], err);
        free(sub);
    }
    return rc;
}
