/* A program in two files: main.c starts a logger (log.c) and reads its
 * line count while the logger thread still writes it, without a lock.
 * scan-expect: data-race
 */
#include <pthread.h>
#include <stdio.h>

void *log_lines(void *arg);
extern int lines_logged;

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, log_lines, NULL);
    int seen = lines_logged;
    pthread_join(t, NULL);
    printf("saw %d of %d lines\n", seen, lines_logged);
    return 0;
}
