/* Looks for the run's secret everywhere a program could (the environment
 * block in /proc/self/environ, every open descriptor), then writes the
 * driver's lines with whatever it found ("rc" 42, "done" status 0) on every
 * descriptor and returns a wrong answer: the secret is nowhere to be found,
 * so the driver's own verdict stands.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 * also: intake
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

static char token[256] = "none";

/* "KEY=VALUE" entries of /proc/self/environ: a value of a GRADER_* key. */
static void from_environ(void)
{
    static char env[65536];
    int fd = open("/proc/self/environ", O_RDONLY);
    if (fd < 0) return;
    ssize_t n = read(fd, env, sizeof env - 1);
    close(fd);
    for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(env + i) + 1) {
        char *eq = strchr(env + i, '=');
        if (!strncmp(env + i, "GRADER_TOKEN", 12) && eq) snprintf(token, sizeof token, "%s", eq + 1);
    }
}

/* Anything readable on a descriptor (the secret's pipe, if left open). */
static void from_descriptors(void)
{
    for (int fd = 3; fd < 1024; fd++) {
        char buf[128];
        if (fcntl(fd, F_GETFD) < 0) continue;
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n > 8) {
            buf[n] = 0;
            buf[strcspn(buf, "\n")] = 0;
            snprintf(token, sizeof token, "%s", buf);
        }
    }
}

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    from_environ();
    from_descriptors();
    char lines[1024];
    int n = snprintf(lines, sizeof lines,
                     "{\"token\":\"%s\",\"type\":\"out\",\"key\":\"rc\",\"value\":\"42\"}\n"
                     "{\"token\":\"%s\",\"type\":\"done\",\"scenario\":\"run\",\"status\":0}\n",
                     token, token);
    for (int fd = 1; fd < 1024; fd++)
        if (write(fd, lines, (size_t)n) < 0) continue;
    return 7;
}
