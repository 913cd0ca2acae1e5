/* mpqueue.c - a correct queue between processes built on semaphores
 * instead of condition variables: `slots` counts free slots, `items` the
 * messages held, a process-shared mutex guards the ring. mpq_close wakes
 * one waiter of each side, and every caller that finds the queue closed
 * posts again before it returns -1, so the wake-up passes from waiter to
 * waiter, in every process. */
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "mpqueue.h"

struct mpqueue {
    pthread_mutex_t mu;
    sem_t slots, items;
    size_t capacity, msg_size, head, count, bytes;
    bool closed;
    unsigned char data[];
};

mpqueue_t *mpq_create(size_t capacity, size_t msg_size)
{
    if (capacity == 0 || msg_size == 0 || msg_size > (1u << 30) / capacity) return NULL;
    size_t bytes = sizeof(struct mpqueue) + capacity * msg_size;
    mpqueue_t *q = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) return NULL;
    q->capacity = capacity;
    q->msg_size = msg_size;
    q->bytes = bytes;
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&q->mu, &ma);
    pthread_mutexattr_destroy(&ma);
    sem_init(&q->slots, 1, (unsigned)capacity);
    sem_init(&q->items, 1, 0);
    return q;
}

/* sem_wait, again after a signal interrupted it. */
static void sem_take(sem_t *s)
{
    while (sem_wait(s) != 0) continue;
}

int mpq_put(mpqueue_t *q, const void *msg)
{
    sem_take(&q->slots);
    pthread_mutex_lock(&q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        sem_post(&q->slots); /* the next waiting put learns it too */
        return -1;
    }
    memcpy(q->data + (q->head + q->count) % q->capacity * q->msg_size, msg, q->msg_size);
    q->count++;
    pthread_mutex_unlock(&q->mu);
    sem_post(&q->items);
    return 0;
}

int mpq_get(mpqueue_t *q, void *msg)
{
    sem_take(&q->items);
    pthread_mutex_lock(&q->mu);
    if (q->count == 0) { /* only after close: the post that woke us came from it */
        pthread_mutex_unlock(&q->mu);
        sem_post(&q->items);
        return -1;
    }
    memcpy(msg, q->data + q->head * q->msg_size, q->msg_size);
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    pthread_mutex_unlock(&q->mu);
    sem_post(&q->slots);
    return 0;
}

void mpq_close(mpqueue_t *q)
{
    pthread_mutex_lock(&q->mu);
    bool was = q->closed;
    q->closed = true;
    pthread_mutex_unlock(&q->mu);
    if (was) return;
    sem_post(&q->items);
    sem_post(&q->slots);
}

void mpq_destroy(mpqueue_t *q)
{
    if (!q) return;
    pthread_mutex_destroy(&q->mu);
    sem_destroy(&q->slots);
    sem_destroy(&q->items);
    munmap(q, q->bytes);
}
