/* queue.c - your solution to the `queue` exercise.
 *
 * Implement the bounded blocking queue described in queue.h and README.md.
 * Grade it with:   grader grade queue .
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "queue.h"

struct queue {
    /* TODO: a ring of `capacity` slots, a mutex, and a condition variable
     * for each condition a caller can wait for. */
    size_t capacity;
};

queue_t *queue_create(size_t capacity)
{
    (void)capacity;
    /* TODO */
    return NULL;
}

int queue_put(queue_t *q, void *item)
{
    (void)q;
    (void)item;
    /* TODO: wait while the queue is full and open; fail once it is closed. */
    return -1;
}

int queue_get(queue_t *q, void **item)
{
    (void)q;
    (void)item;
    /* TODO: wait while the queue is empty and open; fail once it is closed and empty. */
    return -1;
}

void queue_close(queue_t *q)
{
    (void)q;
    /* TODO: mark the queue closed and wake every waiting caller. */
}

size_t queue_size(queue_t *q)
{
    (void)q;
    /* TODO */
    return 0;
}

void queue_destroy(queue_t *q)
{
    (void)q;
    /* TODO */
}
