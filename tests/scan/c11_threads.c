/* C11 <threads.h>: threads, a mutex and a condition variable with a
 * predicate, used correctly.
 * scan-expect: clean
 */
#include <stdio.h>
#include <threads.h>

static mtx_t lock;
static cnd_t ready_changed;
static int ready, sum;

static int work(void *arg)
{
    int v = *(int *)arg;
    mtx_lock(&lock);
    while (!ready) cnd_wait(&ready_changed, &lock);
    sum += v;
    mtx_unlock(&lock);
    return 0;
}

int main(void)
{
    mtx_init(&lock, mtx_plain);
    cnd_init(&ready_changed);
    thrd_t t[3];
    int args[3] = {1, 2, 3};
    for (int i = 0; i < 3; i++) thrd_create(&t[i], work, &args[i]);
    mtx_lock(&lock);
    ready = 1;
    cnd_broadcast(&ready_changed);
    mtx_unlock(&lock);
    for (int i = 0; i < 3; i++) thrd_join(t[i], NULL);
    printf("sum = %d\n", sum);
    return sum == 6 ? 0 : 1;
}
