/* Raw system interface of the shim: system calls without libc wrappers, the
 * global lock, internal memory and string helpers.
 *
 * Nothing in this file goes through a symbol that the program or a sanitizer
 * runtime could intercept: a sanitizer would otherwise see the shim's own
 * synchronisation as happens-before between the program's threads.
 * memcpy and memset are defined here with hidden visibility so that copies
 * the compiler emits inside the shim never reach an intercepting memcpy.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>

__attribute__((visibility("hidden"))) void *memcpy(void *restrict dst,
                                                   const void *restrict src, size_t n);
__attribute__((visibility("hidden"))) void *memset(void *dst, int c, size_t n);
__attribute__((visibility("hidden"))) void *memmove(void *dst, const void *src, size_t n);

typedef uint64_t __attribute__((may_alias)) word_t;

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    char *d = dst;
    const char *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(word_t *)(void *)d = *(const word_t *)(const void *)s;
    }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    volatile char *d = dst;
    const char *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    char *d = dst;
    if (c == 0 && ((uintptr_t)d & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8) *(word_t *)(void *)d = 0;
    }
    while (n--) *d++ = (char)c;
    return dst;
}

/* Issues system call n with up to six arguments; returns the raw kernel
 * result (a negative errno on failure). */
long sys_call(long n, long a, long b, long c, long d, long e, long f)
{
#if defined(__x86_64__)
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
#else
#error "libstress supports x86_64 and aarch64"
#endif
}

/* Waits while *w == val, at most timeout_ns (negative: no limit).
 * Returns 0 when woken or the value differed, -ETIMEDOUT on timeout. */
int sys_futex_wait(_Atomic unsigned *w, unsigned val, long timeout_ns)
{
    struct timespec ts, *tp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1000000000L;
        ts.tv_nsec = timeout_ns % 1000000000L;
        tp = &ts;
    }
    long r = sys_call(SYS_futex, (long)w, FUTEX_WAIT_PRIVATE, (long)val, (long)tp, 0, 0);
    return r == -ETIMEDOUT ? -ETIMEDOUT : 0;
}

void sys_futex_wake(_Atomic unsigned *w, int n)
{
    sys_call(SYS_futex, (long)w, FUTEX_WAKE_PRIVATE, n, 0, 0, 0);
}

