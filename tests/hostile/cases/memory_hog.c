/* Allocates and touches memory until it runs out, then uses what malloc
 * refused: the address-space limit (TSan: its RSS limit) stops it before the
 * machine runs out.
 * outcome: fail
 * kinds-any: crash wrong-result timeout
 * checks: native=fail stress=fail tsan=fail
 * seconds: 60
 * also: concurrent
 */
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    for (;;) {
        char *p = malloc(64u << 20);
        memset(p, 1, 64u << 20); /* p == NULL in the end: a crash */
    }
    return 42;
}
