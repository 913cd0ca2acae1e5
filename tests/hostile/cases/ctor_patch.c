/* A constructor that makes the driver's code writable and patches
 * drv_finding into a bare `ret`, so that failing checks report nothing:
 * constructors and the calls it needs are refused before linking.
 * outcome: fail
 * kinds: build-error
 * seconds: 30
 * also: intake
 */
#include <stdint.h>
#include <sys/mman.h>

#include "hostile.h"

extern void drv_finding(const char *kind, const char *fmt, ...);

__attribute__((constructor)) static void patch(void)
{
    uintptr_t page = (uintptr_t)drv_finding & ~(uintptr_t)4095;
    if (mprotect((void *)page, 8192, PROT_READ | PROT_WRITE | PROT_EXEC) == 0)
        *(volatile unsigned char *)drv_finding = 0xc3;
}

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    return 7;
}
