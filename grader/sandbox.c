/* sandbox.c - see sandbox.h.
 *
 * Hiding uses a mount namespace: mounts are made private, every hidden
 * directory is covered by an empty tmpfs, and the directories the program
 * keeps are bound again at their own path from descriptors opened before
 * anything was covered (/proc/self/fd/N). mount_setattr then makes the whole
 * tree read-only and clears that flag again on the writable places only,
 * which it makes noexec instead: what a program writes never runs. */
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define UID_BASE  1600000000u /* far above any assigned uid; pid_max is at most 2^22 */
#define MAX_PATHS 16

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define ATTR_RDONLY 0x1ULL /* MOUNT_ATTR_RDONLY */
#define ATTR_NOEXEC 0x8ULL /* MOUNT_ATTR_NOEXEC */

typedef struct mount_attr_v0 {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
} mount_attr_v0;

static const char *const tmp_dirs[] = {"/tmp", "/var/tmp", "/dev/shm"};

/* see sandbox.h */
uid_t sandbox_uid(void)
{
    return sandbox_uid_of(getpid());
}

uid_t sandbox_uid_of(pid_t pid)
{
    return (uid_t)(UID_BASE + (unsigned)pid);
}

pid_t sandbox_fork(int flags)
{
    if (!flags) return fork();
    /* like fork(), in new namespaces: no stack given, the child runs on a
     * copy of ours */
    return (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL,
                          NULL);
}

int sandbox_clone_flags(const sandbox_caps *c, bool with_pid)
{
    if (!c->mount) return 0;
    int f = CLONE_NEWNS | CLONE_NEWUTS;
    if (c->userns) f |= CLONE_NEWUSER;
    if (c->ipc) f |= CLONE_NEWIPC;
    if (c->net) f |= CLONE_NEWNET;
    if (c->pid && with_pid) f |= CLONE_NEWPID;
    return f;
}

