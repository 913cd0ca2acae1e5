/* batch.c - see batch.h. Each grading runs in a forked worker (itself
 * running its checks in parallel), so one broken submission cannot stop the
 * batch; a worker writes STUDENT.json atomically (temp file + rename), which
 * is what makes the batch resumable. */
#include "batch.h"
#include "i18n.h"
#include "proc.h"
#include "report.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Past a grading's own deadline, how long before its worker is stopped from
 * here: a quarter of the deadline, between 10 s and a minute (the grading
 * itself needs a second or two to stop its checks and write its report). */
static int64_t grace_ms(int64_t deadline_ms)
{
    int64_t g = deadline_ms / 4;
    return g < 10000 ? 10000 : g > 60000 ? 60000 : g;
}

static int64_t mtime_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_mtime : -1;
}

/* The newest file time below a submission folder (one level deep). */
static int64_t submission_time(const char *dir)
{
    int64_t newest = mtime_of(dir);
    size_t n;
    char **names = dir_list(dir, &n);
    for (size_t i = 0; i < n; i++) {
        char *p = path_join(dir, names[i]);
        int64_t t = mtime_of(p);
        if (t > newest) newest = t;
        free(p);
    }
    strv_free(names, n);
    return newest;
}

static char *report_path(const batch_opts *o, const char *student)
{
    return xasprintf("%s/%s.json", o->out, student);
}

static bool graded_already(const batch_opts *o, const char *student, const char *subdir)
{
    char *p = report_path(o, student);
    bool done = mtime_of(p) >= submission_time(subdir) && mtime_of(p) >= 0;
    free(p);
    return done;
}

/* Writes r as out/STUDENT.json atomically (temp file + rename): 0 or -1. */
static int report_save(const batch_opts *o, const char *student, const report *r)
{
    sbuf text = {0};
    report_opts ro = {0};
    report_json(r, &ro, &text);
    char *final = report_path(o, student);
    char *tmp = xasprintf("%s.tmp.%d", final, (int)getpid());
    int rc =
        file_write(tmp, text.data, text.len) == 0 && rename(tmp, final) == 0 ? 0 : -1;
    if (rc < 0) unlink(tmp);
    sbuf_free(&text);
    free(final);
    free(tmp);
    return rc;
}

/* The grading options of one student's folder: never through a link. */
static grade_opts student_opts(const batch_opts *o, const char *subdir)
{
    grade_opts g = *o->base;
    g.dir = subdir;
    g.progress = false;
    g.strict_dir = true;
    return g;
}

/* Runs in the forked worker: grade, write JSON atomically, exit. Its
 * temporary files go under scratch (which the batch removes, whatever
 * becomes of the worker). */
static void worker(const batch_opts *o, const char *student, const char *subdir, int jobs,
                   const char *scratch)
{
    if (scratch) setenv("TMPDIR", scratch, 1);
    grade_opts g = student_opts(o, subdir);
    g.jobs = jobs;
    report *r = grade_run(&g);
    int rc = report_save(o, student, r) == 0 ? 0 : 3;
    _exit(rc ? rc : r->outcome == OUTCOME_ERROR ? 2 : 0);
}

/* A worker that ended without its report (it hung past its deadline and
 * was stopped, or it died): the student's report says so, with outcome oc. */
static void report_instead(const batch_opts *o, const char *student, outcome oc,
                           const char *why)
{
    char *sub = path_join(o->dir, student);
    grade_opts g = student_opts(o, sub);
    report *r = grade_unfinished(&g, oc, why);
    if (report_save(o, student, r) < 0)
        fprintf(stderr, "grader: cannot write the report of %s\n", student);
    report_free(r);
    free(sub);
}

/* One grading worker in progress. */
typedef struct batch_slot {
    pid_t pid;
    size_t who;      /* index of the student */
    int64_t started; /* now_ms() */
    char *scratch;   /* its temporary directory (owned), or NULL */
} batch_slot;

/* A directory of its own under the batch's for a worker's temporary files
 * (runs' users must traverse it as root: 0711), or NULL. */
static char *scratch_make(const char *batch_tmp, size_t i)
{
    if (!batch_tmp) return NULL;
    char *d = xasprintf("%s/%zu", batch_tmp, i);
    if (mkdir(d, 0711) < 0 || chmod(d, 0711) < 0) {
        free(d);
        return NULL;
    }
    return d;
}

/* A worker ended with status st (or was stopped past its deadline, when
 * overdue): makes sure its student has a report. Returns true when the
 * grading could not finish (counted as a failure of the batch). */
static bool worker_ended(const batch_opts *o, const char *student, int st, bool overdue,
                         int64_t limit_ms)
{
    if (overdue) {
        char *why = xasprintf(
            _("the grading did not end within its deadline of %d s and was stopped with "
              "everything it ran"),
            (int)(limit_ms / 1000));
        report_instead(o, student, OUTCOME_FAIL, why);
        free(why);
        return false;
    }
    if (WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 2))
        return WEXITSTATUS(st) != 0;
    char *why = WIFSIGNALED(st) ? xasprintf(_("the grading of this folder stopped "
                                              "without a report (signal %d); grade it "
                                              "alone to see why: grader grade %s DIR"),
                                            WTERMSIG(st), o->base->exercise)
                                : xasprintf(_("the grading of this folder stopped "
                                              "without a report (status %d); grade it "
                                              "alone to see why: grader grade %s DIR"),
                                            WEXITSTATUS(st), o->base->exercise);
    report_instead(o, student, OUTCOME_ERROR, why);
    free(why);
    return true;
}

static void bar(size_t done, size_t total, const char *last)
{
    int width = 30, fill = total ? (int)(done * (size_t)width / total) : width;
    fprintf(stderr, "\r\033[K[");
    for (int i = 0; i < width; i++) fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %zu/%zu %s", done, total, last ? last : "");
}

