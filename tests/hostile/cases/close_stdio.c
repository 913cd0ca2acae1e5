/* Closes stdin, stdout, stderr and every other descriptor, the driver's
 * result channel included, then claims success.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 */
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    for (int fd = 0; fd < 1024; fd++) close(fd);
    return 42;
}