/* --- child steps: system calls only ------------------------------------------- */

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Maps our outer uid and gid to themselves in a new user namespace. */
static int ids_map(uid_t uid, gid_t gid)
{
    char line[64];
    if (write_text("/proc/self/setgroups", "deny") < 0 && errno != ENOENT) return -1;
    snprintf(line, sizeof line, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if (write_text("/proc/self/uid_map", line) < 0) return -1;
    snprintf(line, sizeof line, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    return write_text("/proc/self/gid_map", line);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p for an absolute path, in place (path is restored). */
static void make_path(char *path)
{
    for (char *s = path + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        mkdir(path, 0755);
        *s = '/';
    }
    mkdir(path, 0755);
}

/* Binds the directory open as fd at path (created if a hidden tmpfs lost it). */
static int rebind(int fd, const char *path)
{
    char src[64], dst[4096];
    snprintf(src, sizeof src, "/proc/self/fd/%d", fd);
    snprintf(dst, sizeof dst, "%s", path);
    if (!is_dir(dst)) make_path(dst);
    return mount(src, dst, NULL, MS_BIND | MS_REC, NULL);
}

/* Sets the read-only flag of the mount at path (and below it), or clears
 * it: a writable place never runs code (no program, no executable mapping
 * of a file written there). */
static int set_readonly(const char *path, bool on, bool recursive)
{
    mount_attr_v0 a = {.attr_set = on ? ATTR_RDONLY : ATTR_NOEXEC,
                       .attr_clr = on ? 0 : ATTR_RDONLY};
    return (int)syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0,
                        &a, sizeof a);
}

static size_t count(const char *const *v)
{
    size_t n = 0;
    while (v && v[n] && n < MAX_PATHS) n++;
    return n;
}

/* Opens every kept directory before anything is covered (-1 where absent). */
static void open_kept(const char *const *paths, int *fds)
{
    for (size_t i = 0; i < count(paths); i++)
        fds[i] = open(paths[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Covers an existing directory with an empty tmpfs (opts: its options). */
static int cover(const char *path, const char *opts)
{
    if (!is_dir(path)) return 0; /* absent, or already under a hidden one */
    return mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts);
}

/* The writable places get their flag back after everything went read-only. */
static int writable_again(const sandbox_view *v)
{
    if (v->private_tmp)
        for (size_t i = 0; i < ARRAY_LEN(tmp_dirs); i++)
            if (is_dir(tmp_dirs[i]) && set_readonly(tmp_dirs[i], false, false) < 0)
                return -1;
    for (size_t i = 0; i < count(v->write); i++)
        if (set_readonly(v->write[i], false, true) < 0) return -1;
    return 0;
}

/* Builds the view in a fresh mount namespace; *step names a failure. */
static int view_apply(const sandbox_view *v, const char **step)
{
    int keep_fd[MAX_PATHS], write_fd[MAX_PATHS];
    *step = "private mounts";
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return -1;
    open_kept(v->keep, keep_fd);
    open_kept(v->write, write_fd);
    *step = "hiding directories";
    for (size_t i = 0; i < count(v->hide); i++)
        if (cover(v->hide[i], "size=64k,nr_inodes=4096,mode=0755") < 0) return -1;
    *step = "private temporary directories";
    for (size_t i = 0; v->private_tmp && i < ARRAY_LEN(tmp_dirs); i++)
        if (cover(tmp_dirs[i], "size=512m,nr_inodes=65536,mode=1777") < 0) return -1;
    *step = "binding the run's directories";
    for (size_t i = 0; i < count(v->keep); i++)
        if (keep_fd[i] >= 0 &&
            (rebind(keep_fd[i], v->keep[i]) < 0 || close(keep_fd[i]) < 0))
            return -1;
    for (size_t i = 0; i < count(v->write); i++)
        if (write_fd[i] >= 0 &&
            (rebind(write_fd[i], v->write[i]) < 0 || close(write_fd[i]) < 0))
            return -1;
    if (!v->readonly) return 0;
    *step = "read-only file system";
    if (set_readonly("/", true, true) < 0) return -1;
    return writable_again(v);
}

/* A /proc of the new PID namespace over the old one. */
static int proc_mount(void)
{
    return mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* Brings `lo` up in a new network namespace (it starts down). */
static int loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    close(s);
    errno = e;
    return rc;
}

int sandbox_enter(int flags, uid_t outer_uid, gid_t outer_gid, const sandbox_view *v,
                  const char **step)
{
    *step = "user namespace id maps";
    if ((flags & CLONE_NEWUSER) && ids_map(outer_uid, outer_gid) < 0) return -1;
    if ((flags & CLONE_NEWNS) && v && view_apply(v, step) < 0) return -1;
    *step = "a fresh /proc";
    if ((flags & CLONE_NEWPID) && proc_mount() < 0) return -1;
    *step = "loopback interface";
    if ((flags & CLONE_NEWNET) && loopback_up() < 0) return -1;
    return 0;
}

/* --- the probe ------------------------------------------------------------------ */

enum { P_IDS = 1, P_MOUNT = 2, P_RO = 4, P_PROC = 8, P_LO = 16, P_WRITE = 32 };

typedef struct probe_report {
    unsigned bits;
    int err;       /* errno of the first failed step */
    char step[64]; /* the first failed step */
} probe_report;

/* Records the first failed step and its errno. */
static void probe_fail(probe_report *r, const char *step)
{
    if (r->err) return;
    r->err = errno ? errno : EPERM;
    snprintf(r->step, sizeof r->step, "%s", step);
}

/* In the probe's child: every step, as a run would do them, into r. */
static void probe_steps(int flags, uid_t uid, gid_t gid, const char *dir, probe_report *r)
{
    const char *const keep[] = {dir, NULL};
    sandbox_view v = {.write = keep, .private_tmp = true};
    const char *step = "user namespace id maps";
    if (!(flags & CLONE_NEWUSER) || ids_map(uid, gid) == 0)
        r->bits |= P_IDS;
    else
        probe_fail(r, step);
    if ((r->bits & P_IDS) && view_apply(&v, &step) == 0)
        r->bits |= P_MOUNT;
    else
        probe_fail(r, step);
    if ((r->bits & P_MOUNT) && set_readonly("/", true, true) == 0 &&
        writable_again(&v) == 0)
        r->bits |= P_RO;
    else
        probe_fail(r, "read-only file system");
    char file[4200];
    snprintf(file, sizeof file, "%s/probe", dir);
    int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0 && write(fd, "x", 1) == 1)
        r->bits |= P_WRITE;
    else
        probe_fail(r, "writing the run's directory");
    if (fd >= 0) close(fd);
    if ((r->bits & P_MOUNT) && proc_mount() == 0 && access("/proc/self/stat", R_OK) == 0)
        r->bits |= P_PROC;
    else
        probe_fail(r, "a fresh /proc");
    if (loopback_up() == 0)
        r->bits |= P_LO;
    else
        probe_fail(r, "loopback interface");
}

/* Runs probe_steps in a child in new namespaces; -1 (errno set) if none could
 * be made. */
static int probe_run(int flags, probe_report *out)
{
    char *dir = dir_temp("grader-probe");
    if (!dir) return -1;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        dir_remove(dir);
        free(dir);
        return -1;
    }
    uid_t uid = getuid();
    gid_t gid = getgid();
    pid_t pid = sandbox_fork(flags);
    if (pid == 0) {
        probe_report r;
        memset(&r, 0, sizeof r);
        close(p[0]);
        probe_steps(flags, uid, gid, dir, &r);
        if (write(p[1], &r, sizeof r) < 0) _exit(1);
        _exit(0);
    }
    int e = errno;
    close(p[1]);
    ssize_t got = -1;
    if (pid > 0) {
        while ((got = read(p[0], out, sizeof *out)) < 0 && errno == EINTR) {
        }
        while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR) {
        }
    }
    close(p[0]);
    dir_remove(dir);
    free(dir);
    errno = e;
    return pid > 0 && got == (ssize_t)sizeof *out ? 0 : -1;
}

static sandbox_caps caps;
static pthread_once_t probed = PTHREAD_ONCE_INIT;

/* What the probe's steps allow: namespaces only when the mounts, the ids
 * and a write to the run's directory all worked; each extra on its own. */
static void caps_from(const probe_report *r)
{
    caps.mount = (r->bits & (P_IDS | P_MOUNT | P_WRITE)) == (P_IDS | P_MOUNT | P_WRITE);
    caps.ipc = caps.mount;
    caps.readonly = caps.mount && (r->bits & P_RO);
    caps.pid = caps.mount && (r->bits & P_PROC);
    caps.net = caps.mount && (r->bits & P_LO);
    if (r->err) snprintf(caps.why, sizeof caps.why, "%s: %s", r->step, strerror(r->err));
}

/* The probe itself (once per process, see sandbox_probe). */
static void probe_once(void)
{
    caps.root = geteuid() == 0;
    caps.userns = !caps.root;
    const char *off = getenv("GRADER_SANDBOX");
    if (off && !strcmp(off, "off")) {
        snprintf(caps.why, sizeof caps.why, "namespaces turned off (GRADER_SANDBOX=off)");
        return;
    }
    int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID;
    if (caps.userns) flags |= CLONE_NEWUSER;
    probe_report r;
    memset(&r, 0, sizeof r);
    if (probe_run(flags, &r) < 0) {
        snprintf(caps.why, sizeof caps.why, "no namespaces (%s: %s)",
                 caps.userns ? "unprivileged user namespaces are not allowed here"
                             : "clone",
                 strerror(errno));
        return;
    }
    caps_from(&r);
}

const sandbox_caps *sandbox_probe(void)
{
    pthread_once(&probed, probe_once);
    return &caps;
}

char *sandbox_describe(void)
{
    const sandbox_caps *c = sandbox_probe();
    sbuf b = {0};
    if (c->root)
        sbuf_printf(&b, "a dedicated uid per worker (%u + pid)", UID_BASE);
    else if (c->mount && c->userns)
        sbuf_printf(&b,
                    "our own uid, RLIMIT_NPROC counted in a user namespace of its own");
    else
        sbuf_printf(&b, "our own uid, RLIMIT_NPROC above what it already runs");
    if (c->mount) {
        sbuf_printf(&b, "; %snamespaces: mount, ipc, uts%s%s", c->userns ? "user " : "",
                    c->pid ? ", pid" : "", c->net ? ", net (loopback only)" : "");
        sbuf_printf(&b, "; repository and other submissions hidden, private /tmp%s",
                    c->readonly ? ", file system read-only" : "");
    }
    if (*c->why) sbuf_printf(&b, "; left out: %s", c->why);
    return sbuf_take(&b);
}