pid_t sys_gettid(void)
{
    return (pid_t)sys_call(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

pid_t sys_getpid(void)
{
    return (pid_t)sys_call(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

pid_t sys_getppid(void)
{
    return (pid_t)sys_call(SYS_getppid, 0, 0, 0, 0, 0, 0);
}

void sys_yield(void)
{
    sys_call(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
}

void sys_sleep_ns(long ns)
{
    struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
    sys_call(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0);
}

/* Current time of clock in nanoseconds (the vDSO through the real
 * clock_gettime, which no sanitizer sees). */
uint64_t sys_now_ns(int clock)
{
    struct timespec ts;
    if (real.clock_gettime)
        real.clock_gettime(clock, &ts);
    else
        sys_call(SYS_clock_gettime, clock, (long)&ts, 0, 0, 0, 0);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

long sys_ts_to_ns(const struct timespec *ts)
{
    if (ts->tv_sec < 0) return 0;
    if (ts->tv_sec > 9000000000L) return 9000000000L * 1000000000L;
    return ts->tv_sec * 1000000000L + ts->tv_nsec;
}

void sys_exit_group(int code)
{
    for (;;) sys_call(SYS_exit_group, code, 0, 0, 0, 0, 0);
}

void sys_park_forever(void)
{
    _Atomic unsigned never = 0;
    for (;;) sys_futex_wait(&never, 0, -1);
}

/* ---- internal memory --------------------------------------------------- */
static _Atomic int alloc_lock;
static char *alloc_cur;
static size_t alloc_left;

static void *sys_map(size_t size)
{
    long p = sys_call(SYS_mmap, 0, (long)size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p < 0 && p > -4096) sys_exit_group(70);
    return (void *)p;
}

/* Returns size zeroed bytes that live until the process ends (the shim never
 * frees its records; they are reused by their owners instead). */
void *sys_alloc(size_t size)
{
    size = (size + 63) & ~(size_t)63;
    if (size >= 256 * 1024) return sys_map(size);
    int expected = 0;
    while (!atomic_compare_exchange_weak(&alloc_lock, &expected, 1)) expected = 0;
    if (alloc_left < size) {
        alloc_cur = sys_map(4 * 1024 * 1024);
        alloc_left = 4 * 1024 * 1024;
    }
    void *p = alloc_cur;
    alloc_cur += size;
    alloc_left -= size;
    atomic_store(&alloc_lock, 0);
    return p;
}

/* ---- the global lock: 0 free, 1 taken, 2 taken with waiters ------------- */
static _Atomic unsigned glock;

void sys_lock(void)
{
    unsigned c = 0;
    if (atomic_compare_exchange_strong(&glock, &c, 1)) return;
    for (int i = 0; i < 64; i++) {
        c = 0;
        if (atomic_compare_exchange_weak(&glock, &c, 1)) return;
#if defined(__x86_64__)
        __asm__ volatile("pause");
#endif
    }
    c = atomic_exchange(&glock, 2);
    while (c != 0) {
        sys_futex_wait(&glock, 2, -1);
        c = atomic_exchange(&glock, 2);
    }
}

void sys_unlock(void)
{
    if (atomic_exchange(&glock, 0) == 2) sys_futex_wake(&glock, 1);
}

/* In a fork child only the forking thread exists: the lock it held is free. */
void sys_lock_reset(void)
{
    atomic_store(&glock, 0);
}

/* ---- strings ----------------------------------------------------------- */
size_t sys_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int sys_streq(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

int sys_startswith(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++) return 0;
    return 1;
}

void sys_copy(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
}

void sys_zero(void *dst, size_t n)
{
    memset(dst, 0, n);
}

void sys_strcpy(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) dst[i] = src[i];
    dst[i] = 0;
}

/* Writes the whole buffer with one write(2); returns 0 on success. */
int sys_write_fd(int fd, const char *buf, size_t n)
{
    long r;
    do r = sys_call(SYS_write, fd, (long)buf, (long)n, 0, 0, 0);
    while (r == -EINTR);
    return r == (long)n ? 0 : -1;
}

/* CPU time a thread of this process has used, in nanoseconds (0 if unknown):
 * the kernel's per-thread CPU clock, addressed by thread id. */
uint64_t sys_thread_cpu_ns(pid_t tid)
{
    clockid_t clock =
        (clockid_t)((~(unsigned)tid << 3) | 4 | 2); /* CPUCLOCK_PERTHREAD | SCHED */
    struct timespec ts;
    if (sys_call(SYS_clock_gettime, clock, (long)&ts, 0, 0, 0, 0) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Whether a thread of this process sleeps in the kernel (state S or D in
 * /proc/self/task/TID/stat): blocked in a call, not waiting for a processor. */
int sys_thread_sleeps(pid_t tid)
{
    char path[64] = "/proc/self/task/", num[16];
    int n = 0;
    for (unsigned v = (unsigned)tid; n == 0 || v; v /= 10)
        num[n++] = (char)('0' + v % 10);
    size_t at = sys_strlen(path);
    while (n) path[at++] = num[--n];
    sys_strcpy(path + at, "/stat", sizeof path - at);
    long fd = sys_call(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0) return 0;
    char buf[256];
    long r = sys_call(SYS_read, fd, (long)buf, sizeof buf - 1, 0, 0, 0);
    sys_call(SYS_close, fd, 0, 0, 0, 0, 0);
    if (r <= 0) return 0;
    buf[r] = 0;
    char *paren = NULL;
    for (char *c = buf; *c; c++)
        if (*c == ')') paren = c;
    return paren && paren[1] == ' ' && (paren[2] == 'S' || paren[2] == 'D');
}
