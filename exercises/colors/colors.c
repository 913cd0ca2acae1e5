/* colors.c - your solution to the `colors` exercise (a whole program).
 *
 * Read README.md. Reading the arguments and the colours is done for you;
 * start one thread per colour, let each print its rounds, wait for them
 * all, then print "done".
 * Grade it with:   grader grade colors .
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

/* The start function of a colour's thread: prints "NAME ROUND" for every
 * round, 1 to rounds, one line each. */
void *paint(void *arg)
{
    struct painter *p = arg;
    (void)p;
    /* TODO: print this colour's rounds */
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
    /* TODO: start one thread per colour (paint, &painters[i]), all of them
     * first, then wait for every one of them. */
    printf("done\n");
    return 0;
}
