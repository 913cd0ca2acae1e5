/* value.h - the `value` exercise: a value shared between processes.
 * Do not change this file; implement the functions in value.c. */
#ifndef VALUE_H
#define VALUE_H

typedef struct shared_value shared_value_t;

shared_value_t *value_create(long initial); /* shared with every child forked afterwards */
long value_get(shared_value_t *v);
void value_set(shared_value_t *v, long x);
long value_add(shared_value_t *v, long delta);  /* atomic across processes and threads; returns the new value */
void value_lock(shared_value_t *v);             /* for compound updates, like Value.get_lock() */
void value_unlock(shared_value_t *v);
void value_destroy(shared_value_t *v);

#endif
