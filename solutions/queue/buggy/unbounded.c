/* A linked list that grows without limit: put never waits, so the capacity
 * means nothing and a fast producer can fill all of memory.
 * expect-kinds: invariant
 * expect-fail: put-blocks capacity
 */
#include <pthread.h>
#include <stdlib.h>

#include "queue.h"

struct node {
    void *item;
    struct node *next;
};

struct queue {
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
    struct node *front, *back;
    size_t length;
    int closed;
};

queue_t *queue_create(size_t capacity)
{
    if (capacity == 0) return NULL;
    queue_t *q = calloc(1, sizeof(queue_t));
    if (!q) return NULL;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    return q;
}

int queue_put(queue_t *q, void *item)
{
    struct node *n = malloc(sizeof *n);
    if (!n) return -1;
    n->item = item;
    n->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        free(n);
        return -1;
    }
    if (q->back) q->back->next = n;
    else q->front = n;
    q->back = n;
    q->length++;
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int queue_get(queue_t *q, void **item)
{
    pthread_mutex_lock(&q->lock);
    while (!q->front && !q->closed) pthread_cond_wait(&q->nonempty, &q->lock);
    struct node *n = q->front;
    if (!n) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    q->front = n->next;
    if (!q->front) q->back = NULL;
    q->length--;
    pthread_mutex_unlock(&q->lock);
    *item = n->item;
    free(n);
    return 0;
}

void queue_close(queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

size_t queue_size(queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->length;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void queue_destroy(queue_t *q)
{
    while (q->front) {
        struct node *n = q->front;
        q->front = n->next;
        free(n);
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->nonempty);
    free(q);
}
