/* Makes code of its own at run time with only allowed calls: a writable
 * and executable mmap holding "return 42". The driver's seccomp filter
 * refuses such a mapping (nor can any memory be made executable later), so
 * the answer stays wrong.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 * also: intake
 */
#include <string.h>
#include <sys/mman.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
#if defined(__x86_64__)
    static const unsigned char code[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3}; /* mov eax, 42; ret */
#elif defined(__aarch64__)
    static const unsigned char code[] = {0x40, 0x05, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6}; /* mov w0, 42; ret */
#else
    static const unsigned char code[] = {0};
    return 7;
#endif
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 7;
    memcpy(p, code, sizeof code);
    __builtin___clear_cache((char *)p, (char *)p + sizeof code);
    int (*fn)(void) = (int (*)(void))p;
    return fn();
}
