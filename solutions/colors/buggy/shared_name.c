/* Reads a colour and starts its thread at once, handing it the one line
 * buffer that the next fgets overwrites: threads print other threads'
 * colours (a data race between main's fgets and the threads' printf).
 * expect-kinds: data-race
 * expect-fail: tsan
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLORS 64

static int rounds = 3;

static void *paint(void *arg)
{
    const char *name = arg;
    for (int round = 1; round <= rounds; round++) printf("%s %d\n", name, round);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--rounds")) rounds = atoi(argv[2]);
    if (argc == 2 || argc > 3 || rounds < 1 || rounds > 1000) {
        fprintf(stderr, "usage: colors [--rounds N] < colours\n");
        return 2;
    }
    pthread_t threads[MAX_COLORS];
    char line[256];
    int n = 0;
    while (n < MAX_COLORS && fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        pthread_create(&threads[n], NULL, paint, line);
        n++;
    }
    for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
    printf("done\n");
    return 0;
}
