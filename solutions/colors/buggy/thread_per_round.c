/* A thread per round of every colour, all started at once: the rounds of
 * one colour are printed in whatever order their threads happen to run.
 * expect-fail: in-order
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLORS 64
#define MAX_ROUNDS 1000

struct painter {
    pthread_t thread;
    char name[64];
    int rounds;
};

struct stroke {
    pthread_t thread;
    const char *name;
    int round;
};

/* Prints one round of one colour. */
static void *paint(void *arg)
{
    const struct stroke *s = arg;
    printf("%s %d\n", s->name, s->round);
    return NULL;
}

/* --rounds N (default 3); -1 when the arguments are wrong. */
static int rounds_of(int argc, char **argv)
{
    if (argc == 1) return 3;
    char *end;
    long n = argc == 3 && !strcmp(argv[1], "--rounds") ? strtol(argv[2], &end, 10) : 0;
    if (argc != 3 || *end || n < 1 || n > MAX_ROUNDS) return -1;
    return (int)n;
}

/* Reads one colour per line (blank lines skipped) into painters; returns
 * how many, or -1 if there are too many or a name is too long. */
static int read_colors(struct painter *painters, int rounds)
{
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        if (n == MAX_COLORS || strlen(line) >= sizeof painters[n].name) return -1;
        strcpy(painters[n].name, line);
        painters[n].rounds = rounds;
        n++;
    }
    return n;
}

int main(int argc, char **argv)
{
    static struct painter painters[MAX_COLORS];
    int rounds = rounds_of(argc, argv);
    int n = rounds < 0 ? -1 : read_colors(painters, rounds);
    if (n < 0) {
        fprintf(stderr, "usage: colors [--rounds N] < colours (one per line; N from 1 to %d; at most %d "
                        "colours of at most 63 characters)\n", MAX_ROUNDS, MAX_COLORS);
        return 2;
    }
    struct stroke *strokes = malloc(sizeof *strokes * (size_t)(n * rounds + 1));
    int k = 0;
    for (int i = 0; i < n; i++)
        for (int r = 1; r <= rounds; r++) {
            strokes[k] = (struct stroke){.name = painters[i].name, .round = r};
            if (pthread_create(&strokes[k].thread, NULL, paint, &strokes[k]) == 0) k++;
        }
    for (int i = 0; i < k; i++) pthread_join(strokes[i].thread, NULL);
    free(strokes);
    printf("done\n");
    return 0;
}
