/* main.c - the grader's command line.
 *
 *   grader list [-v]
 *   grader grade EXERCISE [DIR] [--format F] [--output FILE] [--seed N] [--only CHECK]
 * [-v] [-j N] grader replay EXERCISE [DIR] --check NAME --seed S [--html FILE] grader
 * check EXERCISE|--all [-v] [-j N] grader init EXERCISE DIR grader scan FILE.c...
 * [OPTIONS] [-- ARGS...] grader new NAME [--title T] grader batch EXERCISE DIR [-j N]
 * [--output OUT] [--list-commands] grader classroom-template DIR [EXERCISE...] grader
 * gradescope-template DIR [EXERCISE...] (usage_text below says what each does.)
 *
 * Every command takes --lang pt-BR|en (default: LC_ALL/LC_MESSAGES/LANG,
 * else English) for the messages a person reads.
 *
 * Exit status: 0 graded and every check passed; 1 graded and some check
 * failed; 2 error (spec, grader or machine); 64 usage. */
#include "batch.h"
#include "grade.h"
#include "i18n.h"
#include "report.h"
#include "scaffold.h"
#include "scan.h"
#include "spec.h"
#include "trace.h"
#include "verify.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 64
#define EXIT_ERROR 2

static const char usage_text[] = N_(
    "usage: grader COMMAND [ARGS] [--lang LANG]\n"
    "\n"
    "  grader list [-v]                    every exercise: name, title, points\n"
    "  grader grade EXERCISE [DIR]         grade DIR/EXERCISE.c (DIR defaults to .)\n"
    "      --format F                      text (default), json, classroom, gradescope,\n"
    "                                      junit, markdown or html\n"
    "      --output FILE                   write the report to FILE\n"
    "      --seed N                        base seed of every schedule (default 1)\n"
    "      --only CHECK                    run one check (and what it depends on)\n"
    "      --source FILE                   grade FILE instead of DIR/EXERCISE.c\n"
    "      --keep                          keep the build and run directories\n"
    "      -j N                            checks at once (default: CPUs)\n"
    "      -v                              more detail; -vv shows every command\n"
    "  grader replay EXERCISE [DIR] --check NAME --seed S [--html FILE]\n"
    "                                      rerun one check's schedule exactly, with its "
    "trace\n"
    "                                      (--html: also as a page with the schedule's "
    "timeline)\n"
    "  grader check EXERCISE|--all         prove an exercise: reference, skeleton, buggy "
    "variants\n"
    "  grader init EXERCISE DIR            put the skeleton, header and assignment in "
    "DIR\n"
    "  grader scan FILE.c... [-- ARGS...]  any C program under every detector: TSan, "
    "Helgrind,\n"
    "                                      ASan+UBSan, stress schedules; exit 0 nothing "
    "found,\n"
    "                                      1 found\n"
    "      -n N                            stress schedules, pct and random in turn "
    "(default %d)\n"
    "      --tools LIST                    tsan,helgrind,asan,pct,random,native (default "
    "all; stress =\n"
    "                                      pct,random)\n"
    "      --timeout S                     seconds per run (default 10; x2 tsan and "
    "asan, x4 helgrind)\n"
    "      --seed N                        schedule i uses seed N+i (default 1)\n"
    "      --depth D                       pct depth (default 2 and 3 in turn)\n"
    "      --stdin FILE                    the program's input (- for ours; default "
    "none)\n"
    "      --format F                      text (default) or json\n"
    "      --output FILE, --cflags F, --libs F, -j N, --keep, -v\n"
    "\n"
    "  grader new NAME [--title T]         scaffold an exercise that grader check "
    "accepts\n"
    "  grader batch EXERCISE DIR [-j N] [--output OUT] [--list-commands]\n"
    "                                      grade every DIR/STUDENT; OUT/STUDENT.json, "
    "scores.csv\n"
    "  grader classroom-template DIR [EXERCISE...]\n"
    "                                      a GitHub Classroom starter repository\n"
    "  grader gradescope-template DIR [EXERCISE...]\n"
    "                                      a Gradescope autograder (setup.sh, "
    "run_autograder)\n"
    "\n"
    "  --lang LANG                         the language of every message: en or pt-BR\n"
    "                                      (default: LC_ALL, LC_MESSAGES or LANG, else "
    "en)\n"
    "\n"
    "Exit status: 0 all checks passed, 1 some check failed, 2 error, 64 usage.\n"
    "Docs: docs/student.md, docs/instructor.md, docs/spec-api.md, docs/gradescope.md\n");

