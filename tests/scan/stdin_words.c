/* Reads words from standard input and counts them with one thread per
 * line, each adding to a shared total under a lock. It also takes an
 * argument: --min N counts only words of N letters or more.
 * scan-args: --min 3
 * scan-stdin: the quick brown fox\njumps over\nthe lazy dog\n
 * scan-expect: clean
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINES 16

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;
static size_t min_len = 1;

static void *count(void *arg)
{
    char *save = NULL;
    long n = 0;
    for (char *w = strtok_r(arg, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) n += strlen(w) >= min_len;
    pthread_mutex_lock(&lock);
    total += n;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--min")) min_len = (size_t)atoi(argv[2]);
    static char lines[LINES][256];
    pthread_t t[LINES];
    int n = 0;
    while (n < LINES && fgets(lines[n], sizeof lines[n], stdin)) {
        pthread_create(&t[n], NULL, count, lines[n]);
        n++;
    }
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    printf("%ld words\n", total);
    return total == 9 ? 0 : 1;
}
