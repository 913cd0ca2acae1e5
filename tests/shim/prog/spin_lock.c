/* A waiter that spins through lock/unlock instead of waiting on a condition
 * variable: main locks, looks at a flag the child sets, unlocks, and again.
 * Natively it ends at once. Under pct it hangs whenever main keeps the
 * higher priority: every lock and unlock is an interposed point at which
 * main, the highest-priority enabled thread, keeps the token, so the child
 * never runs; no slice expires, since main reaches interposed points all
 * the time. Only a change point rescues it.
 *   depth 1 (no change points; the depth of the grader's step calibration
 *   run): hangs on 5 of seeds 1-6 (all but seed 5):
 *     STRESS_MODE=pct STRESS_SEED=1 STRESS_DEPTH=1 STRESS_OUT=/tmp/s.jsonl \
 *     LD_PRELOAD=build/harness/libstress.so timeout 10 ./spin_lock; echo $?  # 124
 *   depth 3: ends here (a change point drops main), but with several such
 *   spinners (a queue whose gets and puts both spin, 2 producers and 2
 *   consumers) every seed tried hung once the change points were used up.
 * So a student's spinning wait costs a whole run timeout in every pct run
 * (twice: the calibration run too). Expected: the program ends, e.g. a
 * thread that takes the same free mutex again with nothing else happening
 * in between drops to the lowest priority, as for sched_yield. */
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