#define SCAN_SCHEDULES 20

/* The language given with --lang (NULL: none), for what is written for
 * others to read later (a Classroom template). */
static const char *lang_given;
/* The grader as it was invoked when that was a path (".grader/bin/grader" in
 * a Classroom repository), for commands the reports tell a reader to run. */
static const char *program = "grader";

static int usage(const char *msg)
{
    if (msg) fprintf(stderr, "grader: %s\n\n", _(msg));
    fprintf(stderr, _(usage_text), SCAN_SCHEDULES);
    return EXIT_USAGE;
}

/* The repository the binary belongs to: GRADER_ROOT, else bin/.. */
static char *find_root(void)
{
    const char *env = getenv("GRADER_ROOT");
    if (env && *env) return path_abs(env);
    char *exe = path_abs("/proc/self/exe");
    if (!exe) return NULL;
    char *bin = path_dirname(exe);
    char *root = path_dirname(bin);
    free(exe);
    free(bin);
    return root;
}

static bool want_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(f)) && !(nc && *nc) && getenv("TERM") &&
           strcmp(getenv("TERM"), "dumb");
}

static bool exercise_exists(const char *root, const char *name)
{
    char *d = exercise_dir(root, name);
    char *s = path_join(d, "spec.lua");
    bool ok = str_is_ident(name) && file_exists(s);
    free(d);
    free(s);
    return ok;
}

/* Names of every exercise (directories of exercises/ holding a spec.lua). */
static char **exercise_names(const char *root, size_t *n)
{
    char *ex = path_join(root, "exercises");
    size_t total;
    char **all = dir_list(ex, &total);
    free(ex);
    if (!all) {
        *n = 0;
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < total; i++) {
        if (exercise_exists(root, all[i]))
            all[k++] = all[i];
        else
            free(all[i]);
    }
    *n = k;
    return all;
}

static int unknown_exercise(const char *root, const char *name)
{
    size_t n;
    char **names = exercise_names(root, &n);
    fprintf(stderr, _("grader: no exercise named '%s'. Exercises:"), name);
    for (size_t i = 0; i < n; i++) fprintf(stderr, " %s", names[i]);
    fprintf(stderr, "\n");
    strv_free(names, n);
    return EXIT_USAGE;
}

/* --- list ------------------------------------------------------------------------ */

static int cmd_list(const char *root, int argc, char **argv)
{
    bool verbose = argc > 1 && !strcmp(argv[1], "-v");
    size_t n;
    char **names = exercise_names(root, &n);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *d = exercise_dir(root, names[i]);
        char *path = path_join(d, "spec.lua");
        char *display = exercise_spec_display(root, path);
        char *err = NULL;
        spec *s = spec_load(path, display, &err);
        if (!s) {
            printf(_("%-10s  (broken spec) %s\n"), names[i], err);
            rc = EXIT_ERROR;
        } else {
            double pts = 0;
            for (size_t k = 0; k < spec_check_count(s); k++)
                pts += spec_check_get(s, k)->points;
            printf(_("%-10s  %-52s %4g points\n"), names[i], spec_exercise_get(s)->title,
                   pts);
            for (size_t k = 0; verbose && k < spec_check_count(s); k++) {
                const spec_check *c = spec_check_get(s, k);
                printf("    %-18s %4g  %s\n", c->name, c->points, c->title);
            }
        }
        free(err);
        spec_free(s);
        free(display);
        free(path);
        free(d);
    }
    strv_free(names, n);
    return rc;
}

