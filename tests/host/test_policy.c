/* Policies against fake pager ops: COW sharing, copy and refcount-1 reuse,
 * eager copying, lazy reservation, release, and failure half-way (nothing
 * changed, nothing left queued to map). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "frame.h"
#include "policy.h"
#include <kine/error.h>

#define NF 64
#define PAGE 4096
#define MAXMAP 512

static struct frame_table ft;
static uint8_t mem[NF][PAGE];
static struct kine_memstats stats;
static int allocs_left = -1;           /* >= 0: alloc fails once this hits 0 */

struct mapping { kine_as_t as; uint64_t va; unsigned rights; uint32_t f; int live; };
static struct mapping live[MAXMAP], queued[MAXMAP];
static int nqueued;

static struct mapping *find(kine_as_t as, uint64_t va)
{
    for (int i = 0; i < MAXMAP; i++)
        if (live[i].live && live[i].as == as && live[i].va == va)
            return &live[i];
    return NULL;
}

static int64_t f_alloc(void *c)
{
    (void)c;
    if (allocs_left == 0)
        return -KINE_ENOMEM;
    if (allocs_left > 0)
        allocs_left--;
    int64_t f = frame_alloc(&ft);
    if (f >= 0)
        memset(mem[f], 0xa5, PAGE);     /* garbage: zero() must clear it */
    return f;
}
static int f_ref(void *c, uint32_t f) { (void)c; return frame_ref(&ft, f); }
static int f_unref(void *c, uint32_t f) { (void)c; return frame_unref(&ft, f); }
static uint32_t f_refcount(void *c, uint32_t f) { (void)c; return frame_refcount(&ft, f); }
static void f_zero(void *c, uint32_t f) { (void)c; memset(mem[f], 0, PAGE); }
static void f_copy(void *c, uint32_t d, uint32_t s) { (void)c; memcpy(mem[d], mem[s], PAGE); }
static int f_map(void *c, kine_as_t as, uint64_t va, unsigned r, uint32_t f)
{
    (void)c;
    queued[nqueued++] = (struct mapping){ as, va, r, f, 1 };
    return 0;
}
static int f_flush(void *c, kine_as_t as)
{
    (void)c; (void)as;
    for (int i = 0; i < nqueued; i++) {
        struct mapping *m = find(queued[i].as, queued[i].va);
        for (int k = 0; !m && k < MAXMAP; k++)
            if (!live[k].live)
                m = &live[k];
        *m = queued[i];
    }
    nqueued = 0;
    return 0;
}
static void f_cancel(void *c, kine_as_t as)
{
    (void)c;
    int k = 0;
    for (int i = 0; i < nqueued; i++)
        if (queued[i].as != as)
            queued[k++] = queued[i];
    nqueued = k;
}
static int64_t f_protect(void *c, kine_as_t as, uint64_t va, uint64_t n, unsigned r)
{
    (void)c;
    for (int i = 0; i < MAXMAP; i++)
        if (live[i].live && live[i].as == as && live[i].va >= va && live[i].va < va + n * PAGE)
            live[i].rights = r;
    return 0;
}
static int64_t f_unmap(void *c, kine_as_t as, uint64_t va, uint64_t n)
{
    (void)c;
    for (int i = 0; i < MAXMAP; i++)
        if (live[i].live && live[i].as == as && live[i].va >= va && live[i].va < va + n * PAGE)
            live[i].live = 0;
    return 0;
}

static uint64_t f_nfree(void *c) { (void)c; return ft.nfree; }

static const struct pager_ops ops = {
    .stats = &stats, .alloc = f_alloc, .nfree = f_nfree, .ref = f_ref, .unref = f_unref,
    .refcount = f_refcount, .zero = f_zero, .copy = f_copy, .map = f_map, .map_flush = f_flush,
    .map_cancel = f_cancel, .protect = f_protect, .unmap = f_unmap,
};

enum { TEXT = 0x10000, DATA = 0x11000, HEAP = 0x20000 };
#define RX (KINE_RIGHT_R | KINE_RIGHT_X)
#define RW (KINE_RIGHT_R | KINE_RIGHT_W)

