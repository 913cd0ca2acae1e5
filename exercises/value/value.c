/* value.c - your solution to the `value` exercise.
 *
 * Implement the functions of value.h as described in README.md.
 * Grade it with:   grader grade value .
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "value.h"

struct shared_value {
    long value; /* TODO: and a lock; and this struct must live in shared memory */
};

shared_value_t *value_create(long initial)
{
    (void)initial;
    return NULL; /* TODO */
}

long value_get(shared_value_t *v)
{
    return v->value;
}

void value_set(shared_value_t *v, long x)
{
    v->value = x;
}

long value_add(shared_value_t *v, long delta)
{
    v->value += delta; /* TODO: atomic across processes */
    return v->value;
}

void value_lock(shared_value_t *v)
{
    (void)v; /* TODO */
}

void value_unlock(shared_value_t *v)
{
    (void)v; /* TODO */
}

void value_destroy(shared_value_t *v)
{
    (void)v; /* TODO */
}
