/* queue_close wakes one waiter of each kind with pthread_cond_signal: when
 * several gets (or puts) wait, the others sleep forever.
 * expect-kinds: lost-wakeup
 * expect-fail: close
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "queue.h"

struct queue {
    pthread_mutex_t mutex;
    pthread_cond_t not_full;
    pthread_cond_t not_empty;
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
    pthread_cond_init(&q->not_full, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    return q;
}

int queue_put(queue_t *q, void *item)
{
    pthread_mutex_lock(&q->mutex);
    while (q->count == q->size && !q->closed)
        pthread_cond_wait(&q->not_full, &q->mutex);
    if (q->closed) {
        pthread_mutex_unlock(&q->mutex);
        return -1;
    }
    q->data[q->in] = item;
    q->in = (q->in + 1) % q->size;
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mutex);
    return 0;
}

int queue_get(queue_t *q, void **item)
{
    pthread_mutex_lock(&q->mutex);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->mutex);
    if (q->count == 0) {
        pthread_mutex_unlock(&q->mutex);
        return -1;
    }
    *item = q->data[q->out];
    q->out = (q->out + 1) % q->size;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->mutex);
    return 0;
}

void queue_close(queue_t *q)
{
    pthread_mutex_lock(&q->mutex);
    q->closed = true;
    pthread_cond_signal(&q->not_empty);
    pthread_cond_signal(&q->not_full);
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
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    free(q->data);
    free(q);
}
