/* An infinite loop in every thread, the main one included.
 * outcome: fail
 * kinds: timeout
 * checks: native=fail stress=fail tsan=fail
 * seconds: 40
 * also: concurrent
 */
#include <pthread.h>

#include "hostile.h"

static void *spin(void *arg)
{
    volatile long *n = arg;
    for (;;) (*n)++;
    return NULL;
}

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    static volatile long counters[9];
    for (int i = 0; i < 8; i++) {
        pthread_t t;
        pthread_create(&t, NULL, spin, (void *)&counters[i]);
    }
    spin((void *)&counters[8]);
    return 42;
}
