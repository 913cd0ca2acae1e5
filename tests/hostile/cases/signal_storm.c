/* A storm of SIGUSR1 at itself, its process group, its parent and everyone
 * it may signal, for a second, with a handler of its own; then the answer.
 * outcome: pass
 * seconds: 30
 * also: bystander needs-isolation
 */
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
    (void)sig;
    got++;
}

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    signal(SIGUSR1, on_usr1);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        kill(getpid(), SIGUSR1);
        kill(0, SIGUSR1);
        kill(getppid(), SIGUSR1);
        kill(-1, SIGUSR1);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec - start.tv_sec < 1);
    return got > 0 ? 42 : 0;
}