/* --- GitHub Actions ------------------------------------------------------------ */

/* A random token for ::stop-commands:: (caller frees). */
static char *stop_token(void)
{
    unsigned char raw[16] = {0};
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(raw, 1, sizeof raw, f) != sizeof raw) {
        uint64_t t = (uint64_t)now_ms() ^ (uint64_t)getpid() << 32;
        memcpy(raw, &t, sizeof t);
    }
    if (f) fclose(f);
    sbuf b = {0};
    for (size_t i = 0; i < sizeof raw; i++) sbuf_printf(&b, "%02x", raw[i]);
    return sbuf_take(&b);
}

static void append_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        fprintf(stderr, _("grader: cannot append to %s\n"), path);
        return;
    }
    fputs(text, f);
    fclose(f);
}

/* Under GitHub Actions: the Classroom result as the step's `result` output,
 * and a Markdown summary of the grading on the job's page. */
static void github_publish(const report *r, const reporter *rep, const sbuf *text)
{
    const char *output = getenv("GITHUB_OUTPUT");
    if (output && *output && !strcmp(rep->name, "classroom")) {
        char *b64 = base64_encode(text->data, text->len);
        char *line = xasprintf("result=%s\n", b64);
        append_file(output, line);
        free(line);
        free(b64);
    }
    const char *summary = getenv("GITHUB_STEP_SUMMARY");
    if (summary && *summary) {
        sbuf md = {0};
        report_opts plain = {0};
        report_markdown(r, &plain, &md);
        append_file(summary, md.data);
        sbuf_free(&md);
    }
}

/* The command that reruns each failed check: `grader replay` with the exact
 * seed of the schedule that went wrong, else `grader grade --only`. */
static void replay_commands(report *r, const grade_opts *o)
{
    for (size_t i = 0; i < r->checks.len; i++) {
        check_result *ch = &r->checks.items[i];
        if (ch->outcome != OUTCOME_FAIL || !strcmp(ch->name, "build")) continue;
        const finding *seeded = NULL;
        for (size_t k = 0; k < ch->findings.len && !seeded; k++)
            if (ch->findings.items[k].has_seed) seeded = &ch->findings.items[k];
        char *where = o->source ? xasprintf("--source %s", o->source) : xstrdup(o->dir);
        free(ch->replay);
        if (seeded)
            ch->replay =
                xasprintf("grader replay %s %s --check %s --seed %llu", r->exercise,
                          where, ch->name, (unsigned long long)seeded->seed);
        else
            ch->replay =
                xasprintf("grader grade %s %s --only %s --seed %llu", r->exercise, where,
                          ch->name, (unsigned long long)o->seed);
        free(where);
    }
}

/* --- grade ------------------------------------------------------------------------- */

