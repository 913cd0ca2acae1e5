/* setsid and a double fork to leave the process group, and a daemon left
 * behind: the grade is the work's, and the daemon is gone afterwards.
 * outcome: pass
 * seconds: 30
 * also: daemon
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    pid_t child = fork();
    if (child == 0) {
        setsid();
        if (fork() == 0) {
            setpgid(0, 0);
            execl("/bin/sleep", "sleep", HOSTILE_DAEMON_MARK, (char *)NULL);
            _exit(1);
        }
        _exit(0);
    }
    waitpid(child, NULL, 0);
    return 42;
}
