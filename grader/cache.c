/* cache.c - see cache.h. */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST "manifest"

uint64_t cache_digest(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    if (!h) h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* Whether path is a real directory of ours that nobody else may write. */
static bool dir_is_private(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
           !(st.st_mode & 022);
}

/* Whether dir exists and is ours (root under `sudo -E` keeps the user's
 * HOME: nothing of root's goes there). */
static bool ours(const char *dir)
{
    struct stat st;
    return dir && *dir && strcmp(dir, "/") && stat(dir, &st) == 0 &&
           st.st_uid == geteuid();
}

char *cache_root(void)
{
    const char *env = getenv("GRADER_CACHE");
    if (env && !strcmp(env, "off")) return NULL;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *dir = env && *env  ? xstrdup(env)
                : ours(xdg)  ? path_join(xdg, "grader")
                : ours(home) ? xasprintf("%s/.cache/grader", home)
                             : xasprintf("/tmp/grader-cache-%u", (unsigned)geteuid());
    if (dir_make(dir) == 0) chmod(dir, 0700);
    if (dir_is_private(dir)) return dir;
    free(dir);
    return NULL;
}

/* Locks ROOT/NAME.lock (LOCK_SH or LOCK_EX); the fd, or -1. Retries when a
 * pruner removed the lock file while we waited for it. */
static int lock_entry(const char *root, const char *name, int how)
{
    char *path = xasprintf("%s/%s.lock", root, name);
    int fd = -1;
    for (int tries = 0; tries < 10 && fd < 0; tries++) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) break;
        struct stat held, now;
        if (flock(fd, how) < 0) {
            close(fd);
            fd = -1;
            break; /* busy (LOCK_NB) or broken */
        }
        if (fstat(fd, &held) < 0 || stat(path, &now) < 0 || held.st_ino != now.st_ino) {
            close(fd);
            fd = -1;
        }
    }
    free(path);
    return fd;
}

/* Whether e's directory holds a finished result made from manifest. */
static bool entry_matches(const cache_entry *e, const char *manifest)
{
    char *path = path_join(e->dir, MANIFEST);
    size_t len = 0;
    char *text = file_read(path, &len);
    bool same = text && len == strlen(manifest) && !memcmp(text, manifest, len);
    if (same) utimensat(AT_FDCWD, path, NULL, 0); /* recently used */
    free(text);
    free(path);
    return same;
}

int cache_open(const char *root, const char *kind, const char *manifest, cache_entry *e)
{
    memset(e, 0, sizeof *e);
    e->lock_fd = -1;
    uint64_t h = cache_digest(0, manifest, strlen(manifest));
    e->name = xasprintf("%s-%016llx", kind, (unsigned long long)h);
    e->dir = path_join(root, e->name);
    e->lock_fd = lock_entry(root, e->name, LOCK_SH);
    if (e->lock_fd >= 0 && entry_matches(e, manifest)) {
        e->ready = true;
        return 0;
    }
    if (e->lock_fd >= 0) close(e->lock_fd);
    e->lock_fd = lock_entry(root, e->name, LOCK_EX);
    if (e->lock_fd < 0) {
        cache_close(e);
        return -1;
    }
    if (entry_matches(e, manifest)) { /* built while we waited */
        flock(e->lock_fd, LOCK_SH);
        e->ready = true;
        return 0;
    }
    dir_remove(e->dir);
    if (mkdir(e->dir, 0700) < 0) {
        cache_close(e);
        return -1;
    }
    return 0;
}

int cache_commit(cache_entry *e, const char *manifest)
{
    char *tmp = path_join(e->dir, MANIFEST ".new");
    char *path = path_join(e->dir, MANIFEST);
    int rc = file_write(tmp, manifest, strlen(manifest)) == 0 && rename(tmp, path) == 0
                 ? 0
                 : -1;
    free(tmp);
    free(path);
    if (rc == 0) {
        e->ready = true;
        flock(e->lock_fd, LOCK_SH);
    }
    return rc;
}

void cache_close(cache_entry *e)
{
    if (e->lock_fd >= 0 && !e->ready && e->dir) dir_remove(e->dir);
    if (e->lock_fd >= 0) close(e->lock_fd);
    free(e->dir);
    free(e->name);
    memset(e, 0, sizeof *e);
    e->lock_fd = -1;
}

typedef struct aged {
    char *name;
    time_t used;
} aged;

/* Oldest use first. */
static int by_use(const void *a, const void *b)
{
    const aged *x = a, *y = b;
    return x->used < y->used ? -1 : x->used > y->used;
}

void cache_prune(const char *root, size_t max)
{
    size_t n = 0;
    char **names = dir_list(root, &n);
    aged *all = xmalloc(sizeof *all * (n + 1));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char *m = xasprintf("%s/%s/" MANIFEST, root, names[i]);
        struct stat st;
        if (stat(m, &st) == 0) all[k++] = (aged){names[i], st.st_mtime};
        free(m);
    }
    qsort(all, k, sizeof *all, by_use);
    for (size_t i = 0; k > max && i < k - max; i++) {
        int fd = lock_entry(root, all[i].name, LOCK_EX | LOCK_NB);
        if (fd < 0) continue; /* in use */
        char *dir = path_join(root, all[i].name);
        char *lock = xasprintf("%s.lock", dir);
        dir_remove(dir);
        unlink(lock);
        close(fd);
        free(lock);
        free(dir);
    }
    free(all);
    strv_free(names, n);
}
