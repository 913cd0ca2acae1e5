/* test_util.c - reading files something untrusted may have made or replaced. */
#include "util.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char *dir;

static void make_dir(void)
{
    dir = dir_temp("grader-test-util");
    cr_assert_not_null(dir);
}

static void remove_dir(void)
{
    dir_remove(dir);
    free(dir);
}

/* dir/name (caller frees). */
static char *at(const char *name)
{
    return path_join(dir, name);
}

/* Reads dir/name with cap; returns the kind seen and frees what was read. */
static file_kind kind_at(const char *name, size_t cap)
{
    char *p = at(name);
    file_kind k = FILE_UNREADABLE;
    size_t len = 99;
    char *text = file_read_untrusted(AT_FDCWD, p, cap, &len, &k);
    cr_assert_eq(text != NULL, k == FILE_REGULAR, "%s: text and kind disagree", name);
    free(text);
    free(p);
    return k;
}

Test(util, untrusted_reads_a_regular_file, .init = make_dir, .fini = remove_dir)
{
    char *p = at("a.c");
    cr_assert_eq(file_write(p, "int x;\n", 7), 0);
    file_kind k;
    size_t len = 0;
    char *text = file_read_untrusted(AT_FDCWD, p, 7, &len, &k);
    cr_assert_eq(k, FILE_REGULAR);
    cr_assert_str_eq(text, "int x;\n");
    cr_assert_eq(len, 7);
    free(text);
    /* relative to a directory descriptor, like a submission inside DIR */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    text = file_read_untrusted(dfd, "a.c", 100, NULL, &k);
    cr_assert_str_eq(text, "int x;\n");
    close(dfd);
    free(text);
    free(p);
}

/* A link is never followed: not to a file, not to /dev/zero. */
Test(util, untrusted_refuses_links, .init = make_dir, .fini = remove_dir)
{
    char *target = at("secret"), *link = at("link"), *zero = at("zero");
    cr_assert_eq(file_write(target, "secret\n", 7), 0);
    cr_assert_eq(symlink(target, link), 0);
    cr_assert_eq(symlink("/dev/zero", zero), 0);
    cr_assert_eq(kind_at("link", 1 << 20), FILE_LINK);
    cr_assert_eq(kind_at("zero", 1 << 20), FILE_LINK);
    free(target), free(link), free(zero);
}

/* A FIFO nobody writes is refused at once, not waited on. */
Test(util, untrusted_refuses_a_fifo_without_waiting, .init = make_dir, .fini = remove_dir,
     .timeout = 5)
{
    char *p = at("tsan.1");
    cr_assert_eq(mkfifo(p, 0600), 0);
    cr_assert_eq(kind_at("tsan.1", 1 << 20), FILE_FIFO);
    free(p);
}

Test(util, untrusted_refuses_other_kinds, .init = make_dir, .fini = remove_dir)
{
    char *d = at("d"), *s = at("s");
    cr_assert_eq(mkdir(d, 0700), 0);
    cr_assert_eq(kind_at("d", 1 << 20), FILE_DIRECTORY);
    cr_assert_eq(kind_at("missing", 1 << 20), FILE_MISSING);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", s);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(kind_at("s", 1 << 20), FILE_SOCKET);
    close(fd);
    file_kind k;
    cr_assert_null(file_read_untrusted(AT_FDCWD, "/dev/null", 100, NULL, &k));
    cr_assert_eq(k, FILE_DEVICE);
    cr_assert_str_eq(file_kind_text(FILE_FIFO), "a named pipe (FIFO)");
    free(d), free(s);
}

/* Over the cap: refused, nothing returned; at the cap: read. */
Test(util, untrusted_caps_the_size, .init = make_dir, .fini = remove_dir)
{
    char *p = at("big");
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    cr_assert_eq(file_write(p, buf, sizeof buf), 0);
    cr_assert_eq(kind_at("big", sizeof buf - 1), FILE_TOO_LARGE);
    cr_assert_eq(kind_at("big", sizeof buf), FILE_REGULAR);
    free(p);
}
