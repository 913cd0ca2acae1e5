/* Waits by polling: unlock, sleep a millisecond, lock, look again. It uses
 * little CPU, but wakes up a thousand times a second for nothing and
 * reacts late; the condition variables are there, unused by the waits.
 * expect-kinds: busy-wait
 * expect-fail: no-busy-wait
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mpqueue.h"

struct mpqueue {
    pthread_mutex_t mu;
    pthread_cond_t not_full;  /* signalled when a message leaves */
    pthread_cond_t not_empty; /* signalled when a message arrives */
    size_t capacity, msg_size, head, count;
    size_t bytes;             /* the size of the mapping */
    bool closed;
    unsigned char slots[];    /* capacity messages of msg_size bytes */
};

/* The mapping's size for capacity messages of msg_size bytes; 0 on overflow. */
static size_t mpq_bytes(size_t capacity, size_t msg_size)
{
    if (msg_size > ((size_t)-1 - sizeof(struct mpqueue)) / capacity) return 0;
    return sizeof(struct mpqueue) + capacity * msg_size;
}

/* A queue in shared memory, with process-shared locks; NULL if either size
 * is 0 or memory is short. */
mpqueue_t *mpq_create(size_t capacity, size_t msg_size)
{
    if (capacity == 0 || msg_size == 0) return NULL;
    size_t bytes = mpq_bytes(capacity, msg_size);
    if (bytes == 0) return NULL;
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
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_cond_init(&q->not_full, &ca);
    pthread_cond_init(&q->not_empty, &ca);
    pthread_condattr_destroy(&ca);
    return q;
}

/* Copies msg in at the tail, waiting while the queue is full. 0; or -1
 * (nothing added) if the queue is closed, also when it gets closed while we
 * wait. */
int mpq_put(mpqueue_t *q, const void *msg)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == q->capacity && !q->closed) {
        pthread_mutex_unlock(&q->mu);
        usleep(1000); /* let the others work */
        pthread_mutex_lock(&q->mu);
    }
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    size_t tail = (q->head + q->count) % q->capacity;
    memcpy(q->slots + tail * q->msg_size, msg, q->msg_size);
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

/* Copies the oldest message out into msg, waiting while the queue is empty
 * and open. 0; or -1 once the queue is closed and empty. */
int mpq_get(mpqueue_t *q, void *msg)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->closed) {
        pthread_mutex_unlock(&q->mu);
        usleep(1000); /* let the others work */
        pthread_mutex_lock(&q->mu);
    }
    if (q->count == 0) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    memcpy(msg, q->slots + q->head * q->msg_size, q->msg_size);
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

/* Closes the queue and wakes every waiter of every process: blocked puts
 * fail, blocked gets take what is left or fail. */
void mpq_close(mpqueue_t *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->not_full);
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
}

/* Destroys the locks and unmaps the queue (the creator, once nobody else
 * uses it). */
void mpq_destroy(mpqueue_t *q)
{
    if (!q) return;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    munmap(q, q->bytes);
}
