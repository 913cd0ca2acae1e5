/* Readers look values up in a table under a read lock while a writer
 * updates it under the write lock.
 * scan-expect: clean
 */
#include <pthread.h>
#include <stdio.h>

#define SIZE 8

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static int table[SIZE];

static void *reader(void *arg)
{
    long seen = 0;
    for (int round = 0; round < 50; round++) {
        pthread_rwlock_rdlock(&table_lock);
        for (int i = 0; i < SIZE; i++) seen += table[i];
        pthread_rwlock_unlock(&table_lock);
    }
    *(long *)arg = seen;
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    for (int round = 0; round < 50; round++) {
        pthread_rwlock_wrlock(&table_lock);
        table[round % SIZE]++;
        pthread_rwlock_unlock(&table_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t r[2], w;
    long seen[2];
    for (int i = 0; i < 2; i++) pthread_create(&r[i], NULL, reader, &seen[i]);
    pthread_create(&w, NULL, writer, NULL);
    for (int i = 0; i < 2; i++) pthread_join(r[i], NULL);
    pthread_join(w, NULL);
    int total = 0;
    for (int i = 0; i < SIZE; i++) total += table[i];
    printf("total = %d\n", total);
    return total == 50 ? 0 : 1;
}