static int cmd_grade(const char *root, int argc, char **argv)
{
    static const struct option longs[] = {
        {"format", required_argument, 0, 'f'}, {"output", required_argument, 0, 'o'},
        {"seed", required_argument, 0, 's'},   {"only", required_argument, 0, 'c'},
        {"keep", no_argument, 0, 'k'},         {"verbose", no_argument, 0, 'v'},
        {"source", required_argument, 0, 'S'}, {0, 0, 0, 0},
    };
    grade_opts o = {.root = root, .seed = 1};
    const char *format = "text", *output = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:s:c:j:vk", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 's':
            o.seed = strtoull(optarg, NULL, 10);
            break;
        case 'c':
            o.only = optarg;
            break;
        case 'j':
            o.jobs = atoi(optarg);
            break;
        case 'v':
            o.verbose++;
            break;
        case 'k':
            o.keep = true;
            break;
        case 'S':
            o.source = optarg;
            break;
        default:
            return usage(NULL);
        }
    }
    if (optind >= argc) return usage(N_("grade needs an exercise name"));
    o.exercise = argv[optind++];
    o.dir = optind < argc ? argv[optind++] : ".";
    if (optind < argc) return usage(N_("too many arguments"));
    const reporter *rep = reporter_lookup(format);
    if (!rep)
        return usage(N_("unknown --format (text, json, classroom, gradescope, junit, "
                        "markdown or html)"));
    if (!exercise_exists(root, o.exercise)) return unknown_exercise(root, o.exercise);
    FILE *out = stdout;
    if (output && !(out = fopen(output, "w"))) {
        fprintf(stderr, _("grader: cannot write %s\n"), output);
        return EXIT_ERROR;
    }
    o.progress = want_color(stderr) && !o.verbose;
    report *r = grade_run(&o);
    replay_commands(r, &o);
    char *where = o.source ? xasprintf("--source %s", o.source) : xstrdup(o.dir);
    char *rerun = xasprintf("%s grade %s %s --only ", program, o.exercise, where);
    report_opts ro = {.color = !output && !strcmp(format, "text") && want_color(out),
                      .verbose = o.verbose,
                      .rerun = rerun,
                      .program = program};
    sbuf text = {0};
    rep->write(r, &ro, &text);
    free(rerun);
    free(where);
    github_publish(r, rep, &text);
    /* under GitHub Actions nothing in the report may act as a workflow command */
    char *token = getenv("GITHUB_ACTIONS") && out == stdout ? stop_token() : NULL;
    if (token) printf("::stop-commands::%s\n", token);
    fwrite(text.data, 1, text.len, out);
    if (token) printf("::%s::\n", token);
    free(token);
    sbuf_free(&text);
    if (out != stdout) fclose(out);
    int rc = r->outcome == OUTCOME_PASS ? 0 : r->outcome == OUTCOME_FAIL ? 1 : EXIT_ERROR;
    report_free(r);
    return rc;
}

/* --- replay ----------------------------------------------------------------------------
 */

/* Writes the replay's report as an HTML page to path: 0, or -1 (said). */
static int replay_html(const report *r, const report_opts *o, const char *path)
{
    sbuf page = {0};
    report_opts plain = {.verbose = o->verbose};
    report_html(r, &plain, &page);
    int rc = file_write(path, page.data, page.len);
    if (rc < 0)
        fprintf(stderr, _("grader: cannot write %s\n"), path);
    else
        fprintf(stderr, _("grader: the schedule's timeline is in %s\n"), path);
    sbuf_free(&page);
    return rc;
}

static int cmd_replay(const char *root, int argc, char **argv)
{
    static const struct option longs[] = {
        {"check", required_argument, 0, 'c'},  {"seed", required_argument, 0, 's'},
        {"source", required_argument, 0, 'S'}, {"keep", no_argument, 0, 'k'},
        {"html", required_argument, 0, 'H'},   {0, 0, 0, 0},
    };
    grade_opts o = {.root = root, .replay = true, .jobs = 1};
    const char *html = NULL;
    bool have_seed = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:vk", longs, NULL)) != -1) {
        switch (c) {
        case 'c':
            o.only = optarg;
            break;
        case 's':
            o.seed = strtoull(optarg, NULL, 10), have_seed = true;
            break;
        case 'S':
            o.source = optarg;
            break;
        case 'v':
            o.verbose++;
            break;
        case 'k':
            o.keep = true;
            break;
        case 'H':
            html = optarg;
            break;
        default:
            return usage(NULL);
        }
    }
    if (optind >= argc) return usage(N_("replay needs an exercise name"));
    o.exercise = argv[optind++];
    o.dir = optind < argc ? argv[optind++] : ".";
    if (!o.only || !have_seed)
        return usage(N_("replay needs --check NAME and --seed S (from a report)"));
    if (!exercise_exists(root, o.exercise)) return unknown_exercise(root, o.exercise);
    report *r = grade_run(&o);
    report_opts ro = {
        .color = want_color(stdout), .verbose = o.verbose, .no_score = true};
    sbuf text = {0};
    report_text(r, &ro, &text);
    for (size_t i = 0; i < r->checks.len; i++) {
        const check_result *ch = &r->checks.items[i];
        if (strcmp(ch->name, o.only)) continue;
        if (!ch->schedule.events.len) {
            sbuf_printf(
                &text,
                _("\nNo stress schedule ran in check '%s' (it uses no `stress` run).\n"),
                ch->name);
            continue;
        }
        sbuf_printf(&text,
                    _("\nThe whole schedule of check '%s' with seed %llu (one column per "
                      "thread):\n"),
                    ch->name, (unsigned long long)o.seed);
        trace_text(&ch->schedule, &ch->findings, 0, &text);
    }
    fwrite(text.data, 1, text.len, stdout);
    sbuf_free(&text);
    int rc = r->outcome == OUTCOME_PASS ? 0 : r->outcome == OUTCOME_FAIL ? 1 : EXIT_ERROR;
    if (html && replay_html(r, &ro, html) < 0) rc = EXIT_ERROR;
    report_free(r);
    return rc;
}

