/* Writes the driver's state through extern declarations (its result
 * descriptor, its findings counter, its observers): names of the driver
 * are refused before linking, whatever they are.
 * outcome: fail
 * kinds: build-error
 * seconds: 30
 * also: intake
 */
#include "hostile.h"

extern int result_fd;
extern int nfindings;
extern long drv_forbidden_calls(void);

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    result_fd = -1;
    nfindings = 0;
    return (int)drv_forbidden_calls() + 7;
}
