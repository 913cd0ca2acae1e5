/* Puts the value in shared memory but guards it with a global mutex: after
 * fork every process has its own copy of that mutex, so locking it keeps no
 * other process out.
 * expect-kinds: mutex-misuse
 * expect-fail: shared
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "value.h"

struct shared_value {
    long value;
};

static pthread_mutex_t lock;

shared_value_t *value_create(long initial)
{
    shared_value_t *v = mmap(NULL, sizeof *v, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (v == MAP_FAILED) return NULL;
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&lock, &a);
    pthread_mutexattr_destroy(&a);
    v->value = initial;
    return v;
}

long value_get(shared_value_t *v)
{
    pthread_mutex_lock(&lock);
    long x = v->value;
    pthread_mutex_unlock(&lock);
    return x;
}

void value_set(shared_value_t *v, long x)
{
    pthread_mutex_lock(&lock);
    v->value = x;
    pthread_mutex_unlock(&lock);
}

long value_add(shared_value_t *v, long delta)
{
    pthread_mutex_lock(&lock);
    long x = v->value += delta;
    pthread_mutex_unlock(&lock);
    return x;
}

void value_lock(shared_value_t *v)
{
    (void)v;
    pthread_mutex_lock(&lock);
}

void value_unlock(shared_value_t *v)
{
    (void)v;
    pthread_mutex_unlock(&lock);
}

void value_destroy(shared_value_t *v)
{
    pthread_mutex_destroy(&lock);
    munmap(v, sizeof *v);
}
