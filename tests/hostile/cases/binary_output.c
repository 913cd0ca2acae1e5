/* Binary bytes (NUL, invalid UTF-8, terminal escapes) on stdout and stderr:
 * the reports stay valid.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 */
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    unsigned char bytes[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (unsigned char)((x = x * 1103515245u + 12345u) >> 16);
    const char tricky[] = "\0\xff\xfe\xc3\x28\x1b[2J\x1b]0;pwned\x07\r\"}\n";
    for (int k = 0; k < 16; k++) {
        if (write(1, tricky, sizeof tricky) < 0 || write(2, tricky, sizeof tricky) < 0) break;
        if (write(1, bytes, sizeof bytes) < 0 || write(2, bytes, sizeof bytes) < 0) break;
    }
    return 0;
}