/* --- check
 * ------------------------------------------------------------------------------ */

static int cmd_check(const char *root, int argc, char **argv)
{
    grade_opts o = {.root = root, .seed = 1};
    bool all = false;
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--all"))
            all = true;
        else if (!strcmp(argv[i], "-v"))
            o.verbose++;
        else if (!strcmp(argv[i], "-j") && i + 1 < argc)
            o.jobs = atoi(argv[++i]);
        else if (argv[i][0] == '-')
            return usage(N_("unknown option for check"));
        else if (!name)
            name = argv[i];
        else
            return usage(N_("check takes one exercise (or --all)"));
    }
    if (!all && !name) return usage(N_("check needs an exercise name or --all"));
    bool color = want_color(stdout);
    int bad = 0;
    if (all) {
        size_t n;
        char **names = exercise_names(root, &n);
        for (size_t i = 0; i < n; i++) bad += verify_exercise(&o, names[i], color);
        strv_free(names, n);
    } else {
        if (!exercise_exists(root, name)) return unknown_exercise(root, name);
        bad = verify_exercise(&o, name, color);
    }
    printf("%s\n", bad ? _("check: MISMATCH") : _("check: every exercise proven"));
    return bad ? 1 : 0;
}

/* --- init
 * --------------------------------------------------------------------------------- */

/* The assignment in lang: exdir/README.LANG.md when there is one (any
 * language but English), else exdir/README.md (caller frees). */
static char *exercise_readme(const char *exdir, const char *lang)
{
    char *p = xasprintf("%s/README.%s.md", exdir, lang);
    if (strcmp(lang, "en") && file_exists(p)) return p;
    free(p);
    return path_join(exdir, "README.md");
}

static int cmd_init(const char *root, int argc, char **argv)
{
    if (argc != 3) return usage(N_("init needs an exercise and a directory"));
    const char *name = argv[1], *dir = argv[2];
    if (!exercise_exists(root, name)) return unknown_exercise(root, name);
    char *exdir = exercise_dir(root, name);
    char *spec_path = path_join(exdir, "spec.lua");
    char *err = NULL;
    spec *s = spec_load(spec_path, spec_path, &err);
    free(spec_path);
    if (!s) {
        fprintf(stderr, "grader: %s\n", err);
        free(err);
        free(exdir);
        return EXIT_ERROR;
    }
    const spec_exercise *ex = spec_exercise_get(s);
    int rc = 0;
    if (dir_make(dir) < 0) {
        fprintf(stderr, _("grader: cannot create %s\n"), dir);
        rc = EXIT_ERROR;
    }
    const char *files[] = {ex->source, ex->header, "README.md"};
    for (size_t i = 0; i < ARRAY_LEN(files) && !rc; i++) {
        if (!files[i]) continue;
        char *from =
            i == 2 ? exercise_readme(exdir, i18n_lang()) : path_join(exdir, files[i]);
        char *to = path_join(dir, files[i]);
        if (!file_exists(from)) {
            /* nothing to copy */
        } else if (file_exists(to)) {
            printf(_("kept     %s (already there)\n"), to);
        } else if (file_copy(from, to) < 0) {
            fprintf(stderr, _("grader: cannot write %s\n"), to);
            rc = EXIT_ERROR;
        } else {
            printf(_("created  %s\n"), to);
        }
        free(from);
        free(to);
    }
    if (!rc)
        printf(_("\nNext: edit %s/%s, then run: grader grade %s %s\n"), dir, ex->source,
               name, dir);
    spec_free(s);
    free(exdir);
    return rc;
}

