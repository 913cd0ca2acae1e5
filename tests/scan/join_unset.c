/* scan-expect: error
 *
 * Joins a thread that was never created (a zero pthread_t): the
 * ThreadSanitizer runtime fails an internal CHECK on it. That detector's
 * verdict is missing, and the scan must say so (an error naming it, in
 * text and JSON), never "nothing found". */
#include <pthread.h>
#include <stdio.h>

static pthread_t workers[2];

static void *work(void *arg)
{
    return arg;
}

int main(void)
{
    pthread_create(&workers[0], NULL, work, NULL);
    for (int i = 0; i < 2; i++) pthread_join(workers[i], NULL);
    puts("done");
    return 0;
}
