/* The policies and the mm.c building blocks against fake pager ops and a
 * fake kernel, driven the way the pager core drives them (a hook, then
 * commit or abort): COW sharing, copy and refcount-1 reuse, eager copying,
 * lazy reservation and demand loading from the program file, a policy's
 * named counter, each process's own counters and shared pages (the core's
 * figures of the counters being their sum), shrink and release, and failure at every step — an
 * allocation half-way, the kernel refusing a map, a protect failing at
 * fork — after which the books are as they were and nothing stays queued;
 * and what each policy promises the core's fault fast path
 * (mm_fault_resident, mm_fault_absent, absent_counter: pager/fastfault.h
 * answers those faults without the policy, so its hook must do exactly
 * that). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "frame.h"
#include "policy.h"
#include <kine/error.h>

#define NF 600
#define MAXMAP 1024

static struct frame_table ft;
static uint8_t mem[NF][KINE_PAGE_SIZE];
static struct kine_memstats stats;
static int allocs_left = -1;           /* >= 0: alloc fails once this hits 0 */
static int map_fails, protect_fails;   /* the fake kernel refuses the next call */
static int map_calls;

struct mapping { kine_as_t as; uint64_t va; unsigned rights; uint32_t f; int live; };
static struct mapping live[MAXMAP];

static struct mapping *find(kine_as_t as, uint64_t va)
{
    for (int i = 0; i < MAXMAP; i++)
        if (live[i].live && live[i].as == as && live[i].va == va)
            return &live[i];
    return NULL;
}

static int64_t f_alloc(void)
{
    if (allocs_left == 0)
        return -KINE_ENOMEM;
    if (allocs_left > 0)
        allocs_left--;
    int64_t f = frame_alloc(&ft);
    if (f >= 0)
        memset(mem[f], 0xa5, KINE_PAGE_SIZE);     /* garbage: fill must clear it */
    return f;
}
static uint64_t f_nfree(void) { return ft.nfree; }
static int f_ref(uint32_t f) { return frame_ref(&ft, f); }
static int f_unref(uint32_t f) { return frame_unref(&ft, f); }
static uint32_t f_refcount(uint32_t f) { return frame_refcount(&ft, f); }
static void *f_frame(uint32_t f) { return mem[f]; }

static int f_map(kine_as_t as, const struct kine_map_entry *e, uint64_t n)
{
    map_calls++;
    if (map_fails) {
        map_fails = 0;
        return -KINE_ENOMEM;             /* all or nothing, like the kernel */
    }
    for (uint64_t i = 0; i < n; i++) {
        uint64_t va = e[i].va_rights & ~(uint64_t)(KINE_PAGE_SIZE - 1);
        struct mapping *m = find(as, va);
        for (int k = 0; !m && k < MAXMAP; k++)
            if (!live[k].live)
                m = &live[k];
        *m = (struct mapping){ as, va, (unsigned)(e[i].va_rights & (KINE_PAGE_SIZE - 1)),
                               (uint32_t)e[i].frame, 1 };
    }
    return 0;
}

static int64_t f_protect(kine_as_t as, uint64_t va, uint64_t n, unsigned r)
{
    if (protect_fails) {
        protect_fails = 0;
        return -KINE_ENOMEM;
    }
    for (int i = 0; i < MAXMAP; i++)
        if (live[i].live && live[i].as == as && live[i].va >= va && live[i].va < va + n * KINE_PAGE_SIZE)
            live[i].rights = r;
    return 0;
}

static int64_t f_unmap(kine_as_t as, uint64_t va, uint64_t n)
{
    for (int i = 0; i < MAXMAP; i++)
        if (live[i].live && live[i].as == as && live[i].va >= va && live[i].va < va + n * KINE_PAGE_SIZE)
            live[i].live = 0;
    return 0;
}

static int64_t f_copy_range(kine_as_t src, kine_as_t dst, uint64_t va, uint64_t n, int cow)
{
    int64_t copied = 0;
    if (protect_fails) {                 /* the kernel's copy can fail too */
        protect_fails = 0;
        return -KINE_ENOMEM;
    }
    for (int i = 0; i < MAXMAP; i++) {
        struct mapping *m = &live[i];
        if (!m->live || m->as != src || m->va < va || m->va >= va + n * KINE_PAGE_SIZE)
            continue;
        if (cow)
            m->rights &= ~KINE_RIGHT_W;
        struct mapping *d = find(dst, m->va);
        for (int k = 0; !d && k < MAXMAP; k++)
            if (!live[k].live)
                d = &live[k];
        *d = (struct mapping){ dst, m->va, m->rights, m->f, 1 };
        copied++;
    }
    return copied;
}

