/* A fork bomb: every process forks forever. RLIMIT_NPROC (a uid or user
 * namespace of its own) holds it; the deadline stops the tree.
 * outcome: fail
 * kinds: timeout
 * checks: native=fail stress=fail tsan=fail
 * seconds: 45
 * also: concurrent bystander needs-isolation
 */
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    for (;;) fork();
}
