/* Workers add up their share of an array; the split forgets the last
 * element and main's assertion fails on every run.
 * scan-expect: crash
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

#define N 10

static int numbers[N] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

struct share {
    int from, to;
    long sum;
};

static void *add(void *arg)
{
    struct share *s = arg;
    for (int i = s->from; i < s->to; i++) s->sum += numbers[i];
    return NULL;
}

int main(void)
{
    struct share parts[2] = {{0, N / 2, 0}, {N / 2, N - 1, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, add, &parts[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    long total = parts[0].sum + parts[1].sum;
    printf("total = %ld\n", total);
    assert(total == 55);
    return 0;
}
