/* Allocates the value with malloc: after fork every child has its own copy,
 * so what a child changes never reaches the parent or its siblings.
 * expect-kinds: wrong-result
 * expect-fail: shared
 * expect-at: shared:19
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
    shared_value_t *v = malloc(sizeof *v);
    if (!v) return NULL;
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    int rc = pthread_mutex_init(&v->lock, &a);
    pthread_mutexattr_destroy(&a);
    if (rc != 0) {
        free(v);
        return NULL;
    }
    v->value = initial;
    return v;
}

long value_get(shared_value_t *v)
{
    pthread_mutex_lock(&v->lock);
    long x = v->value;
    pthread_mutex_unlock(&v->lock);
    return x;
}

void value_set(shared_value_t *v, long x)
{
    pthread_mutex_lock(&v->lock);
    v->value = x;
    pthread_mutex_unlock(&v->lock);
}

long value_add(shared_value_t *v, long delta)
{
    pthread_mutex_lock(&v->lock);
    long x = v->value += delta;
    pthread_mutex_unlock(&v->lock);
    return x;
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
    free(v);
}