/* Swap slots: only their counts matter here (paged-out entries are made
 * by the core, pager/paging.c, which tests at boot exercise). */
#define NSLOTS 8
static unsigned slot_refs[NSLOTS];
static int f_slot_ref(uint32_t s)
{
    if (s >= NSLOTS || !slot_refs[s])
        return -KINE_EINVAL;
    slot_refs[s]++;
    return 0;
}
static void f_slot_unref(uint32_t s)
{
    CHECK(s < NSLOTS && slot_refs[s] > 0);
    if (s < NSLOTS && slot_refs[s])
        slot_refs[s]--;
}

static const struct pager_ops ops = {
    .alloc = f_alloc, .nfree = f_nfree, .ref = f_ref, .unref = f_unref, .frames = &ft,
    .refcount = f_refcount, .frame = f_frame, .map = f_map, .protect = f_protect,
    .unmap = f_unmap, .copy_range = f_copy_range,
    .slot_ref = f_slot_ref, .slot_unref = f_slot_unref,
};

/* What the core does around every hook. */
static int settle(int err)
{
    if (err) {
        mm_abort(&ops);
        return err;
    }
    return mm_commit(&ops);
}

enum { TEXT = 0x10000, DATA = 0x11000, HEAP = 0x20000 };
#define RX (KINE_RIGHT_R | KINE_RIGHT_X)
#define RW (KINE_RIGHT_R | KINE_RIGHT_W)
static const uint8_t file_text[KINE_PAGE_SIZE + 100] = { 'T', 'E', 'X', 'T' };

static void reset(void)
{
    static void *storage;
    free(storage);
    storage = malloc(frames_storage_size(NF));
    frames_init(&ft, NF, storage);
    memset(&stats, 0, sizeof(stats));
    memset(live, 0, sizeof(live));
    allocs_left = -1;
    map_fails = protect_fails = 0;
}

static struct policy_env *env(const char *name)
{
    static int ready;
    if (!ready) {
        CHECK(policies_init(&ops, &stats) == 0);
        ready = 1;
    }
    return policy_env(policy_find(name));
}

/* A process: one text page (backed by file_text), two data pages with
 * contents, an empty heap; everything mapped, as after a spawn. */
static void make_parent(struct mm *p, const char *pol)
{
    struct region *text;
    memset(p, 0, sizeof(*p));
    p->as = 1;
    region_add(&p->regions, TEXT, TEXT + KINE_PAGE_SIZE, RX, REGION_TEXT, &text);
    text->file = file_text;
    text->file_va = TEXT;
    text->file_len = 4;
    region_add(&p->regions, DATA, DATA + 2 * KINE_PAGE_SIZE, RW, REGION_DATA, NULL);
    region_add(&p->regions, HEAP, HEAP, RW, REGION_HEAP, NULL);
    struct policy_env *e = env(pol);
    for (unsigned i = 0; i < 2; i++)
        CHECK(mm_populate(e, p, &p->regions.r[i], p->regions.r[i].start) == 0);
    CHECK(settle(0) == 0);
    uint32_t f;
    pm_get(&p->pm, DATA, &f, NULL);
    memset(mem[f], 'B', KINE_PAGE_SIZE);
    pm_get(&p->pm, DATA + KINE_PAGE_SIZE, &f, NULL);
    memset(mem[f], 'C', KINE_PAGE_SIZE);
}

/* The core's counters over the processes mms, as the pager reports them
 * (memstats_fill): its own (stats), and the processes' added up. */
