/* Writes code into a shared-memory file and maps it executable (no
 * writable and executable mapping, only allowed calls): every place a run
 * may write is mounted noexec, so the mapping fails and the answer stays
 * wrong.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * score-at-most: 0
 * seconds: 30
 * also: needs-mount
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

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
    char name[64];
    snprintf(name, sizeof name, "/hostile-code-%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0700);
    if (fd < 0) return 7;
    shm_unlink(name);
    if (ftruncate(fd, 4096) < 0 || write(fd, code, sizeof code) != (ssize_t)sizeof code) return 7;
    void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return 7;
    int (*fn)(void) = (int (*)(void))p;
    return fn();
}