/* --- instructor tools -------------------------------------------------------------- */

static int cmd_new(const char *root, int argc, char **argv)
{
    const char *name = NULL, *title = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--title") && i + 1 < argc)
            title = argv[++i];
        else if (argv[i][0] == '-')
            return usage(N_("unknown option for new"));
        else if (!name)
            name = argv[i];
        else
            return usage(N_("new takes one name"));
    }
    if (!name) return usage(N_("new needs a name"));
    char *err = NULL;
    if (scaffold_exercise(root, name, title, &err) < 0) {
        fprintf(stderr, "grader: %s\n", err);
        free(err);
        return EXIT_ERROR;
    }
    printf(_("\nNext: edit exercises/%s/ (spec.lua, driver.c, the header), then prove "
             "it: grader check %s\n"),
           name, name);
    return 0;
}

static int cmd_batch(const char *root, int argc, char **argv)
{
    static const struct option longs[] = {
        {"output", required_argument, 0, 'o'},
        {"list-commands", no_argument, 0, 'l'},
        {"seed", required_argument, 0, 's'},
        {0, 0, 0, 0},
    };
    grade_opts g = {.root = root, .seed = 1};
    batch_opts b = {.base = &g, .jobs = 1};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:j:s:lv", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            b.out = optarg;
            break;
        case 'j':
            b.jobs = atoi(optarg);
            break;
        case 's':
            g.seed = strtoull(optarg, NULL, 10);
            break;
        case 'l':
            b.list_commands = true;
            break;
        case 'v':
            g.verbose++;
            break;
        default:
            return usage(NULL);
        }
    }
    if (argc - optind != 2)
        return usage(N_("batch needs an exercise and a submissions directory"));
    g.exercise = argv[optind];
    b.dir = argv[optind + 1];
    if (!exercise_exists(root, g.exercise)) return unknown_exercise(root, g.exercise);
    char *out = b.out ? NULL : xasprintf("%s/grades", b.dir);
    if (!b.out) b.out = out;
    b.progress = want_color(stderr);
    int rc = batch_run(&b);
    free(out);
    return rc;
}

/* classroom-template or gradescope-template (argv[0]) DIR [EXERCISE...] */
static int cmd_template(const char *root, int argc, char **argv)
{
    bool gradescope = !strcmp(argv[0], "gradescope-template");
    if (argc < 2)
        return usage(gradescope ? N_("gradescope-template needs a directory")
                                : N_("classroom-template needs a directory"));
    const char *dir = argv[1];
    size_t n = (size_t)(argc - 2);
    char **names = NULL;
    if (n) {
        names = xmalloc(sizeof *names * n);
        for (size_t i = 0; i < n; i++) {
            if (!exercise_exists(root, argv[i + 2])) {
                strv_free(names, i);
                return unknown_exercise(root, argv[i + 2]);
            }
            names[i] = xstrdup(argv[i + 2]);
        }
    } else {
        names = exercise_names(root, &n);
    }
    char *err = NULL;
    int rc = gradescope ? scaffold_gradescope(root, dir, names, n, &err)
                        : scaffold_classroom(root, dir, names, n,
                                             lang_given ? i18n_lang() : NULL, &err);
    if (rc < 0)
        fprintf(stderr, "grader: %s\n", err);
    else if (gradescope)
        printf(ngettext("wrote a Gradescope autograder for %zu exercise in %s (zip its "
                        "contents)\n",
                        "wrote a Gradescope autograder for each of %zu exercises in "
                        "%s/EXERCISE (zip each)\n",
                        n),
               n, dir);
    else
        printf(ngettext("wrote a starter repository for %zu exercise in %s\n",
                        "wrote a starter repository for %zu exercises in %s\n", n),
               n, dir);
    free(err);
    strv_free(names, n);
    return rc < 0 ? EXIT_ERROR : 0;
}

