/* The queue lives in memory from malloc, which fork copies: each child puts
 * into and gets from its own copy, and the parent never sees a child's
 * messages. The locks are process-shared, but that cannot help when every
 * process has its own.
 * expect-kinds: wrong-result
 * expect-fail: shared
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mpqueue.h"

struct mpqueue {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    size_t cap, size, head, count;
    bool closed;
    char *buf;
};

mpqueue_t *mpq_create(size_t capacity, size_t msg_size)
{
    if (capacity == 0 || msg_size == 0) return NULL;
    mpqueue_t *q = malloc(sizeof *q);
    if (!q) return NULL;
    q->buf = malloc(capacity * msg_size);
    if (!q->buf) {
        free(q);
        return NULL;
    }
    q->cap = capacity;
    q->size = msg_size;
    q->head = q->count = 0;
    q->closed = false;
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&q->lock, &ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_cond_init(&q->not_full, &ca);
    pthread_cond_init(&q->not_empty, &ca);
    return q;
}

int mpq_put(mpqueue_t *q, const void *msg)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == q->cap && !q->closed) pthread_cond_wait(&q->not_full, &q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    memcpy(q->buf + ((q->head + q->count) % q->cap) * q->size, msg, q->size);
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int mpq_get(mpqueue_t *q, void *msg)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->closed) pthread_cond_wait(&q->not_empty, &q->lock);
    if (q->count == 0) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    memcpy(msg, q->buf + q->head * q->size, q->size);
    q->head = (q->head + 1) % q->cap;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

void mpq_close(mpqueue_t *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->not_full);
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

void mpq_destroy(mpqueue_t *q)
{
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    free(q->buf);
    free(q);
}
