/* Kills its parent, the parent's process group and PID 1: the grader must
 * not be among them.
 * outcome: pass
 * seconds: 30
 * also: bystander needs-isolation
 */
#include <signal.h>
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    pid_t parent = getppid();
    kill(-getpgid(parent), SIGKILL);
    kill(parent, SIGTERM);
    kill(parent, SIGSTOP);
    kill(parent, SIGKILL);
    kill(1, SIGKILL);
    return 42;
}
