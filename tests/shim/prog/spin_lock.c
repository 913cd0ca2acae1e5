/* A waiter that spins through lock/unlock instead of waiting on a condition
 * variable: main locks, looks at a flag the child sets, unlocks, and again.
 * Under pct main keeps the token at every lock and unlock while it has the
 * higher priority, so the child runs only because a thread passing many
 * points in a row while others could run yields: every seed must end, with
 * no time slice (tests/shim/run.sh, test_retry_ends). */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int flag;

static void *setter(void *arg)
{
    pthread_mutex_lock(&m);
    flag = 1;
    pthread_mutex_unlock(&m);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, setter, NULL);
    for (;;) {
        pthread_mutex_lock(&m);
        int seen = flag;
        pthread_mutex_unlock(&m);
        if (seen) break;
    }
    pthread_join(t, NULL);
    puts("ok");
    return 0;
}
