/* test_cache.c - the build cache: a miss gives an empty entry to fill, a
 * commit makes it a hit for the same manifest only, an unfinished entry
 * leaves nothing, concurrent builders of one entry build it once, and
 * pruning keeps the most recently used entries. */
#include "cache.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *root;

static void make_root(void)
{
    root = dir_temp("cache-test");
}

static void remove_root(void)
{
    dir_remove(root);
    free(root);
}

static void put(const char *dir, const char *name, const char *text)
{
    char *p = path_join(dir, name);
    cr_assert_eq(file_write(p, text, strlen(text)), 0);
    free(p);
}

/* Miss, fill, commit; then a hit with the files; another manifest misses. */
Test(cache, miss_commit_hit, .init = make_root, .fini = remove_root)
{
    cache_entry e;
    cr_assert_eq(cache_open(root, "build", "inputs A", &e), 0);
    cr_assert_not(e.ready);
    put(e.dir, "prog", "binary");
    cr_assert_eq(cache_commit(&e, "inputs A"), 0);
    cache_close(&e);
    cr_assert_eq(cache_open(root, "build", "inputs A", &e), 0);
    cr_assert(e.ready);
    char *p = path_join(e.dir, "prog");
    char *text = file_read(p, NULL);
    cr_assert_str_eq(text, "binary");
    free(text), free(p);
    cache_close(&e);
    cr_assert_eq(cache_open(root, "build", "inputs B", &e), 0);
    cr_assert_not(e.ready);
    cache_close(&e);
}

/* An entry whose builder gave up (no commit) is removed, and misses again. */
Test(cache, unfinished_is_removed, .init = make_root, .fini = remove_root)
{
    cache_entry e;
    cr_assert_eq(cache_open(root, "build", "half", &e), 0);
    char *dir = xstrdup(e.dir);
    put(e.dir, "student.o", "partial");
    cache_close(&e);
    cr_assert_not(dir_exists(dir));
    cr_assert_eq(cache_open(root, "build", "half", &e), 0);
    cr_assert_not(e.ready);
    cache_close(&e);
    free(dir);
}

/* Same digest, other manifest (a collision): a miss, never the other's files. */
Test(cache, manifest_compared_whole, .init = make_root, .fini = remove_root)
{
    cache_entry e;
    cr_assert_eq(cache_open(root, "build", "first", &e), 0);
    cr_assert_eq(cache_commit(&e, "first"), 0);
    char *manifest = path_join(e.dir, "manifest");
    cr_assert_eq(file_write(manifest, "second", 6),
                 0); /* as if "second" had this digest */
    cache_close(&e);
    cr_assert_eq(cache_open(root, "build", "first", &e), 0);
    cr_assert_not(e.ready);
    cache_close(&e);
    free(manifest);
}

/* Four processes want the same entry at once: exactly one builds it. */
Test(cache, one_builder, .init = make_root, .fini = remove_root)
{
    pid_t kids[4];
    for (int i = 0; i < 4; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            cache_entry e;
            if (cache_open(root, "build", "shared", &e) < 0) _exit(2);
            int built = !e.ready;
            if (built) {
                usleep(200000);
                put(e.dir, "prog", "one");
                cache_commit(&e, "shared");
            }
            cache_close(&e);
            _exit(built);
        }
    }
    int builders = 0;
    for (int i = 0; i < 4; i++) {
        int st;
        waitpid(kids[i], &st, 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) < 2);
        builders += WEXITSTATUS(st);
    }
    cr_assert_eq(builders, 1);
}

/* Pruning keeps the most recently used entries. */
Test(cache, prune_least_recent, .init = make_root, .fini = remove_root)
{
    char *dirs[5];
    for (int i = 0; i < 5; i++) {
        char m[16];
        snprintf(m, sizeof m, "entry %d", i);
        cache_entry e;
        cr_assert_eq(cache_open(root, "build", m, &e), 0);
        cache_commit(&e, m);
        dirs[i] = xstrdup(e.dir);
        cache_close(&e);
        char *p = path_join(dirs[i], "manifest");
        struct timespec t[2] = {{1000 + i, 0}, {1000 + i, 0}};
        utimensat(AT_FDCWD, p, t, 0);
        free(p);
    }
    cache_prune(root, 2);
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(dir_exists(dirs[i]), i >= 3, "entry %d", i);
        free(dirs[i]);
    }
}
