/* cache.h - build results kept across gradings, keyed by what made them.
 *
 * An entry is a directory named after a digest of its manifest: the text of
 * every input (the files themselves, flags, tool identities). A finished
 * entry holds its manifest file, written last; an entry is a hit only when
 * that manifest equals the caller's byte for byte, so a digest collision is
 * a miss, never a wrong result. Gradings running at the same time, in this
 * process or in others, share entries safely: a reader holds a shared lock,
 * the one builder an exclusive one (flock on ROOT/NAME.lock).
 *
 * The cache lives in $GRADER_CACHE, else $XDG_CACHE_HOME/grader, else
 * $HOME/.cache/grader (those two when the directory is ours), else
 * /tmp/grader-cache-UID; GRADER_CACHE=off turns it off. It must be a
 * directory of ours that nobody else can write. */
#ifndef GRADER_CACHE_H
#define GRADER_CACHE_H

#include "util.h"

typedef struct cache_entry {
    char *dir;   /* the entry's directory (owned) */
    char *name;  /* its name under the root (owned) */
    int lock_fd; /* the entry's lock, held until cache_close */
    bool ready;  /* it holds a finished result */
} cache_entry;

/* The cache directory (created 0700; caller frees), or NULL when it is off
 * or not safely ours. */
char *cache_root(void);

/* Opens the entry for manifest under root; kind prefixes its name. A
 * finished entry with this manifest comes back ready under a shared lock;
 * otherwise an empty directory under an exclusive lock, for the caller to
 * fill and cache_commit. Returns 0, or -1 (e is empty). */
int cache_open(const char *root, const char *kind, const char *manifest, cache_entry *e);

/* Marks e finished with manifest (the caller filled its directory); the
 * lock becomes shared. Returns 0 or -1. */
int cache_commit(cache_entry *e, const char *manifest);

/* Releases e's lock and memory; an unfinished entry's files are removed. */
void cache_close(cache_entry *e);

/* Keeps at most max finished entries under root, removing the least
 * recently used ones that nobody holds. */
void cache_prune(const char *root, size_t max);

/* A 64-bit digest of n bytes, chained from h (FNV-1a). */
uint64_t cache_digest(uint64_t h, const void *data, size_t n);

#endif
