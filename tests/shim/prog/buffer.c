/* A bounded buffer shared by two producers and two consumers.
 *   default      correct: `while` loops, one condition variable per condition
 *   -DUSE_IF     `if` instead of `while` around the waits
 *   -DONE_COND   one condition variable and signal for both conditions
 *   -DPSHARED    the mutex and condition variables are process-shared (as
 *                between processes; run with STRESS_ONE_PROCESS=1)
 * The buffer asserts its invariants; main checks the sum of all items. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

#define CAP       1
#define ITEMS     8
#define PRODUCERS 2
#define CONSUMERS 2

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
#ifndef ONE_COND
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
#endif
static long slots[CAP];
static int count, head;
static long total;

#ifdef ONE_COND
#define NOT_FULL not_empty
#else
#define NOT_FULL not_full
#endif

#ifdef USE_IF
#define WAIT_WHILE if
#else
#define WAIT_WHILE while
#endif

static void put(long v)
{
    pthread_mutex_lock(&m);
    WAIT_WHILE(count == CAP)
    pthread_cond_wait(&NOT_FULL, &m);
    assert(count < CAP);
    slots[(head + count) % CAP] = v;
    count++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&m);
}

static long get(void)
{
    pthread_mutex_lock(&m);
    WAIT_WHILE(count == 0)
    pthread_cond_wait(&not_empty, &m);
    assert(count > 0);
    long v = slots[head];
    head = (head + 1) % CAP;
    count--;
    pthread_cond_signal(&NOT_FULL);
    pthread_mutex_unlock(&m);
    return v;
}

static void *producer(void *arg)
{
    for (long i = 1; i <= ITEMS; i++) put(i);
    return arg;
}

static void *consumer(void *arg)
{
    long sum = 0;
    for (int i = 0; i < ITEMS * PRODUCERS / CONSUMERS; i++) sum += get();
    pthread_mutex_lock(&m);
    total += sum;
    pthread_mutex_unlock(&m);
    return arg;
}

/* Re-initialises the mutex and condition variables as process-shared. */
static void make_pshared(void)
{
#ifdef PSHARED
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&m, &ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_cond_init(&not_empty, &ca);
#ifndef ONE_COND
    pthread_cond_init(&not_full, &ca);
#endif
#endif
}

int main(void)
{
    pthread_t p[PRODUCERS], c[CONSUMERS];
    make_pshared();
    for (int i = 0; i < CONSUMERS; i++) pthread_create(&c[i], NULL, consumer, NULL);
    for (int i = 0; i < PRODUCERS; i++) pthread_create(&p[i], NULL, producer, NULL);
    for (int i = 0; i < PRODUCERS; i++) pthread_join(p[i], NULL);
    for (int i = 0; i < CONSUMERS; i++) pthread_join(c[i], NULL);
    long want = PRODUCERS * (long)ITEMS * (ITEMS + 1) / 2;
    printf("%ld\n", total);
    return total == want ? 0 : 1;
}