static struct kine_memstats core(const struct mm *const mms[], unsigned n)
{
    struct kine_proc_counters sum = { 0 };
    struct kine_memstats s = stats;
    for (unsigned i = 0; i < n; i++)
        mm_counters_add(&sum, &mms[i]->stats);
    mm_counters_report(&s, &sum);
    return s;
}
#define CORE(...) core((const struct mm *[]){ __VA_ARGS__ }, \
                       sizeof((const struct mm *[]){ __VA_ARGS__ }) / sizeof(const struct mm *))

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
    make_parent(&p, "cow");
    const struct policy *cow = policy_find("cow");
    struct policy_env *e = env("cow");
    uint32_t fl, cfl, text = frame_at(&p, TEXT, NULL);
    CHECK(memcmp(mem[text], "TEXT", 4) == 0 && mem[text][4] == 0 && CORE(&p).pages_loaded == 1);
    CHECK(p.stats.pages_loaded == 1 && p.stats.pages_zero_filled == 2);
    CHECK(mm_shared_pages(&ops, &p) == 0);
    CHECK(settle(cow->fork(e, &p, &c)) == 0);
    uint32_t data = frame_at(&p, DATA, NULL);
    CHECK(frame_at(&c, TEXT, &cfl) == text && cfl == 0);              /* shared, never COW */
    CHECK(frame_refcount(&ft, text) == 2 && frame_refcount(&ft, data) == 2);
    CHECK(frame_at(&c, DATA, &cfl) == data && cfl == 0);    /* COW is the count, not a flag */
    frame_at(&p, DATA, &fl);
    CHECK(fl == 0);
    CHECK(find(2, TEXT)->rights == RX && find(2, DATA)->rights == KINE_RIGHT_R);
    CHECK(find(1, DATA)->rights == KINE_RIGHT_R && find(1, TEXT)->rights == RX);
    CHECK(CORE(&p, &c).pages_shared_at_fork == 3 && CORE(&p, &c).pages_copied_at_fork == 0 &&
          stats.forks == 1);
    CHECK(c.stats.pages_shared_at_fork == 3 && p.stats.pages_shared_at_fork == 0);   /* the child's */
    CHECK(mm_shared_pages(&ops, &p) == 3 && mm_shared_pages(&ops, &c) == 3);

    /* child writes: shared, so copied */
    const struct region *rd = region_find(&c.regions, DATA);
    CHECK(settle(cow->fault(e, &c, rd, DATA, KINE_FAULT_WRITE)) == 0);
    uint32_t copy = frame_at(&c, DATA, &cfl);
    CHECK(copy != data && cfl == 0 && frame_refcount(&ft, data) == 1);
    CHECK(mem[copy][0] == 'B' && memcmp(mem[copy], mem[data], KINE_PAGE_SIZE) == 0);
    CHECK(find(2, DATA)->rights == RW && find(2, DATA)->f == copy);
    CHECK(CORE(&p, &c).faults_cow_copy == 1 && CORE(&p, &c).pages_copied == 1);
    CHECK(c.stats.faults_cow_copy == 1 && p.stats.faults_cow_copy == 0);
    CHECK(mm_shared_pages(&ops, &c) == 2 && mm_shared_pages(&ops, &p) == 2);

    /* parent writes the same page: now held once, so reused in place */
    uint32_t nfree = ft.nfree;
    CHECK(settle(cow->fault(e, &p, region_find(&p.regions, DATA), DATA, KINE_FAULT_WRITE)) == 0);
    CHECK(frame_at(&p, DATA, &fl) == data && fl == 0 && ft.nfree == nfree);
    CHECK(find(1, DATA)->rights == RW && CORE(&p, &c).faults_cow_reuse == 1 &&
          frame_refcount(&ft, data) == 1);
    CHECK(p.stats.faults_cow_reuse == 1 && c.stats.faults_cow_reuse == 0);

    /* out of memory while breaking a share: nothing changes */
    uint32_t shared = frame_at(&c, DATA + KINE_PAGE_SIZE, NULL);
    allocs_left = 0;
    CHECK(settle(cow->fault(e, &c, rd, DATA + KINE_PAGE_SIZE, KINE_FAULT_WRITE)) == -KINE_ENOMEM);
    CHECK(frame_at(&c, DATA + KINE_PAGE_SIZE, &cfl) == shared && cfl == 0);
    CHECK(frame_refcount(&ft, shared) == 2 && find(2, DATA + KINE_PAGE_SIZE)->rights == KINE_RIGHT_R);
    allocs_left = -1;

    /* the kernel refuses the copy's map: the books go back, the copy's frame too */
    nfree = ft.nfree;
    map_fails = 1;
    CHECK(settle(cow->fault(e, &c, rd, DATA + KINE_PAGE_SIZE, KINE_FAULT_WRITE)) == -KINE_ENOMEM);
    CHECK(frame_at(&c, DATA + KINE_PAGE_SIZE, &cfl) == shared && cfl == 0);
    CHECK(frame_refcount(&ft, shared) == 2 && ft.nfree == nfree);
    CHECK(find(2, DATA + KINE_PAGE_SIZE)->rights == KINE_RIGHT_R && find(2, DATA + KINE_PAGE_SIZE)->f == shared);

    /* the same through the fault path's own send (mm_stage, mm_sent) */
    struct kine_map_entry buf[KINE_MAP_BATCH];
    kine_as_t as = 0;
    CHECK(cow->fault(e, &c, rd, DATA + KINE_PAGE_SIZE, KINE_FAULT_WRITE) == 0);
    CHECK(mm_stage(buf, &as) == 1 && as == 2 && buf[0].va_rights == ((DATA + KINE_PAGE_SIZE) | RW));
    mm_sent(&ops, 0);
    CHECK(frame_at(&c, DATA + KINE_PAGE_SIZE, NULL) == shared && frame_refcount(&ft, shared) == 2);
    CHECK(ft.nfree == nfree && mm_stage(buf, &as) == 0);
    /* a copy the kernel refused was still made: counted */
    CHECK(c.stats.faults_cow_copy == 3 && CORE(&p, &c).pages_copied == 3);

    policy_release(cow, e, &c);
    policy_release(cow, e, &p);
    CHECK(ft.nfree == NF);
}

