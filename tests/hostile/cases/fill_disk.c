/* Writes one huge file: the file-size limit stops it.
 * outcome: fail
 * kinds-any: crash wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 40
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    static char block[1 << 20];
    memset(block, 'z', sizeof block);
    int fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    for (int i = 0; i < 4096; i++)
        if (write(fd, block, sizeof block) < 0) break;
    return 0;
}
