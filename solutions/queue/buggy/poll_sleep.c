/* Waits by polling: while the queue is full (or empty) it unlocks, sleeps a
 * millisecond and looks again. Cheap on the CPU, but the thread wakes up a
 * thousand times a second for nothing, and reacts late.
 * expect-kinds: busy-wait
 * expect-fail: no-busy-wait
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "queue.h"

struct queue {
    pthread_mutex_t mutex;
    void **data;
    size_t size;
    size_t count;
    size_t in;
    size_t out;
    bool closed;
};

queue_t *queue_create(size_t capacity)
{
    if (capacity == 0)
        return NULL;
    queue_t *q = malloc(sizeof(queue_t));
    if (!q)
        return NULL;
    q->data = malloc(sizeof(void *) * capacity);
    if (!q->data) {
        free(q);
        return NULL;
    }
    q->size = capacity;
    q->count = q->in = q->out = 0;
    q->closed = false;
    pthread_mutex_init(&q->mutex, NULL);
    return q;
}

int queue_put(queue_t *q, void *item)
{
    pthread_mutex_lock(&q->mutex);
    while (q->count == q->size && !q->closed) {
        /* full: sleep a millisecond, then look again */
        pthread_mutex_unlock(&q->mutex);
        usleep(1000);
        pthread_mutex_lock(&q->mutex);
    }
    if (q->closed) {
        pthread_mutex_unlock(&q->mutex);
        return -1;
    }
    q->data[q->in] = item;
    q->in = (q->in + 1) % q->size;
    q->count++;
    pthread_mutex_unlock(&q->mutex);
    return 0;
}

int queue_get(queue_t *q, void **item)
{
    pthread_mutex_lock(&q->mutex);
    while (q->count == 0 && !q->closed) {
        /* empty: sleep a millisecond, then look again */
        pthread_mutex_unlock(&q->mutex);
        usleep(1000);
        pthread_mutex_lock(&q->mutex);
    }
    if (q->count == 0) {
        pthread_mutex_unlock(&q->mutex);
        return -1;
    }
    *item = q->data[q->out];
    q->out = (q->out + 1) % q->size;
    q->count--;
    pthread_mutex_unlock(&q->mutex);
    return 0;
}

void queue_close(queue_t *q)
{
    pthread_mutex_lock(&q->mutex);
    q->closed = true;
    pthread_mutex_unlock(&q->mutex);
}

size_t queue_size(queue_t *q)
{
    pthread_mutex_lock(&q->mutex);
    size_t n = q->count;
    pthread_mutex_unlock(&q->mutex);
    return n;
}

void queue_destroy(queue_t *q)
{
    pthread_mutex_destroy(&q->mutex);
    free(q->data);
    free(q);
}