static void test_fork_failures(void)
{
    struct mm p, c = { .as = 2 };
    reset();
    make_parent(&p, "cow");
    const struct policy *cow = policy_find("cow");
    struct policy_env *e = env("cow");
    uint32_t nfree = ft.nfree;

    /* the kernel's copy fails: fork fails, nothing is marked COW, no ref is taken */
    protect_fails = 1;
    CHECK(settle(cow->fork(e, &p, &c)) == -KINE_ENOMEM);
    uint32_t fl;
    frame_at(&p, DATA, &fl);
    CHECK(!(fl & PM_FLAG_COW) && c.pm.count == 0);       /* rolled back by the core */
    CHECK(frame_refcount(&ft, frame_at(&p, DATA, NULL)) == 1 && ft.nfree == nfree);
    policy_release(cow, e, &c);                  /* the core releases a failed child */

    /* eager: allocation fails half-way */
    struct mm c2 = { .as = 3 };
    const struct policy *eager = policy_find("eager");
    allocs_left = 1;
    CHECK(settle(eager->fork(env("eager"), &p, &c2)) == -KINE_ENOMEM);
    CHECK(c2.pm.count == 0 && ft.nfree == nfree && !find(3, TEXT));
    allocs_left = -1;
    policy_release(eager, env("eager"), &c2);

    /* eager: a whole copy */
    struct mm c3 = { .as = 4 };
    CHECK(settle(eager->fork(env("eager"), &p, &c3)) == 0);
    CHECK(frame_at(&c3, DATA, NULL) != frame_at(&p, DATA, NULL));
    CHECK(mem[frame_at(&c3, DATA + KINE_PAGE_SIZE, NULL)][7] == 'C' && find(4, DATA)->rights == RW);
    CHECK(find(1, DATA)->rights == RW && CORE(&p, &c, &c2, &c3).pages_copied_at_fork == 3);
    CHECK(c3.stats.pages_copied_at_fork == 3 && c3.stats.pages_shared_at_fork == 0);
    CHECK(mm_shared_pages(&ops, &c3) == 0 && mm_shared_pages(&ops, &p) == 0);
    CHECK(c.stats.pages_shared_at_fork == 0 && c2.stats.pages_copied_at_fork == 0);  /* failed */
    CHECK(CORE(&p, &c, &c2, &c3).pages_copied == 3);        /* the whole copy's only */
    policy_release(eager, env("eager"), &c3);
    policy_release(cow, e, &p);
    CHECK(ft.nfree == NF);
}

