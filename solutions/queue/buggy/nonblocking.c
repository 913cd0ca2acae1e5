/* Never waits: put on a full queue and get on an empty one return -1 at
 * once, as if "try again later" were the caller's problem. The callers then
 * lose items (or loop around the call themselves).
 * expect-kinds: wrong-result
 * expect-fail: put-blocks get-blocks
 */
#include <pthread.h>
#include <stdlib.h>

#include "queue.h"

struct queue {
    pthread_mutex_t m;
    void **ring;
    size_t cap, head, count;
    int closed;
};

queue_t *queue_create(size_t capacity)
{
    if (capacity == 0) return NULL;
    queue_t *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->ring = calloc(capacity, sizeof *q->ring);
    if (!q->ring) {
        free(q);
        return NULL;
    }
    q->cap = capacity;
    pthread_mutex_init(&q->m, NULL);
    return q;
}

int queue_put(queue_t *q, void *item)
{
    int rc = -1;
    pthread_mutex_lock(&q->m);
    if (!q->closed && q->count < q->cap) {
        q->ring[(q->head + q->count) % q->cap] = item;
        q->count++;
        rc = 0;
    }
    pthread_mutex_unlock(&q->m);
    return rc;
}

int queue_get(queue_t *q, void **item)
{
    int rc = -1;
    pthread_mutex_lock(&q->m);
    if (q->count > 0) {
        *item = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        rc = 0;
    }
    pthread_mutex_unlock(&q->m);
    return rc;
}

void queue_close(queue_t *q)
{
    pthread_mutex_lock(&q->m);
    q->closed = 1;
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
    free(q->ring);
    free(q);
}
