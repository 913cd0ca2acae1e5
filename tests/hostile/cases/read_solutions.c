/* Reads the reference solution, and looks for other gradings' submissions
 * in /tmp: returns 42 only if it found either, so the verdict must be fail.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 * also: needs-mount
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

static int readable(const char *path)
{
    char buf[64];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return n > 0;
}

/* Another grading's copy of a submission under /tmp/grader-* / build-*. */
static int other_submission(void)
{
    DIR *d = opendir("/tmp");
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)) && !found) {
        if (strncmp(e->d_name, "grader-", 7)) continue;
        const char *builds[] = {"build-native/threads.c", "build-tsan/threads.c", "build-native/hostile.c"};
        for (int i = 0; i < 3 && !found; i++) {
            char path[600];
            snprintf(path, sizeof path, "/tmp/%s/%s", e->d_name, builds[i]);
            found = readable(path);
            if (found) printf("read %s\n", path);
        }
    }
    if (d) closedir(d);
    return found;
}

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (readable(HOSTILE_SOLUTION)) {
        printf("read %s\n", HOSTILE_SOLUTION);
        return 42;
    }
    return other_submission() ? 42 : 0;
}
