/* The enabled threads of pct mode (NEW, READY, RUN) in a binary max-heap
 * ordered by priority (ties: the older thread first), so the scheduler
 * finds the thread to run at once and updates it in O(log n). A thread's
 * heap_pos is its index + 1, 0 when it is not in the heap. All functions run
 * under the global lock.
 */
#include "shim.h"

static struct thr *heap[MAX_THREADS];
static int size;

static int prio_above(const struct thr *a, const struct thr *b)
{
    return a->prio > b->prio || (a->prio == b->prio && a->lid < b->lid);
}

static void prio_put(int i, struct thr *t)
{
    heap[i] = t;
    t->heap_pos = i + 1;
}

static void prio_sift_up(int i)
{
    struct thr *t = heap[i];
    while (i > 0 && prio_above(t, heap[(i - 1) / 2])) {
        prio_put(i, heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    prio_put(i, t);
}

static void prio_sift_down(int i)
{
    struct thr *t = heap[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && prio_above(heap[c + 1], heap[c])) c++;
        if (!prio_above(heap[c], t)) break;
        prio_put(i, heap[c]);
        i = c;
    }
    prio_put(i, t);
}

void prio_insert(struct thr *t)
{
    if (t->heap_pos || size == MAX_THREADS) return;
    prio_put(size++, t);
    prio_sift_up(size - 1);
}

void prio_remove(struct thr *t)
{
    if (!t->heap_pos) return;
    int i = t->heap_pos - 1;
    t->heap_pos = 0;
    struct thr *last = heap[--size];
    if (i == size) return;
    prio_put(i, last);
    prio_sift_up(i);
    prio_sift_down(last->heap_pos - 1);
}

/* Sets t's priority, keeping the heap ordered if t is in it. */
void prio_set(struct thr *t, long long prio)
{
    int in = t->heap_pos != 0;
    if (in) prio_remove(t);
    t->prio = prio;
    if (in) prio_insert(t);
}

/* The enabled thread with the highest priority, or NULL. */
struct thr *prio_top(void)
{
    return size ? heap[0] : NULL;
}

void prio_clear(void)
{
    for (int i = 0; i < size; i++) heap[i]->heap_pos = 0;
    size = 0;
}
