/* Items handed from a producer to a consumer through a ring of four
 * slots, counted by two semaphores (free slots, filled slots).
 * scan-expect: clean
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#define SLOTS 4
#define ITEMS 20

static sem_t free_slots, filled_slots;
static int ring[SLOTS];

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITEMS; i++) {
        sem_wait(&free_slots);
        ring[i % SLOTS] = i;
        sem_post(&filled_slots);
    }
    return NULL;
}

int main(void)
{
    sem_init(&free_slots, 0, SLOTS);
    sem_init(&filled_slots, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
    long sum = 0;
    for (int i = 0; i < ITEMS; i++) {
        sem_wait(&filled_slots);
        sum += ring[i % SLOTS];
        sem_post(&free_slots);
    }
    pthread_join(t, NULL);
    printf("sum = %ld\n", sum);
    return sum == ITEMS * (ITEMS - 1) / 2 ? 0 : 1;
}
