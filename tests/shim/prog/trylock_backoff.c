/* Two threads take two mutexes in opposite orders, avoiding deadlock the
 * textbook way: lock the first, trylock the second, and on failure unlock
 * the first and try again. A correct program. Under pct the retrying thread
 * stays the highest-priority enabled thread at its lock, trylock and unlock
 * unless a busy trylock makes it yield (once it has unlocked): every seed
 * must end, with no time slice (tests/shim/run.sh, test_retry_ends). */
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
