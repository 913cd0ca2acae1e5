/* Defines write() itself, so that the driver's own result lines pass
 * through it: it drops the findings and lets the rest through writev. A
 * definition of a C library name is refused before linking.
 * outcome: fail
 * kinds: build-error
 * score-at-most: 0
 * seconds: 30
 */
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hostile.h"

ssize_t write(int fd, const void *buf, size_t n)
{
    if (memmem(buf, n, "\"finding\"", 9)) return (ssize_t)n;
    struct iovec v = {(void *)buf, n};
    return writev(fd, &v, 1);
}

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    return 7;
}
