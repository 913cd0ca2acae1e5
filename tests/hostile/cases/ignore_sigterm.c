/* Ignores SIGTERM (and every signal it can) and never ends.
 * outcome: fail
 * kinds: timeout
 * checks: native=fail stress=fail tsan=fail
 * seconds: 40
 */
#include <signal.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    for (int s = 1; s < NSIG; s++) signal(s, SIG_IGN);
    for (volatile long n = 0;; n++) {}
    return 42;
}