/* scores.csv from every STUDENT.json present. */
static void write_csv(const batch_opts *o, char **students, size_t n)
{
    char *path = xasprintf("%s/scores.csv", o->out);
    sbuf csv = {0};
    sbuf_puts(&csv, "student,score,max_score,outcome\n");
    for (size_t i = 0; i < n; i++) {
        char *p = report_path(o, students[i]);
        size_t len;
        char *text = file_read(p, &len);
        json_value *v = text ? json_parse(text, len, NULL) : NULL;
        if (v)
            sbuf_printf(&csv, "%s,%g,%g,%s\n", students[i], json_get_num(v, "score", 0),
                        json_get_num(v, "max_score", 0),
                        json_get_str(v, "outcome") ? json_get_str(v, "outcome")
                                                   : "error");
        else
            sbuf_printf(&csv, "%s,0,0,error\n", students[i]);
        json_free(v);
        free(text);
        free(p);
    }
    if (file_write(path, csv.data, csv.len) < 0)
        fprintf(stderr, "grader: cannot write %s\n", path);
    else
        printf("wrote %s (%zu students)\n", path, n);
    sbuf_free(&csv);
    free(path);
}

int batch_run(const batch_opts *o)
{
    size_t n;
    char **names = dir_list(o->dir, &n);
    if (!names) {
        fprintf(stderr, "grader: cannot read %s\n", o->dir);
        return 2;
    }
    char **students = xmalloc(sizeof *students * (n + 1));
    size_t ns = 0;
    char *out_abs = path_abs(o->out);
    for (size_t i = 0; i < n; i++) {
        char *sub = path_join(o->dir, names[i]);
        char *abs = path_abs(sub);
        /* the reports' own folder may live among the submissions */
        if (dir_exists(sub) && !(abs && out_abs && !strcmp(abs, out_abs)))
            students[ns++] = xstrdup(names[i]);
        free(abs);
        free(sub);
    }
    free(out_abs);
    strv_free(names, n);
    if (o->list_commands) {
        for (size_t i = 0; i < ns; i++)
            printf("grader grade %s %s/%s --format json --output %s/%s.json --lang %s\n",
                   o->base->exercise, o->dir, students[i], o->out, students[i],
                   i18n_lang());
        strv_free(students, ns);
        return 0;
    }
    if (dir_make(o->out) < 0) {
        fprintf(stderr, "grader: cannot create %s\n", o->out);
        strv_free(students, ns);
        return 2;
    }
    int jobs = o->jobs > 0 ? o->jobs : 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int inner = cpus > jobs ? (int)(cpus / jobs) : 1;
    /* a grading ends by its own deadline; past it and a grace, its worker
     * is stopped from here, with everything it started */
    int64_t deadline = grade_deadline_ms(o->base->root, o->base->exercise);
    int64_t limit = deadline + grace_ms(deadline);
    proc_subreaper();
    char *batch_tmp = dir_temp("grader-batch");
    if (batch_tmp && chmod(batch_tmp, 0711) < 0)
        fprintf(stderr, "grader: cannot open %s to the runs\n", batch_tmp);
    batch_slot *slots = xmalloc(sizeof *slots * (size_t)jobs);
    int running = 0, failures = 0;
    size_t next = 0, done = 0, skipped = 0;
    while (next < ns || running) {
        while (running < jobs && next < ns) {
            size_t i = next++;
            char *sub = path_join(o->dir, students[i]);
            if (graded_already(o, students[i], sub)) {
                skipped++, done++;
                free(sub);
                continue;
            }
            char *scratch = scratch_make(batch_tmp, i);
            fflush(NULL);
            pid_t p = fork();
            if (p == 0) worker(o, students[i], sub, inner, scratch);
            free(sub);
            if (p < 0) {
                failures++, done++;
                if (scratch) dir_remove(scratch);
                free(scratch);
                continue;
            }
            proc_trust(p, true);
            slots[running++] = (batch_slot){p, i, now_ms(), scratch};
        }
        if (!running) break;
        poll(NULL, 0, 100);
        for (int k = 0; k < running; k++) {
            int st = 0;
            batch_slot *s = &slots[k];
            bool overdue = false;
            int r = proc_wait_trusted(s->pid, &st, false);
            if (r == 0 && now_ms() - s->started > limit) {
                proc_kill_worker(s->pid, &st);
                overdue = true;
            } else if (r == 0) {
                continue;
            } else {
                proc_trust(s->pid, false);
            }
            /* r < 0: reaped by someone else, its status unknown */
            failures +=
                worker_ended(o, students[s->who], r < 0 ? 0 : st, overdue, deadline);
            /* nothing of a worker outlives it: what it left running, then its files */
            proc_kill_orphans();
            if (s->scratch) dir_remove(s->scratch);
            free(s->scratch);
            done++;
            if (o->progress) bar(done, ns, students[s->who]);
            slots[k--] = slots[--running];
        }
        /* orphans of workers that ended (we are their subreaper); a worker
         * reaped here keeps its status for the next round */
        int st;
        pid_t q;
        while ((q = waitpid(-1, &st, WNOHANG)) > 0)
            for (int k = 0; k < running; k++)
                if (slots[k].pid == q) proc_note_exit(q, st);
    }
    if (o->progress) fprintf(stderr, "\r\033[K");
    if (skipped)
        printf("%zu already graded (their reports are newer than their files)\n",
               skipped);
    write_csv(o, students, ns);
    free(slots);
    if (batch_tmp) dir_remove(batch_tmp);
    free(batch_tmp);
    strv_free(students, ns);
    return failures ? 2 : 0;
}
