/* A worker finds that its input is bad and calls abort().
 * scan-expect: crash
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *parse(void *arg)
{
    const char *text = arg;
    char *end;
    long v = strtol(text, &end, 10);
    if (*end) {
        fprintf(stderr, "bad number: %s\n", text);
        abort();
    }
    return (void *)v;
}

int main(void)
{
    const char *inputs[] = {"12", "7x"};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, parse, (void *)inputs[i]);
    long sum = 0;
    for (int i = 0; i < 2; i++) {
        void *v;
        pthread_join(t[i], &v);
        sum += (long)v;
    }
    printf("sum = %ld\n", sum);
    return 0;
}
