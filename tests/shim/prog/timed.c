/* Timed waits nobody ends: a condition wait and a semaphore wait with a
 * 3-second deadline, and a 2-second sleep. Under pct, time jumps once every
 * thread is blocked, so the program ends at once; elsewhere it takes the
 * real time. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static sem_t s;

static struct timespec in_seconds(int n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += n;
    return ts;
}

static void *cond_waiter(void *arg)
{
    struct timespec when = in_seconds(3);
    int rc = 0;
    pthread_mutex_lock(&m);
    while (rc == 0) rc = pthread_cond_timedwait(&c, &m, &when);
    pthread_mutex_unlock(&m);
    *(int *)arg = rc;
    return NULL;
}

int main(void)
{
    int cond_rc = 0;
    pthread_t t;
    sem_init(&s, 0, 0);
    pthread_create(&t, NULL, cond_waiter, &cond_rc);
    struct timespec when = in_seconds(3);
    int sem_rc = sem_timedwait(&s, &when) == -1 ? errno : 0;
    usleep(2000000);
    pthread_join(t, NULL);
    printf("%s %s\n", cond_rc == ETIMEDOUT ? "ETIMEDOUT" : "?",
           sem_rc == ETIMEDOUT ? "ETIMEDOUT" : "?");
    return cond_rc == ETIMEDOUT && sem_rc == ETIMEDOUT ? 0 : 1;
}
