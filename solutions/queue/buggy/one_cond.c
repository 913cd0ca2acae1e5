/* Uses one condition variable for both "not full" and "not empty", and
 * pthread_cond_signal: a put's signal meant for a waiting get can wake
 * another put instead, which goes back to sleep; the get sleeps on. With
 * every producer and consumer asleep, nobody is left to signal.
 * expect-kinds: lost-wakeup
 * expect-fail: stress
 */
#include <pthread.h>
#include <stdlib.h>

#include "queue.h"

struct queue {
    pthread_mutex_t m;
    pthread_cond_t changed;
    void **slots;
    size_t capacity, head, tail, count;
    int closed;
};

queue_t *queue_create(size_t capacity)
{
    if (capacity == 0) return NULL;
    queue_t *q = calloc(1, sizeof *q);
    if (q == NULL) return NULL;
    q->slots = calloc(capacity, sizeof *q->slots);
    if (q->slots == NULL) {
        free(q);
        return NULL;
    }
    q->capacity = capacity;
    pthread_mutex_init(&q->m, NULL);
    pthread_cond_init(&q->changed, NULL);
    return q;
}

int queue_put(queue_t *q, void *item)
{
    pthread_mutex_lock(&q->m);
    while (q->count == q->capacity && !q->closed)
        pthread_cond_wait(&q->changed, &q->m);
    if (q->closed) {
        pthread_mutex_unlock(&q->m);
        return -1;
    }
    q->slots[q->tail] = item;
    q->tail = (q->tail + 1) % q->capacity;
    q->count++;
    pthread_cond_signal(&q->changed);
    pthread_mutex_unlock(&q->m);
    return 0;
}

int queue_get(queue_t *q, void **item)
{
    pthread_mutex_lock(&q->m);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->changed, &q->m);
    if (q->count == 0) {
        pthread_mutex_unlock(&q->m);
        return -1;
    }
    *item = q->slots[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    pthread_cond_signal(&q->changed);
    pthread_mutex_unlock(&q->m);
    return 0;
}

void queue_close(queue_t *q)
{
    pthread_mutex_lock(&q->m);
    q->closed = 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->m);
}

size_t queue_size(queue_t *q)
{
    pthread_mutex_lock(&q->m);
    size_t n = q->count;
    pthread_mutex_unlock(&q->m);
    return n;
}

void queue_destroy(queue_t *q)
{
    pthread_mutex_destroy(&q->m);
    pthread_cond_destroy(&q->changed);
    free(q->slots);
    free(q);
}
