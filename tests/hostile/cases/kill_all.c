/* kill(-1, SIGKILL): every process the program may signal.
 * outcome: pass
 * seconds: 30
 * also: bystander needs-isolation
 */
#include <signal.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    kill(-1, SIGKILL);
    kill(-1, SIGSTOP);
    return 42;
}
