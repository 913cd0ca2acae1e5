/* The table of synchronisation objects the program used, keyed by address.
 *
 * Records are created at first use and named by kind in order of first use
 * (M1, M2 for mutexes, C1 for condition variables, ...). They are never
 * freed: a destroyed object's record is renamed when its address is used
 * again. All functions run under the global lock.
 */
#include "shim.h"

enum {
    TAB_BITS = 20,
    TAB_SIZE = 1 << TAB_BITS,
    TAB_MAX = TAB_SIZE / 4 * 3, /* records in the open-addressing table */
    CHAINS = 4096               /* hash chains for the records beyond */
};

static struct obj *_Atomic *tab;
static struct obj *_Atomic chains[CHAINS];
static _Atomic int nobjs;
static struct obj *all;
static int next_no[OK_NKINDS];

char obj_prefix(int kind)
{
    static const char p[OK_NKINDS] = {'M', 'C', 'R', 'S', 'B', 'L'};
    return kind >= 0 && kind < OK_NKINDS ? p[kind] : '?';
}

static size_t obj_hash(uintptr_t a)
{
    uint64_t x = a;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

void obj_init(void)
{
    if (!tab) tab = sys_alloc(sizeof(struct obj *) * TAB_SIZE);
}

/* The record of addr (live or destroyed), or NULL. Lock-free: records are
 * published with release stores and never moved or freed. */
static struct obj *obj_lookup(uintptr_t addr)
{
    size_t h = obj_hash(addr);
    for (size_t i = h & (TAB_SIZE - 1);; i = (i + 1) & (TAB_SIZE - 1)) {
        struct obj *o = atomic_load_explicit(&tab[i], memory_order_acquire);
        if (!o) break;
        if (o->addr == addr) return o;
    }
    if (atomic_load_explicit(&nobjs, memory_order_acquire) < TAB_MAX) return NULL;
    struct obj *o = atomic_load_explicit(&chains[h % CHAINS], memory_order_acquire);
    for (; o; o = atomic_load_explicit(&o->chain_next, memory_order_acquire))
        if (o->addr == addr) return o;
    return NULL;
}

/* Makes the new record o findable. Caller holds the global lock. */
static void obj_publish(struct obj *o)
{
    size_t h = obj_hash(o->addr);
    if (atomic_load(&nobjs) < TAB_MAX) {
        size_t i = h & (TAB_SIZE - 1);
        while (atomic_load_explicit(&tab[i], memory_order_relaxed))
            i = (i + 1) & (TAB_SIZE - 1);
        atomic_store_explicit(&tab[i], o, memory_order_release);
    } else {
        struct obj *head =
            atomic_load_explicit(&chains[h % CHAINS], memory_order_relaxed);
        atomic_store_explicit(&o->chain_next, head, memory_order_relaxed);
        atomic_store_explicit(&chains[h % CHAINS], o, memory_order_release);
    }
    atomic_fetch_add_explicit(&nobjs, 1, memory_order_release);
}

struct obj *obj_find(const void *addr)
{
    struct obj *o = obj_lookup((uintptr_t)addr);
    return o && !o->dead ? o : NULL;
}

/* The live record of addr as kind, or NULL; callable without the lock. */
struct obj *obj_peek(const void *addr, int kind)
{
    struct obj *o = obj_find(addr);
    return o && o->kind == kind ? o : NULL;
}

/* Sets o's owner (NULL: free), with the waiters mark if threads wait in the
 * model. Caller holds the global lock. */
void obj_set_owner(struct obj *o, struct thr *t)
{
    uintptr_t w = t ? (uintptr_t)t | (o->whead ? LW_WAITERS : 0) : 0;
    atomic_store_explicit(&o->lockword, w, memory_order_release);
}

/* Gives o a fresh identity of the given kind, keeping its address and
 * links. */
static void obj_renew(struct obj *o, int kind)
{
    size_t keep = offsetof(struct obj, kind);
    sys_zero((char *)o + keep, sizeof *o - keep);
    o->kind = kind;
    o->no = ++next_no[kind];
}

/* Returns the record of the object at addr used as kind, creating or
 * renaming it as needed. The record is owned by the table. */
struct obj *obj_get(const void *addr, int kind)
{
    struct obj *o = obj_lookup((uintptr_t)addr);
    if (o) {
        if (o->dead || o->kind != kind) obj_renew(o, kind);
        return o;
    }
    o = sys_alloc(sizeof *o);
    o->addr = (uintptr_t)addr;
    o->all_next = all;
    all = o;
    obj_renew(o, kind);
    obj_publish(o);
    return o;
}

/* Marks the object at addr destroyed: its next use gets a new name. */
void obj_forget(const void *addr)
{
    struct obj *o = obj_lookup((uintptr_t)addr);
    if (o && !o->whead && !obj_owner(o)) o->dead = 1;
}

/* Appends t to o's waiters (first in, first out). */
void obj_enqueue(struct obj *o, struct thr *t)
{
    if (t->queued) obj_dequeue(t->wobj, t);
    t->wnext = NULL;
    t->wprev = o->wtail;
    if (o->wtail)
        o->wtail->wnext = t;
    else
        o->whead = t;
    o->wtail = t;
    o->nwait++;
    t->queued = 1;
    t->wobj = o;
}

void obj_dequeue(struct obj *o, struct thr *t)
{
    if (!t->queued || !o) return;
    if (t->wprev)
        t->wprev->wnext = t->wnext;
    else
        o->whead = t->wnext;
    if (t->wnext)
        t->wnext->wprev = t->wprev;
    else
        o->wtail = t->wprev;
    t->wnext = t->wprev = NULL;
    t->queued = 0;
    o->nwait--;
}

/* In a fork child: only self exists. Waiters are gone; what other threads
 * held stays held by threads that do not exist here (ghosts; their read
 * locks stay counted in nreaders). */
void obj_reset_after_fork(struct thr *self)
{
    for (struct obj *o = all; o; o = o->all_next) {
        o->whead = o->wtail = NULL;
        o->nwait = 0;
        struct thr *own = obj_owner(o);
        if (own && own != self) {
            obj_set_owner(o, NULL);
            o->ghost = 1;
        } else if (own) {
            obj_set_owner(o, own);
        }
        o->has_nobody = 0;
        o->has_swallow = 0;
    }
}
