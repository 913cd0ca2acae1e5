/* scan-expect: data-race
 *
 * The reader copies the whole shared struct while main writes one of its
 * fields without a lock, but uses only the other field: at -O1 the copy of
 * the field main writes is dead and optimised away, and the race with it.
 * Scans build at -O0, where the copy reads every field. */
#include <pthread.h>
#include <stdio.h>

struct reading {
    long celsius;
    long taken_at;
};

static struct reading latest = {20, 0};
static long seen;

static void *reader(void *arg)
{
    (void)arg;
    struct reading copy = latest;
    seen = copy.celsius;
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    latest.taken_at = 1;
    pthread_join(t, NULL);
    printf("%ld\n", seen);
    return 0;
}