/* --- scan ------------------------------------------------------------------------------
 */

/* Reads the program's input for --stdin FILE ("-": ours) into *data. */
static int scan_input(const char *path, char **data, size_t *len)
{
    if (strcmp(path, "-")) {
        *data = file_read(path, len);
        return *data ? 0 : -1;
    }
    sbuf b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) sbuf_add(&b, buf, n);
    *len = b.len;
    *data = b.data ? sbuf_take(&b) : xstrdup("");
    return 0;
}

/* Options before `--` (files among them); the program's arguments after. */
static int scan_options(int argc, char **argv, scan_opts *o, const char **format,
                        const char **output, const char **input)
{
    static const struct option longs[] = {
        {"tools", required_argument, 0, 't'},     {"timeout", required_argument, 0, 'T'},
        {"seed", required_argument, 0, 's'},      {"depth", required_argument, 0, 'd'},
        {"stdin", required_argument, 0, 'i'},     {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},    {"cflags", required_argument, 0, 'C'},
        {"libs", required_argument, 0, 'L'},      {"keep", no_argument, 0, 'k'},
        {"schedules", required_argument, 0, 'n'}, {0, 0, 0, 0},
    };
    int c, mask;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:j:vk", longs, NULL)) != -1) {
        switch (c) {
        case 'n':
            o->schedules = atoi(optarg);
            break;
        case 't':
            if ((mask = scan_detectors_parse(optarg)) <= 0)
                return usage(N_(
                    "--tools: tsan, helgrind, asan, pct, random, native, stress or all"));
            o->detectors = (unsigned)mask;
            break;
        case 'T':
            o->timeout_ms = (int64_t)(atof(optarg) * 1000);
            break;
        case 's':
            o->seed = strtoull(optarg, NULL, 10);
            break;
        case 'd':
            o->depth = atoi(optarg);
            break;
        case 'i':
            *input = optarg;
            break;
        case 'f':
            *format = optarg;
            break;
        case 'o':
            *output = optarg;
            break;
        case 'C':
            o->cflags = optarg;
            break;
        case 'L':
            o->libs = optarg;
            break;
        case 'j':
            o->jobs = atoi(optarg);
            break;
        case 'v':
            o->verbose++;
            break;
        case 'k':
            o->keep = true;
            break;
        default:
            return usage(NULL);
        }
    }
    if (o->schedules < 0 || o->timeout_ms <= 0 || o->timeout_ms > 600000 ||
        o->depth < 0 || o->depth > 16)
        return usage(N_("scan: -n >= 0, 0 < --timeout <= 600, 0 <= --depth <= 16"));
    if (strcmp(*format, "text") && strcmp(*format, "json"))
        return usage(N_("scan: --format text or json"));
    o->files = (const char *const *)argv + optind;
    o->nfiles = (size_t)(argc - optind);
    return o->nfiles ? 0 : usage(N_("scan needs a C file"));
}

static int cmd_scan(const char *root, int argc, char **argv)
{
    int split = 1;
    while (split < argc && strcmp(argv[split], "--")) split++;
    scan_opts o = {
        .root = root, .schedules = SCAN_SCHEDULES, .timeout_ms = 10000, .seed = 1};
    o.args = split < argc ? (const char *const *)argv + split + 1 : NULL;
    o.nargs = split < argc ? (size_t)(argc - split - 1) : 0;
    const char *format = "text", *output = NULL, *input = NULL;
    int rc = scan_options(split, argv, &o, &format, &output, &input);
    if (rc) return rc;
    char *data = NULL;
    if (input && scan_input(input, &data, &o.stdin_len) < 0) {
        fprintf(stderr, _("grader: cannot read %s\n"), input);
        return EXIT_ERROR;
    }
    o.stdin_data = data;
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, _("grader: cannot write %s\n"), output);
        free(data);
        return EXIT_ERROR;
    }
    o.progress = want_color(stderr) && !o.verbose;
    scan_report *r = scan_execute(&o);
    report_opts ro = {.color = !output && !strcmp(format, "text") && want_color(out),
                      .verbose = o.verbose};
    sbuf text = {0};
    (strcmp(format, "json") ? scan_text : scan_json)(r, &ro, &text);
    fwrite(text.data, 1, text.len, out);
    if (out != stdout) fclose(out);
    sbuf_free(&text);
    rc = scan_exit_status(r);
    scan_report_free(r);
    free(data);
    return rc;
}