static void reset(void)
{
    static void *storage;
    free(storage);
    storage = malloc(frames_storage_size(NF));
    frames_init(&ft, NF, storage);
    memset(&stats, 0, sizeof(stats));
    memset(live, 0, sizeof(live));
    nqueued = 0;
    allocs_left = -1;
}

/* A process: one text page, two data pages, each with contents. */
static void make_parent(struct mm *p)
{
    memset(p, 0, sizeof(*p));
    p->as = 1;
    region_add(&p->regions, TEXT, TEXT + PAGE, RX, REGION_TEXT);
    region_add(&p->regions, DATA, DATA + 2 * PAGE, RW, REGION_DATA);
    region_add(&p->regions, HEAP, HEAP, RW, REGION_HEAP);
    uint64_t vas[] = { TEXT, DATA, DATA + PAGE };
    for (int i = 0; i < 3; i++) {
        int64_t f = ops.alloc(NULL);
        memset(mem[f], 'A' + i, PAGE);
        pm_set(&p->pm, vas[i], (uint32_t)f, 0);
        ops.map(NULL, p->as, vas[i], i ? RW : RX, (uint32_t)f);
    }
    ops.map_flush(NULL, p->as);
}

static uint32_t frame_at(struct mm *m, uint64_t va, uint32_t *flags)
{
    uint32_t f = 999, fl = 0;
    pm_get(&m->pm, va, &f, &fl);
    if (flags)
        *flags = fl;
    return f;
}

static void test_cow(void)
{
    struct mm p, c = { .as = 2 };
    reset();
    make_parent(&p);
    const struct policy *cow = policy_find("cow");
    CHECK(cow && cow->fork(&ops, &p, &c) == 0);
    uint32_t fl, cfl;
    uint32_t text = frame_at(&p, TEXT, &fl), data = frame_at(&p, DATA, NULL);
    CHECK(frame_at(&c, TEXT, &cfl) == text && fl == 0 && cfl == 0);   /* shared, never COW */
    CHECK(frame_refcount(&ft, text) == 2 && frame_refcount(&ft, data) == 2);
    CHECK(frame_at(&c, DATA, &cfl) == data && (cfl & PM_FLAG_COW));
    frame_at(&p, DATA, &fl);
    CHECK(fl & PM_FLAG_COW);
    CHECK(find(2, TEXT)->rights == RX && find(2, DATA)->rights == KINE_RIGHT_R);
    CHECK(find(1, DATA)->rights == KINE_RIGHT_R && find(1, TEXT)->rights == RX);
    CHECK(stats.pages_shared_at_fork == 3 && stats.pages_copied_at_fork == 0 && stats.forks == 1);
    CHECK(ft.nfree == NF - 3);

    /* child writes: shared, so copied */
    const struct region *rd = region_find(&c.regions, DATA);
    CHECK(cow->fault(&ops, &c, rd, DATA, KINE_FAULT_WRITE) == 0);
    uint32_t copy = frame_at(&c, DATA, &cfl);
    CHECK(copy != data && cfl == 0 && frame_refcount(&ft, data) == 1);
    CHECK(memcmp(mem[copy], mem[data], PAGE) == 0 && mem[copy][0] == 'B');
    CHECK(find(2, DATA)->rights == RW && find(2, DATA)->f == copy);
    CHECK(stats.faults_cow_copy == 1 && stats.pages_copied == 1);

    /* parent writes the same page: now held once, so reused in place */
    uint32_t nfree = ft.nfree;
    CHECK(cow->fault(&ops, &p, region_find(&p.regions, DATA), DATA, KINE_FAULT_WRITE) == 0);
    CHECK(frame_at(&p, DATA, &fl) == data && fl == 0 && ft.nfree == nfree);
    CHECK(find(1, DATA)->rights == RW && stats.faults_cow_reuse == 1);

    /* out of memory while breaking a share: nothing changes */
    allocs_left = 0;
    CHECK(cow->fault(&ops, &c, rd, DATA + PAGE, KINE_FAULT_WRITE) == -KINE_ENOMEM);
    CHECK(frame_at(&c, DATA + PAGE, &cfl) == frame_at(&p, DATA + PAGE, NULL) && (cfl & PM_FLAG_COW));
    CHECK(frame_refcount(&ft, frame_at(&c, DATA + PAGE, NULL)) == 2 && nqueued == 0);
    CHECK(find(2, DATA + PAGE)->rights == KINE_RIGHT_R);
    allocs_left = -1;

    mm_release(&ops, &c);
    mm_release(&ops, &p);
    CHECK(ft.nfree == NF);
}

