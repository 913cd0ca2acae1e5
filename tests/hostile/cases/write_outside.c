/* Writes outside its directory: over world-writable canaries in /tmp, the
 * repository and the home directory, and new files next to them.
 * outcome: pass
 * seconds: 30
 * also: needs-mount
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "hostile.h"

static void scribble(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd >= 0) {
        if (write(fd, "pwned\n", 6) < 0) {}
        close(fd);
    }
}

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    const char *canaries[] = {HOSTILE_CANARY_TMP, HOSTILE_CANARY_REPO, HOSTILE_CANARY_HOME};
    for (int i = 0; i < 3; i++) {
        scribble(canaries[i]);
        char moved[4200];
        snprintf(moved, sizeof moved, "%s.moved", canaries[i]);
        rename(canaries[i], moved);
        unlink(canaries[i]);
        char beside[4200];
        snprintf(beside, sizeof beside, "%s-pwned", canaries[i]);
        scribble(beside);
    }
    scribble("/tmp/hostile-pwned");
    scribble("/var/tmp/hostile-pwned");
    scribble("/dev/shm/hostile-pwned");
    scribble(HOSTILE_REPO "/hostile-pwned");
    return 42;
}
