/* A gigabyte on stdout: the grader keeps 1 MiB and stops the program.
 * outcome: fail
 * kinds: output-limit
 * checks: native=fail stress=fail tsan=fail
 * seconds: 40
 */
#include <string.h>
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    static char block[1 << 16];
    memset(block, 'y', sizeof block);
    for (long i = 0; i < (1L << 30) / (long)sizeof block; i++)
        if (write(1, block, sizeof block) < 0) break;
    return 42;
}
