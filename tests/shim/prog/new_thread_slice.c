/* Under pct, a slice expires by wall time alone for a thread that was
 * granted the token before it ever ran: sched.c's pct_slice skips the "did
 * it really use its slice" test when the holder's kernel id is not known
 * yet (h->ktid == 0). On a loaded machine a new thread can wait more than a
 * slice (20 ms) for a processor, so it loses the token at once ("slice"
 * event, nondeterministic) and the same seed gives another schedule.
 * Nothing here computes: every thread makes one locked step and ends.
 *   cc -pthread -O1 new_thread_slice.c -o new_thread_slice
 *   for i in $(seq 16); do taskset -c 0 sh -c 'while :; do :; done' & done
 *   STRESS_MODE=pct STRESS_SEED=1 STRESS_TRACE=1 STRESS_OUT=/tmp/s.jsonl \
 *     LD_PRELOAD=build/harness/libstress.so taskset -c 0 ./new_thread_slice
 *   grep -c '"slice"' /tmp/s.jsonl
 * Observed: 0 without the spinners; 111, 168 and 267 in three runs with
 * them (each slice of a thread that had just been created). Expected: 0.
 *   kill %1 %2 ... (the spinners)
 * Seen in grading: `close-get` of the queue exercise gave two schedules for
 * one seed (a slice of T1 at step 1, right after its creation) on a loaded
 * machine. Expected: a holder that has not run yet keeps the token, like a
 * holder that only waits for a processor. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long steps;

static void *step(void *arg)
{
    pthread_mutex_lock(&m);
    steps++;
    pthread_mutex_unlock(&m);
    return arg;
}

int main(void)
{
    for (int round = 0; round < 100; round++) {
        pthread_t t[4];
        for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, step, NULL);
        for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    }
    printf("%ld\n", steps);
    return 0;
}
