/* The logger of multi_file/main.c. */
#include <stdio.h>

int lines_logged;

void *log_lines(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        fprintf(stderr, "log line %d\n", i);
        lines_logged++;
    }
    return NULL;
}
