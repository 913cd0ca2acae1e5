/* Points stdin, stdout, stderr and the result channel at /dev/null and a
 * file of its own, then claims success.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 */
#include <fcntl.h>
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    int null = open("/dev/null", O_RDWR);
    int file = open("captured", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(null, 0);
    dup2(file, 1);
    dup2(file, 2);
    for (int fd = 3; fd < 1024; fd++)
        if (fd != null && fd != file) dup2(null, fd);
    return 42;
}
