/* A correct submission: the exercise can be passed, so every fail below is
 * the submission's doing.
 * outcome: pass
 * checks: native=pass stress=pass tsan=pass
 * seconds: 30
 */
#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    return 42;
}
