/* #includes a header of the grader's repository: the compiler must not find
 * it, so the build fails.
 * outcome: fail
 * kinds: build-error
 * seconds: 30
 * also: needs-mount
 */
#include "hostile.h"
#include HOSTILE_SECRET_H

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    return SECRET_ANSWER;
}
