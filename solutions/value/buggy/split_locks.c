/* value_add is an atomic add that never looks at the lock, so it slips into
 * the middle of another process's compound update (lock, get, set, unlock),
 * whose set then overwrites it.
 * expect-kinds: lost-update
 * expect-fail: excludes compound
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "value.h"

struct shared_value {
    pthread_mutex_t lock; /* recursive, process-shared */
    long value;
};

shared_value_t *value_create(long initial)
{
    shared_value_t *v = mmap(NULL, sizeof *v, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (v == MAP_FAILED) return NULL;
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    int rc = pthread_mutex_init(&v->lock, &a);
    pthread_mutexattr_destroy(&a);
    if (rc != 0) {
        munmap(v, sizeof *v);
        return NULL;
    }
    v->value = initial;
    return v;
}

long value_get(shared_value_t *v)
{
    return __atomic_load_n(&v->value, __ATOMIC_SEQ_CST);
}

void value_set(shared_value_t *v, long x)
{
    __atomic_store_n(&v->value, x, __ATOMIC_SEQ_CST);
}

long value_add(shared_value_t *v, long delta)
{
    return __atomic_add_fetch(&v->value, delta, __ATOMIC_SEQ_CST);
}

void value_lock(shared_value_t *v)
{
    pthread_mutex_lock(&v->lock);
}

void value_unlock(shared_value_t *v)
{
    pthread_mutex_unlock(&v->lock);
}

void value_destroy(shared_value_t *v)
{
    if (!v) return;
    pthread_mutex_destroy(&v->lock);
    munmap(v, sizeof *v);
}
