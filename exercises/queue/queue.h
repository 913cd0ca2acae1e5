/* queue.h - the `queue` exercise: a bounded blocking FIFO shared by threads.
 * Do not change this file; implement these functions in queue.c. */
#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>

typedef struct queue queue_t;
queue_t *queue_create(size_t capacity);     /* NULL if capacity == 0 or no memory */
int  queue_put(queue_t *q, void *item);     /* blocks while full; 0, or -1 if closed */
int  queue_get(queue_t *q, void **item);    /* blocks while empty; 0, or -1 once closed AND empty */
void queue_close(queue_t *q);               /* wakes every blocked caller; later puts fail; gets drain */
size_t queue_size(queue_t *q);              /* items held right now */
void queue_destroy(queue_t *q);             /* no caller may be inside the queue */

#endif
