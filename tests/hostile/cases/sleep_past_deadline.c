/* Sleeps far past the deadline.
 * outcome: fail
 * kinds: timeout
 * checks: native=fail stress=fail tsan=fail
 * seconds: 40
 */
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    sleep(1000);
    return 42;
}
