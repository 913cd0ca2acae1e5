/* Unbounded recursion.
 * outcome: fail
 * kinds-any: crash wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 */
#include "hostile.h"

static int deeper(volatile char *above, int n)
{
    volatile char frame[512];
    frame[0] = above ? above[0] : 1;
    return deeper(frame, n + 1) + frame[0];
}

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    return deeper(0, 0);
}
