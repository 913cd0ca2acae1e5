/* Waits with `if` instead of `while`: a woken thread does not check again
 * whether the queue is still full (or still empty). A wake-up without the
 * condition (a spurious one, or one whose item another thread took first)
 * lets a put overwrite a slot of a full queue or a get take from an empty one.
 * expect-kinds: wrong-result
 * expect-fail: stress
 * expect-at: capacity:45 many:61
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "queue.h"

struct queue {
    pthread_mutex_t lock;
    pthread_cond_t has_room, has_items;
    void **buf;
    size_t cap, first, n;
    bool closed;
};

queue_t *queue_create(size_t capacity)
{
    if (capacity == 0) return NULL;
    queue_t *q = malloc(sizeof *q);
    if (!q) return NULL;
    q->buf = malloc(capacity * sizeof(void *));
    if (!q->buf) {
        free(q);
        return NULL;
    }
    q->cap = capacity;
    q->first = q->n = 0;
    q->closed = false;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->has_room, NULL);
    pthread_cond_init(&q->has_items, NULL);
    return q;
}

int queue_put(queue_t *q, void *item)
{
    pthread_mutex_lock(&q->lock);
    if (q->n == q->cap && !q->closed)
        pthread_cond_wait(&q->has_room, &q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    q->buf[(q->first + q->n) % q->cap] = item;
    q->n++;
    pthread_cond_signal(&q->has_items);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int queue_get(queue_t *q, void **item)
{
    pthread_mutex_lock(&q->lock);
    if (q->n == 0 && !q->closed)
        pthread_cond_wait(&q->has_items, &q->lock);
    if (q->n == 0 && q->closed) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    *item = q->buf[q->first];
    q->first = (q->first + 1) % q->cap;
    q->n--;
    pthread_cond_signal(&q->has_room);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

void queue_close(queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->has_room);
    pthread_cond_broadcast(&q->has_items);
    pthread_mutex_unlock(&q->lock);
}

size_t queue_size(queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->n;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void queue_destroy(queue_t *q)
{
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->has_room);
    pthread_cond_destroy(&q->has_items);
    free(q->buf);
    free(q);
}
