/* Finds the driver's internals by name at run time (dlsym) to report the
 * answer it wants: dlsym is refused before linking.
 * outcome: fail
 * kinds: build-error
 * seconds: 30
 * also: intake
 */
#include <dlfcn.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    void (*out)(const char *, const char *, ...) = (void (*)(const char *, const char *, ...))dlsym(RTLD_DEFAULT, "drv_out");
    if (out) out("rc", "%d", 42);
    return 7;
}