/* Runs the command argv[1]; its exit status. */
static int run_command(const char *root, int argc, char **argv)
{
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        printf(_(usage_text), SCAN_SCHEDULES);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("grader %s (spec api %d)\n", GRADER_VERSION, GRADER_API);
        return 0;
    }
    if (!strcmp(cmd, "list")) return cmd_list(root, argc - 1, argv + 1);
    if (!strcmp(cmd, "grade")) return cmd_grade(root, argc - 1, argv + 1);
    if (!strcmp(cmd, "check")) return cmd_check(root, argc - 1, argv + 1);
    if (!strcmp(cmd, "init")) return cmd_init(root, argc - 1, argv + 1);
    if (!strcmp(cmd, "new")) return cmd_new(root, argc - 1, argv + 1);
    if (!strcmp(cmd, "replay")) return cmd_replay(root, argc - 1, argv + 1);
    if (!strcmp(cmd, "batch")) return cmd_batch(root, argc - 1, argv + 1);
    if (!strcmp(cmd, "classroom-template") || !strcmp(cmd, "gradescope-template"))
        return cmd_template(root, argc - 1, argv + 1);
    if (!strcmp(cmd, "scan")) return cmd_scan(root, argc - 1, argv + 1);
    return usage(N_("unknown command"));
}

/* Takes --lang LANG (or --lang=LANG) out of argv, wherever it is before a
 * `--`; returns LANG or NULL. *bad is set when --lang has no value. */
static const char *take_lang(int *argc, char **argv, bool *bad)
{
    const char *lang = NULL;
    int k = 1;
    for (int i = 1; i < *argc; i++) {
        if (!strcmp(argv[i], "--")) {
            while (i < *argc) argv[k++] = argv[i++];
            break;
        }
        if (!strncmp(argv[i], "--lang=", 7))
            lang = argv[i] + 7;
        else if (!strcmp(argv[i], "--lang") && i + 1 < *argc)
            lang = argv[++i];
        else if (!strcmp(argv[i], "--lang"))
            *bad = true;
        else
            argv[k++] = argv[i];
    }
    argv[k] = NULL;
    *argc = k;
    return lang;
}

/* The grader's language from --lang, else the environment; 0 or a usage
 * status (said). */
static int choose_language(const char *root, const char *lang, bool bad)
{
    if (bad) return usage(N_("--lang needs a language: en or pt-BR"));
    if (i18n_init(root ? root : ".", lang) == 0) return 0;
    char *avail = i18n_available();
    fprintf(stderr, _("grader: no messages in '%s' (languages: %s)\n"), lang, avail);
    free(avail);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc > 0 && strchr(argv[0], '/')) program = argv[0];
    bool bad_lang = false;
    const char *lang = take_lang(&argc, argv, &bad_lang);
    lang_given = lang;
    i18n_env_lang();          /* the user's language, before LC_ALL=C below */
    setenv("LC_ALL", "C", 1); /* compilers and tools speak plain ASCII */
    char *root = find_root();
    int rc = choose_language(root, lang, bad_lang);
    if (rc) {
        free(root);
        return rc;
    }
    if (argc < 2)
        rc = usage(NULL);
    else if (!root || !dir_exists(root)) {
        fprintf(stderr,
                _("grader: cannot find the grader's repository (set GRADER_ROOT)\n"));
        rc = EXIT_ERROR;
    } else {
        rc = run_command(root, argc, argv);
    }
    free(root);
    return rc;
}
