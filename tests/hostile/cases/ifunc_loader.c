/* An ifunc whose resolver runs while the program loads, before any
 * constructor of the driver: it would read the run's secret from its
 * descriptor first. Refused before linking.
 * outcome: fail
 * kinds: build-error
 * score-at-most: 0
 * seconds: 30
 */
#include <unistd.h>

#include "hostile.h"

static char stolen[64];

static int answer(void)
{
    return 7;
}

static int (*resolve(void))(void)
{
    if (read(98, stolen, sizeof stolen - 1) < 0) stolen[0] = 0;
    return answer;
}

int early(void) __attribute__((ifunc("resolve")));

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    return early();
}