static void test_eager(void)
{
    struct mm p, c = { .as = 2 };
    reset();
    make_parent(&p);
    const struct policy *eager = policy_find("eager");
    CHECK(eager && eager->fork(&ops, &p, &c) == 0);
    CHECK(frame_at(&c, DATA, NULL) != frame_at(&p, DATA, NULL));
    CHECK(mem[frame_at(&c, DATA + PAGE, NULL)][7] == 'C');
    CHECK(find(2, DATA)->rights == RW && find(1, DATA)->rights == RW);
    CHECK(stats.pages_copied_at_fork == 3 && stats.pages_shared_at_fork == 0);
    CHECK(ft.nfree == NF - 6);
    mm_release(&ops, &c);

    /* allocation fails half-way: nothing changed, nothing left queued */
    struct mm c2 = { .as = 3 };
    uint32_t nfree = ft.nfree;
    allocs_left = 1;
    CHECK(eager->fork(&ops, &p, &c2) == -KINE_ENOMEM);
    CHECK(c2.pm.count == 0 && ft.nfree == nfree && nqueued == 0 && !find(3, TEXT));
    CHECK(frame_refcount(&ft, frame_at(&p, DATA, NULL)) == 1);
    allocs_left = -1;
    mm_release(&ops, &p);
    CHECK(ft.nfree == NF);
}

static void test_lazy(void)
{
    struct mm p;
    reset();
    make_parent(&p);
    const struct policy *lazy = policy_find("lazy"), *cow = policy_find("cow");
    struct region *h = region_of_kind(&p.regions, REGION_HEAP);
    uint32_t nfree = ft.nfree;
    CHECK(region_set_end(&p.regions, h, HEAP + 8 * PAGE, 0x7f000000) == 0);
    CHECK(lazy->grow(&ops, &p, h, HEAP) == 0 && ft.nfree == nfree);   /* reserved only */
    CHECK(lazy->fault(&ops, &p, h, HEAP + 3 * PAGE, KINE_FAULT_WRITE) == 0);
    uint32_t f = frame_at(&p, HEAP + 3 * PAGE, NULL);
    CHECK(f != 999 && mem[f][0] == 0 && mem[f][PAGE - 1] == 0);        /* zeroed */
    CHECK(find(1, HEAP + 3 * PAGE)->rights == RW && stats.faults_zero_fill == 1);

    /* cow populates at grow; a failure half-way leaves nothing behind */
    struct mm q;
    make_parent(&q);
    q.as = 4;
    struct region *qh = region_of_kind(&q.regions, REGION_HEAP);
    region_set_end(&q.regions, qh, HEAP + 4 * PAGE, 0x7f000000);
    nfree = ft.nfree;
    allocs_left = 2;
    CHECK(cow->grow(&ops, &q, qh, HEAP) == -KINE_ENOMEM);
    CHECK(ft.nfree == nfree && !pm_get(&q.pm, HEAP, NULL, NULL) && nqueued == 0 && !find(4, HEAP));
    allocs_left = -1;
    /* more than is free: refused before a single frame is taken */
    region_set_end(&q.regions, qh, HEAP + (uint64_t)(nfree + 1) * PAGE, 0x7f000000);
    allocs_left = 1000;                   /* counts the allocations attempted */
    CHECK(cow->grow(&ops, &q, qh, HEAP) == -KINE_ENOMEM && ft.nfree == nfree && allocs_left == 1000);
    allocs_left = -1;
    region_set_end(&q.regions, qh, HEAP + 4 * PAGE, 0x7f000000);
    CHECK(cow->grow(&ops, &q, qh, HEAP) == 0 && ft.nfree == nfree - 4);
    CHECK(cow->grow(&ops, &q, qh, HEAP) == -KINE_EINVAL);              /* range must be new */
    mm_release(&ops, &q);
    mm_release(&ops, &p);
    CHECK(ft.nfree == NF);
    CHECK(policy_find("nonesuch") == NULL);
}

int main(void)
{
    test_cow();
    test_eager();
    test_lazy();
    return check_done("policy");
}