static void test_lazy(void)
{
    struct mm p;
    reset();
    memset(&p, 0, sizeof(p));
    p.as = 1;
    struct region *text, *heap;
    region_add(&p.regions, TEXT, TEXT + 2 * KINE_PAGE_SIZE, RX, REGION_TEXT, &text);
    text->file = file_text;
    text->file_va = TEXT;
    text->file_len = sizeof(file_text);
    region_add(&p.regions, HEAP, HEAP, RW, REGION_HEAP, &heap);
    const struct policy *lazy = policy_find("lazy"), *cow = policy_find("cow");
    struct policy_env *e = env("lazy");
    CHECK(lazy->counter_names && strcmp(lazy->counter_names[0], "first_touches") == 0);
    uint64_t touches = e->counters[0];

    /* text is loaded from the file on first touch, not at spawn */
    CHECK(settle(lazy->grow(e, &p, text, TEXT)) == 0 && p.pm.count == 0);
    CHECK(settle(lazy->fault(e, &p, text, TEXT + KINE_PAGE_SIZE, KINE_FAULT_EXEC)) == 0);
    uint32_t f = frame_at(&p, TEXT + KINE_PAGE_SIZE, NULL);
    CHECK(mem[f][0] == file_text[KINE_PAGE_SIZE] && mem[f][100] == 0);            /* file tail, then zeros */
    CHECK(find(1, TEXT + KINE_PAGE_SIZE)->rights == RX && CORE(&p).pages_loaded == 1);
    CHECK(e->counters[0] == touches + 1);

    /* heap: reserved at sbrk, zero-filled on first touch */
    uint32_t nfree = ft.nfree;
    CHECK(region_set_end(&p.regions, heap, HEAP + 8 * KINE_PAGE_SIZE, 0x7f000000) == 0);
    CHECK(settle(lazy->grow(e, &p, heap, HEAP)) == 0 && ft.nfree == nfree);
    CHECK(settle(lazy->fault(e, &p, heap, HEAP + 3 * KINE_PAGE_SIZE, KINE_FAULT_WRITE)) == 0);
    f = frame_at(&p, HEAP + 3 * KINE_PAGE_SIZE, NULL);
    CHECK(f != 999 && mem[f][0] == 0 && mem[f][KINE_PAGE_SIZE - 1] == 0 &&
          CORE(&p).pages_zero_filled == 1);
    CHECK(find(1, HEAP + 3 * KINE_PAGE_SIZE)->rights == RW && e->counters[0] == touches + 2);
    CHECK(p.stats.pages_loaded == 1 && p.stats.pages_zero_filled == 1);

    /* shrink: what lies above the new end goes, refs and mappings too */
    heap->end = HEAP + 2 * KINE_PAGE_SIZE;
    policy_shrink(lazy, e, &p, heap, HEAP + 8 * KINE_PAGE_SIZE);
    CHECK(!pm_get(&p.pm, HEAP + 3 * KINE_PAGE_SIZE, NULL, NULL) && !find(1, HEAP + 3 * KINE_PAGE_SIZE));
    CHECK(ft.nfree == nfree && pm_get(&p.pm, TEXT + KINE_PAGE_SIZE, NULL, NULL));   /* text stays */

    /* cow populates at grow; a failure half-way leaves nothing behind */
    struct mm q;
    memset(&q, 0, sizeof(q));
    q.as = 4;
    struct region *qh;
    region_add(&q.regions, HEAP, HEAP + 4 * KINE_PAGE_SIZE, RW, REGION_HEAP, &qh);
    struct policy_env *ce = env("cow");
    nfree = ft.nfree;
    allocs_left = 2;
    CHECK(settle(cow->grow(ce, &q, qh, HEAP)) == -KINE_ENOMEM);
    CHECK(ft.nfree == nfree && q.pm.count == 0 && !find(4, HEAP));
    allocs_left = -1;

    /* more than is free: refused before a single frame is taken */
    qh->end = HEAP + (uint64_t)(ft.nfree + 1) * KINE_PAGE_SIZE;
    allocs_left = 1000;
    CHECK(settle(cow->grow(ce, &q, qh, HEAP)) == -KINE_ENOMEM && allocs_left == 1000);
    allocs_left = -1;

    /* a large populate goes out a full batch at a time; a refused batch
     * rolls back only what was not sent (the core then uninstalls the rest) */
    qh->end = HEAP + 300 * KINE_PAGE_SIZE;
    map_calls = 0;
    CHECK(settle(cow->grow(ce, &q, qh, HEAP)) == 0 && map_calls == 2 && q.pm.count == 300);
    CHECK(find(4, HEAP + 299 * KINE_PAGE_SIZE) && ft.nfree == nfree - 300);
    mm_uninstall(ce, &q, HEAP, HEAP + 300 * KINE_PAGE_SIZE);
    CHECK(ft.nfree == nfree && q.pm.count == 0 && !find(4, HEAP));
    map_fails = 1;
    CHECK(settle(cow->grow(ce, &q, qh, HEAP)) == -KINE_ENOMEM);
    CHECK(q.pm.count == 0 && ft.nfree == nfree);

    policy_release(cow, ce, &q);
    policy_release(lazy, e, &p);
    CHECK(ft.nfree == NF);
    CHECK(policy_find("nonesuch") == NULL);
    char text_out[256];
    CHECK(policy_report(0, text_out, sizeof(text_out)) > 0);
    unsigned n = 0;
    while (policy_report(n, text_out, sizeof(text_out)) >= 0)
        n++;
    CHECK(n > 0 && policies[n] == NULL);               /* one report per policy */
}

