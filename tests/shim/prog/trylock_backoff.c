/* Two threads take two mutexes in opposite orders, avoiding deadlock the
 * textbook way: lock the first, trylock the second, and on failure unlock
 * the first and try again. A correct program (natively it ends at once).
 * Under pct it hangs on some seeds: once a change point drops the thread
 * that holds one mutex below the one retrying, the retrier's lock, trylock
 * (busy) and unlock are all interposed points at which it stays the
 * highest-priority enabled thread, so the holder never runs again; no
 * slice expires, since the retrier reaches interposed points all the time.
 *   for s in 1 2 3 4 5 6 7 8; do STRESS_MODE=pct STRESS_SEED=$s STRESS_DEPTH=3 \
 *     STRESS_STEPS=50 STRESS_OUT=/tmp/s.jsonl LD_PRELOAD=build/harness/libstress.so \
 *     timeout 3 ./trylock_backoff; echo $?; done   # 124 (hung) for seeds 5, 6, 8
 * (with the default STRESS_STEPS=2000: seed 5.)
 * A grader's bank transfer written this way fails every scheduled check
 * with a timeout. Expected: the program ends; e.g. a trylock that finds the
 * mutex busy drops the caller to the lowest priority (as sched_yield does),
 * so the owner runs and releases it. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static long moves;

/* Takes both locks (first, then second, backing off), 20 times. */
static void both(pthread_mutex_t *first, pthread_mutex_t *second)
{
    for (int i = 0; i < 20; i++) {
        for (;;) {
            pthread_mutex_lock(first);
            if (pthread_mutex_trylock(second) == 0) break;
            pthread_mutex_unlock(first);
        }
        moves++;
        pthread_mutex_unlock(second);
        pthread_mutex_unlock(first);
    }
}

static void *other(void *arg)
{
    both(&b, &a);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, other, NULL);
    both(&a, &b);
    pthread_join(t, NULL);
    printf("%ld\n", moves);
    return 0;
}
