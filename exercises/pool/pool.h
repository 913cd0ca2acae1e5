/* pool.h - the `pool` exercise: a pool of worker processes.
 * Do not change this file; implement pool_map in pool.c. */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>

typedef long (*pool_fn)(long);

/* out[i] = fn(in[i]) for every i in [0, n), computed in child processes made
 * with fork(): `workers` of them (or n if fewer) working at the same time.
 * Returns 0; or -1 if a worker crashed, exited non-zero or could not be
 * created. Returns with no child process left (no zombie) and no descriptor
 * left open. */
int pool_map(pool_fn fn, const long *in, long *out, size_t n, int workers);

#endif
