/* Does not compile.
 * outcome: fail
 * kinds: build-error
 * seconds: 20
 */
#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    return argc +;
}
