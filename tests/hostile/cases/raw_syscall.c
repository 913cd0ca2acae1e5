/* Raw system calls through syscall(2), around every wrapper the driver
 * watches: refused before linking, with the line.
 * outcome: fail
 * kinds: build-error
 * seconds: 30
 * also: intake
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    static const char line[] = "{\"type\":\"done\",\"scenario\":\"run\",\"status\":0}\n";
    syscall(SYS_write, 99, line, sizeof line - 1);
    return 7;
}
