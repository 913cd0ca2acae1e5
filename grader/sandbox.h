/* sandbox.h - taking away from untrusted code what the platform allows.
 *
 * Student programs (proc_run) and the compiler reading a student's file
 * (proc_tool) get as little as the machine lets us give:
 *   - as root, a user id of their own per grading worker (sandbox_uid): a
 *     kill(-1, ...), a fork bomb or RLIMIT_NPROC then reach that run only,
 *     and file permissions protect everything else;
 *   - PID, network, mount, IPC and UTS namespaces, made as root or, for an
 *     ordinary user, inside an unprivileged user namespace: the program sees
 *     only its own processes, only the loopback interface (up), a private
 *     /tmp, /var/tmp and /dev/shm, the hidden directories (the grader's
 *     repository, other submissions) as empty ones, and the whole file system
 *     read-only but for the directories it is given.
 * sandbox_probe finds out once per process what works here; what does not is
 * left out and sandbox_describe says so. The functions marked "child" run
 * between fork and exec: they make system calls only, never allocate. */
#ifndef GRADER_SANDBOX_H
#define GRADER_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

/* What isolation works in this process (see sandbox_probe). */
typedef struct sandbox_caps {
    bool root;     /* we are root: programs run under a dedicated uid */
    bool userns;   /* namespaces need an unprivileged user namespace */
    bool mount;    /* mount namespace: hidden directories, private /tmp */
    bool pid;      /* PID namespace with a fresh /proc */
    bool net;      /* network namespace with loopback up */
    bool ipc;      /* IPC namespace */
    bool readonly; /* the file system can be made read-only (mount_setattr) */
    char why[256]; /* what is missing and why ("" when nothing is) */
} sandbox_caps;

/* Probes once (a throwaway child tries every step) and caches the answer for
 * this process and the processes it forks afterwards. Never NULL. */
const sandbox_caps *sandbox_probe(void);

/* One line saying what the sandbox does here (caller frees). */
char *sandbox_describe(void);

/* The dedicated user and group id of the programs this process runs (root
 * only): a fixed high base plus our pid, so concurrently running workers,
 * even of different gradings, never share one. */
uid_t sandbox_uid(void);
/* The dedicated uid of process pid (see sandbox_uid). */
uid_t sandbox_uid_of(pid_t pid);

/* The file system a sandboxed child sees. Every path is absolute and
 * canonical; arrays end with NULL; all memory belongs to the caller and must
 * outlive the fork. */
typedef struct sandbox_view {
    const char *const *hide; /* replaced by empty read-only directories */
    const char *const *keep; /* stay visible, read-only (rebound if below a hidden one) */
    const char *const *write; /* stay visible and writable (after keep) */
    bool private_tmp;         /* fresh /tmp, /var/tmp and /dev/shm */
    bool readonly;            /* everything else read-only */
} sandbox_view;

/* The clone flags for the namespaces caps allows; with_pid false leaves out
 * the PID namespace (a compiler needs none). */
int sandbox_clone_flags(const sandbox_caps *c, bool with_pid);

/* fork() into new namespaces (flags from sandbox_clone_flags; 0 is a plain
 * fork). Returns like fork; the child is PID 1 of a new PID namespace when
 * flags has one. */
pid_t sandbox_fork(int flags);

/* Child: makes the namespaces usable: maps our uid and gid in a new user
 * namespace (outer_uid/outer_gid: ids before the fork), then builds view,
 * mounts a fresh /proc (PID namespace) and brings loopback up (network
 * namespace). Returns 0, or -1 with errno set and *step naming what failed. */
int sandbox_enter(int flags, uid_t outer_uid, gid_t outer_gid, const sandbox_view *v,
                  const char **step);

#endif