/* A page-map entry of a paged-out page holds its slot, not a frame: fork
 * (sharing or copying) shares the slot copy-on-write, a shrink or a release
 * gives it back, and no policy fault ever treats it as a frame. */
static void test_paged_out(void)
{
    const char *names[] = { "cow", "eager" };
    for (unsigned k = 0; k < 2; k++) {
        struct mm p, c = { .as = 2 };
        reset();
        make_parent(&p, names[k]);
        const struct policy *pol = policy_find(names[k]);
        struct policy_env *e = env(names[k]);
        /* the core paged DATA out to slot 3 */
        uint32_t f = frame_at(&p, DATA, NULL);
        f_unmap(1, DATA, 1);
        CHECK(pm_set(&p.pm, DATA, 3, PM_FLAG_SWAP) == 0);
        CHECK(f_unref(f) == 1);
        slot_refs[3] = 2;                /* p's entry and the frame caching it */
        CHECK(mm_swapped_pages(&p) == 1 && mm_shared_pages(&ops, &p) == 0);
        const struct region *rd = region_find(&p.regions, DATA);
        CHECK(mm_fault(e, &p, rd, DATA, KINE_FAULT_READ) == -KINE_EINVAL);
        mm_abort(&ops);
        CHECK(settle(pol->fork(e, &p, &c)) == 0);
        uint32_t fl, cfl;
        CHECK(frame_at(&c, DATA, &cfl) == 3 && (cfl & PM_FLAG_SWAP) && (cfl & PM_FLAG_COW));
        CHECK(frame_at(&p, DATA, &fl) == 3 && (fl & PM_FLAG_SWAP) && (fl & PM_FLAG_COW));
        CHECK(slot_refs[3] == 3 && !find(2, DATA) && mm_swapped_pages(&c) == 1);
        policy_release(pol, e, &c);
        CHECK(slot_refs[3] == 2);
        /* the region shrinks past it: the slot goes with it */
        struct region *data = (struct region *)region_find(&p.regions, DATA);
        data->end = DATA;
        policy_shrink(pol, e, &p, data, DATA + 2 * KINE_PAGE_SIZE);
        CHECK(slot_refs[3] == 1 && mm_swapped_pages(&p) == 0);
        policy_release(pol, e, &p);
        CHECK(ft.nfree == NF && slot_refs[3] == 1);
        slot_refs[3] = 0;
    }
}

/* What the core's fault fast path (pager/fastfault.h) does in place of
 * the policy's hook, the hook must do too, for every policy that says so:
 * with mm_fault_resident, a write to a shared page is a copy and one to a
 * page held once a reuse of the same frame, its flags cleared; with
 * mm_fault_absent, the first touch (read or write) of an anonymous page
 * is a zeroed frame with the region's rights, counted as a zero fill and
 * in the policy's own counter absent_counter names, nowhere else. */
