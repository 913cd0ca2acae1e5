/* mpqueue.h - the `mpqueue` exercise: a queue between processes
 * (multiprocessing.Queue). Do not change this file; implement these
 * functions in mpqueue.c. */
#ifndef MPQUEUE_H
#define MPQUEUE_H

#include <stddef.h>

typedef struct mpqueue mpqueue_t;
/* A bounded FIFO of fixed-size messages (msg_size bytes, copied in and out)
 * in shared memory, usable by the creating process and every process forked
 * from it afterwards, from any number of threads in each. */
mpqueue_t *mpq_create(size_t capacity, size_t msg_size); /* NULL if either is 0 or no memory */
int  mpq_put(mpqueue_t *q, const void *msg); /* blocks while full; 0, or -1 if closed */
int  mpq_get(mpqueue_t *q, void *msg);       /* blocks while empty; 0, or -1 once closed AND empty */
void mpq_close(mpqueue_t *q);  /* from any process: wakes every blocked caller in every process */
void mpq_destroy(mpqueue_t *q); /* by the creator, once no other process uses the queue */

#endif
