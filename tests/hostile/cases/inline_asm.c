/* A system call in inline assembly (no symbol to refuse): assembly of the
 * student's own is refused before linking.
 * outcome: fail
 * kinds: build-error
 * seconds: 30
 * also: intake
 */
#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    long pid = 0;
#if defined(__x86_64__)
    __asm__ volatile("syscall" : "=a"(pid) : "a"(39L) : "rcx", "r11", "memory"); /* getpid */
#else
    __asm__ volatile("" : "+r"(pid));
#endif
    return pid > 0 ? 42 : 7;
}