static void test_fast_promises(void)
{
    for (unsigned k = 0; policies[k]; k++) {
        const struct policy *pol = policies[k];
        struct policy_env *e = env(pol->name);
        unsigned ncounters = 0;
        while (pol->counter_names && pol->counter_names[ncounters])
            ncounters++;
        CHECK(!pol->absent_counter || (pol->mm_fault_absent && pol->absent_counter <= ncounters));
        struct mm p, c = { .as = 2 };
        reset();
        make_parent(&p, pol->name);
        if (pol->mm_fault_resident) {
            const struct region *rd = region_find(&p.regions, DATA);
            CHECK(settle(mm_fork_share(e, &p, &c)) == 0);
            uint32_t shared = frame_at(&p, DATA, NULL), fl;
            struct kine_memstats was = CORE(&p, &c);
            CHECK(settle(pol->fault(e, &p, rd, DATA, KINE_FAULT_WRITE)) == 0);
            uint32_t copy = frame_at(&p, DATA, &fl);
            CHECK(copy != shared && fl == 0 && frame_refcount(&ft, shared) == 1);
            CHECK(memcmp(mem[copy], mem[shared], KINE_PAGE_SIZE) == 0);
            CHECK(find(1, DATA)->rights == RW && find(1, DATA)->f == copy);
            CHECK(CORE(&p, &c).faults_cow_copy == was.faults_cow_copy + 1 &&
                  CORE(&p, &c).pages_copied == was.pages_copied + 1 &&
                  CORE(&p, &c).faults_cow_reuse == was.faults_cow_reuse);
            uint32_t *slot = pm_slot(&c.pm, DATA);
            CHECK(slot && pm_slot_frame(*slot) == shared);
            *slot |= PM_FLAG_COW;        /* as after a page-in: the reuse clears it */
            uint32_t nfree = ft.nfree;
            CHECK(settle(pol->fault(e, &c, rd, DATA, KINE_FAULT_WRITE)) == 0);
            CHECK(frame_at(&c, DATA, &fl) == shared && fl == 0 && ft.nfree == nfree);
            CHECK(find(2, DATA)->rights == RW && find(2, DATA)->f == shared);
            CHECK(CORE(&p, &c).faults_cow_reuse == was.faults_cow_reuse + 1 &&
                  c.stats.faults_cow_reuse == 1 && p.stats.faults_cow_copy == 1);
            policy_release(pol, e, &c);
        }
        if (pol->mm_fault_absent) {
            struct region *heap = region_of_kind(&p.regions, REGION_HEAP);
            CHECK(heap && region_set_end(&p.regions, heap, HEAP + 2 * KINE_PAGE_SIZE, 0x7f000000) == 0);
            uint64_t counters[8] = { 0 };
            CHECK(ncounters <= 8);
            memcpy(counters, e->counters, ncounters * sizeof(counters[0]));
            struct kine_memstats was = CORE(&p, &c);
            struct kine_proc_counters own = p.stats;
            CHECK(settle(pol->fault(e, &p, heap, HEAP, KINE_FAULT_WRITE)) == 0);
            CHECK(settle(pol->fault(e, &p, heap, HEAP + KINE_PAGE_SIZE, KINE_FAULT_READ)) == 0);
            for (uint64_t va = HEAP; va < HEAP + 2 * KINE_PAGE_SIZE; va += KINE_PAGE_SIZE) {
                uint32_t fl, f = frame_at(&p, va, &fl);
                CHECK(f != 999 && fl == 0 && frame_refcount(&ft, f) == 1);
                CHECK(mem[f][0] == 0 && memcmp(mem[f], mem[f] + 1, KINE_PAGE_SIZE - 1) == 0);
                CHECK(find(1, va) && find(1, va)->rights == RW && find(1, va)->f == f);
            }
            CHECK(CORE(&p, &c).pages_zero_filled == was.pages_zero_filled + 2 &&
                  p.stats.pages_zero_filled == own.pages_zero_filled + 2 &&
                  CORE(&p, &c).pages_loaded == was.pages_loaded);
            for (unsigned i = 0; i < ncounters; i++)
                CHECK(e->counters[i] == counters[i] + 2 * (pol->absent_counter == POLICY_COUNTER(i)));
        }
        policy_release(pol, e, &p);
        CHECK(ft.nfree == NF);
    }
}

int main(void)
{
    test_cow();
    test_fork_failures();
    test_lazy();
    test_paged_out();
    test_fast_promises();
    return check_done("policy");
}
