/* Maps a terabyte and touches a byte in every 2 MiB of it.
 * outcome: fail
 * kinds-any: crash wrong-result timeout
 * checks: native=fail stress=fail tsan=fail
 * seconds: 60
 */
#include <stddef.h>
#include <sys/mman.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    size_t size = (size_t)1 << 40;
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return 0;
    for (size_t off = 0; off < size; off += (size_t)2 << 20) p[off] = 1;
    return 42;
}
