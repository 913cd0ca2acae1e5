/* exit(0) from a thread while the main thread still waits for the work.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 */
#include <pthread.h>
#include <stdlib.h>

#include "hostile.h"

static void *quit(void *arg)
{
    (void)arg;
    exit(0);
}

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    pthread_t t;
    pthread_create(&t, NULL, quit, NULL);
    pthread_join(t, NULL);
    return 42;
}
