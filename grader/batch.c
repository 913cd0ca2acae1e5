/* batch.c - see batch.h. Each grading runs in a forked worker (itself
 * running its checks in parallel), so one broken submission cannot stop the
 * batch; a worker writes STUDENT.json atomically (temp file + rename), which
 * is what makes the batch resumable. */
#include "batch.h"
#include "i18n.h"
#include "proc.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Runs in the forked worker: grade, write JSON atomically, exit. */
static void worker(const batch_opts *o, const char *student, const char *subdir, int jobs)
{
    grade_opts g = *o->base;
    g.dir = subdir;
    g.jobs = jobs;
    g.progress = false;
    report *r = grade_run(&g);
    sbuf text = {0};
    report_opts ro = {0};
    report_json(r, &ro, &text);
    char *final = report_path(o, student);
    char *tmp = xasprintf("%s.tmp.%d", final, (int)getpid());
    int rc = file_write(tmp, text.data, text.len) == 0 && rename(tmp, final) == 0 ? 0 : 3;
    _exit(rc ? rc : r->outcome == OUTCOME_ERROR ? 2 : 0);
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
        if (v) sbuf_printf(&csv, "%s,%g,%g,%s\n", students[i], json_get_num(v, "score", 0),
                           json_get_num(v, "max_score", 0), json_get_str(v, "outcome") ? json_get_str(v, "outcome") : "error");
        else sbuf_printf(&csv, "%s,0,0,error\n", students[i]);
        json_free(v);
        free(text);
        free(p);
    }
    if (file_write(path, csv.data, csv.len) < 0) fprintf(stderr, "grader: cannot write %s\n", path);
    else printf("wrote %s (%zu students)\n", path, n);
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
        if (dir_exists(sub) && !(abs && out_abs && !strcmp(abs, out_abs))) students[ns++] = xstrdup(names[i]);
        free(abs);
        free(sub);
    }
    free(out_abs);
    strv_free(names, n);
    if (o->list_commands) {
        for (size_t i = 0; i < ns; i++)
            printf("grader grade %s %s/%s --format json --output %s/%s.json --lang %s\n", o->base->exercise,
                   o->dir, students[i], o->out, students[i], i18n_lang());
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
    pid_t *pids = xmalloc(sizeof *pids * (size_t)jobs);
    size_t *who = xmalloc(sizeof *who * (size_t)jobs);
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
            fflush(NULL);
            pid_t p = fork();
            if (p == 0) worker(o, students[i], sub, inner);
            free(sub);
            if (p < 0) {
                failures++, done++;
                continue;
            }
            proc_trust(p, true);
            pids[running] = p;
            who[running++] = i;
        }
        if (!running) break;
        int st;
        pid_t p = wait(&st);
        if (p < 0 && errno == EINTR) continue;
        if (p < 0) { /* ECHILD: our workers are gone, reaped by someone else */
            failures += running, done += (size_t)running;
            running = 0;
            continue;
        }
        for (int k = 0; k < running; k++) {
            if (pids[k] != p) continue;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) failures++;
            done++;
            if (o->progress) bar(done, ns, students[who[k]]);
            proc_trust(p, false);
            pids[k] = pids[--running];
            who[k] = who[running];
            break;
        }
    }
    if (o->progress) fprintf(stderr, "\r\033[K");
    if (skipped) printf("%zu already graded (their reports are newer than their files)\n", skipped);
    write_csv(o, students, ns);
    free(pids);
    free(who);
    strv_free(students, ns);
    return failures ? 2 : 0;
}
