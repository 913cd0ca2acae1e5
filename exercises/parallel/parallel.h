/* parallel.h - the `parallel` exercise: CPU-bound work split across cores.
 * Do not change this file; implement parallel_sum in parallel.c. */
#ifndef PARALLEL_H
#define PARALLEL_H

typedef long (*work_fn)(long i);   /* pure, CPU-bound; its cost varies with i */
/* Returns work(0) + work(1) + ... + work(n - 1), computed by `workers`
 * threads that run at the same time. Items are handed out dynamically (a
 * shared next-item counter, or small chunks), so a slow item delays only the
 * worker computing it; each item is computed exactly once. Returns the sum;
 * or -1 with nothing left running if n < 0, workers < 1 or a thread could not
 * be created. n == 0 returns 0 and creates no thread. */
long parallel_sum(work_fn work, long n, int workers);

#endif
