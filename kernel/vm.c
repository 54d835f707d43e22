/* Sv39 page-table code.  Kernel mappings are 1 GiB leaves in the root
 * (RAM identity-mapped at its physical address, devices in the top half), so
 * a new address space copies a few root entries and shares nothing else;
 * freeing an address space frees only the tables below user root entries. */
#include <stddef.h>
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "vm.h"
#include "hart.h"
#include "thread.h"
#include <kine/layout.h>
#include <kine/ipc.h>
#include <kine/syscall.h>

static uint64_t *kernel_root;
#define ROOT_INDEX(va) VPN(va, 2)

void vm_init(uint64_t ram_base, uint64_t ram_size)
{
    kernel_root = kalloc_page();
    if (!kernel_root)
        panic("vm_init: no memory for the kernel page table");
    if (ram_base < KINE_KERNEL_BASE || ram_base + ram_size > KINE_KERNEL_LIMIT)
        panic("vm_init: RAM %lx+%lx outside the kernel window", ram_base, ram_size);
    for (uint64_t pa = ALIGN_DOWN(ram_base, GIGAPAGE_SIZE); pa < ram_base + ram_size; pa += GIGAPAGE_SIZE)
        kernel_root[ROOT_INDEX(pa)] = PA_TO_PTE(pa) | PTE_V | PTE_R | PTE_W | PTE_X |
                                      PTE_G | PTE_A | PTE_D;
    kernel_root[ROOT_INDEX(KDEV_VA_BASE)] = PA_TO_PTE(0UL) | PTE_V | PTE_R | PTE_W |
                                            PTE_G | PTE_A | PTE_D;
    kernel_satp = SATP_MODE_SV39 | ((uint64_t)kernel_root >> PAGE_SHIFT);
    csr_write(satp, kernel_satp);
    sfence_vma_all();
}

uint64_t *vm_kernel_root(void) { return kernel_root; }

uint64_t *vm_new_root(bool injectable)
{
    uint64_t *root = kalloc_page_for(injectable);
    if (!root)
        return NULL;
    for (int i = 0; i < PT_ENTRIES; i++)
        if (kernel_root[i] & PTE_V)
            root[i] = kernel_root[i];
    return root;
}

/* A leaf-level table (level 0) holds only leaves, which name frames the
 * pager owns: it is freed without a look at its entries, so tearing a
 * space down costs per table, not per page. */
static void free_table(uint64_t *table, int level)
{
    for (int i = 0; level > 0 && i < PT_ENTRIES; i++) {
        uint64_t pte = table[i];
        if ((pte & PTE_V) && !(pte & PTE_LEAF_MASK))
            free_table((uint64_t *)PTE_TO_PA(pte), level - 1);
    }
    kfree_page(table);
}

void vm_free_root(uint64_t *root)
{
    for (int i = 0; i < PT_ENTRIES; i++) {
        uint64_t pte = root[i];
        if ((pte & PTE_V) && !(pte & PTE_LEAF_MASK))
            free_table((uint64_t *)PTE_TO_PA(pte), 1);
    }
    kfree_page(root);
}

/* A new page table for s, within its quota. */
static uint64_t *table_alloc(struct space *s)
{
    if (s->tables >= s->table_limit)
        return NULL;
    uint64_t *t = kalloc_page_for(s->inject);
    if (t)
        s->tables++;
    return t;
}

/* Walk to the table at `level` that covers va, allocating if asked.
 * Returns NULL if memory runs out or a leaf sits above that level. */
static uint64_t *walk(uint64_t *root, struct space *alloc, uint64_t va, int level, int *err)
{
    uint64_t *table = root;
    for (int l = 2; l > level; l--) {
        uint64_t *pte = &table[VPN(va, l)];
        if (*pte & PTE_V) {
            if (*pte & PTE_LEAF_MASK) {
                *err = -KINE_EBUSY;
                return NULL;
            }
        } else {
            if (!alloc) {
                *err = 0;
                return NULL;
            }
            uint64_t *next = table_alloc(alloc);
            if (!next) {
                *err = -KINE_ENOMEM;
                return NULL;
            }
            *pte = PA_TO_PTE((uint64_t)next) | PTE_V;
        }
        table = (uint64_t *)PTE_TO_PA(*pte);
    }
    return table;
}

uint64_t *vm_leaf_table(struct space *s, uint64_t va, int *err)
{
    *err = 0;
    return walk(s->root, s, va, 0, err);
}

uint64_t *vm_lookup(uint64_t *root, uint64_t va)
{
    int err;
    uint64_t *t = walk(root, NULL, va, 0, &err);
    return t ? &t[VPN(va, 0)] : NULL;
}

int vm_map(struct space *s, uint64_t va, uint64_t pa, uint64_t pte_flags)
{
    int err = 0;
    uint64_t *t = walk(s->root, s, va, 0, &err);
    if (!t)
        return err;
    uint64_t *pte = &t[VPN(va, 0)];
    if ((*pte & PTE_KERNEL_OWNED) && !(pte_flags & PTE_KERNEL_OWNED))
        return -KINE_EBUSY;
    *pte = PA_TO_PTE(pa) | pte_flags | PTE_V | PTE_A | ((pte_flags & PTE_W) ? PTE_D : 0);
    return 0;
}

int vm_map_mega(struct space *s, uint64_t va, uint64_t pa, uint64_t pte_flags)
{
    int err = 0;
    uint64_t *t = walk(s->root, s, va, 1, &err);
    if (!t)
        return err;
    t[VPN(va, 1)] = PA_TO_PTE(pa) | pte_flags | PTE_V | PTE_A | ((pte_flags & PTE_W) ? PTE_D : 0);
    return 0;
}

/* The 4 KiB-level table of root covering va, or NULL; next is where the
 * walk may go on from (the next megapage or gigapage worth a look). */
static uint64_t *leaf_table_at(uint64_t *root, uint64_t va, uint64_t *next)
{
    uint64_t pte2 = root[VPN(va, 2)];
    if (!(pte2 & PTE_V) || (pte2 & PTE_LEAF_MASK)) {
        *next = ALIGN_DOWN(va, GIGAPAGE_SIZE) + GIGAPAGE_SIZE;
        return NULL;
    }
    uint64_t pte1 = ((uint64_t *)PTE_TO_PA(pte2))[VPN(va, 1)];
    *next = ALIGN_DOWN(va, MEGAPAGE_SIZE) + MEGAPAGE_SIZE;
    if (!(pte1 & PTE_V) || (pte1 & PTE_LEAF_MASK))
        return NULL;
    return (uint64_t *)PTE_TO_PA(pte1);
}

/* Call fn for every present, not kernel-owned 4 KiB leaf in the range, in
 * address order, until fn returns nonzero; returns how many it was called
 * for.  Absent upper tables are skipped a megapage or gigapage at a time.
 * Always inlined, and so is each caller's fn: no indirect call per page. */
static inline __attribute__((always_inline)) uint64_t
for_each_leaf(uint64_t *root, uint64_t va, uint64_t npages,
              int (*fn)(uint64_t va, uint64_t *pte, void *ctx), void *ctx)
{
    uint64_t end = va + npages * PAGE_SIZE, next, visited = 0;
    for (; va < end; va = next) {
        uint64_t *table = leaf_table_at(root, va, &next);
        if (!table)
            continue;
        uint64_t stop = next < end ? next : end;
        for (uint64_t i = VPN(va, 0); va < stop; va += PAGE_SIZE, i++) {
            uint64_t *pte = &table[i];
            if (!(*pte & PTE_V) || (*pte & PTE_KERNEL_OWNED))
                continue;
            visited++;
            if (fn(va, pte, ctx))
                return visited;
        }
    }
    return visited;
}

/* vm_copy_range remembers which of dst's leaf tables it made itself (all
 * zero, so nothing kernel-owned to keep) for the first this many tables of
 * a range (2 GiB: more than any program's region); a table past them is
 * copied with the check per entry. */
#define COPY_FRESH_TABLES 1024
#define COPY_FRESH_WORDS  (COPY_FRESH_TABLES / 64)

int64_t vm_copy_range(struct space *src, struct space *dst, uint64_t va, uint64_t npages, bool cow)
{
    uint64_t end = va + npages * PAGE_SIZE, next, count = 0, base = ALIGN_DOWN(va, MEGAPAGE_SIZE);
    uint64_t fresh[COPY_FRESH_WORDS] = { 0 };
    /* first every table dst will need, so nothing is copied unless all fit */
    for (uint64_t at = va; at < end; at = next) {
        uint64_t *from = leaf_table_at(src->root, at, &next), dst_next;
        int err;
        if (!from)
            continue;
        bool made = !leaf_table_at(dst->root, at, &dst_next);
        if (!vm_leaf_table(dst, at, &err))
            return err;
        uint64_t t = (at - base) / MEGAPAGE_SIZE;
        if (made && t < COPY_FRESH_TABLES)
            fresh[t / 64] |= 1UL << (t % 64);
    }
    /* then a flat pass per table: W dropped by a mask, no test of cow
     * per page, pointers instead of addresses, and in a table made above
     * no look at what dst held */
    const uint64_t keep = cow ? ~(uint64_t)PTE_W : ~(uint64_t)0;   /* D stays: the page was written */
    for (uint64_t at = va; at < end; at = next) {
        uint64_t *from = leaf_table_at(src->root, at, &next);
        if (!from)
            continue;
        int err;
        uint64_t *to = vm_leaf_table(dst, at, &err);   /* made above: cannot fail */
        uint64_t stop = next < end ? next : end, t = (at - base) / MEGAPAGE_SIZE;
        uint64_t *p = &from[VPN(at, 0)], *p_end = p + ((stop - at) >> PAGE_SHIFT);
        const ptrdiff_t gap = to - from;
        if (t < COPY_FRESH_TABLES && (fresh[t / 64] & (1UL << (t % 64)))) {
            /* two at a time (an odd one first); the entries passed over
             * are counted, not the ones copied, which are most */
            uint64_t *q = p + gap, skipped = 0;
            count += (uint64_t)(p_end - p);
            if ((p_end - p) & 1) {
                if (__builtin_expect((*p & (PTE_V | PTE_KERNEL_OWNED)) == PTE_V, 1))
                    *q = pte_and(p, keep) & keep;
                else
                    skipped++;
                p++, q++;
            }
            for (; p < p_end; p += 2, q += 2) {
                uint64_t a = p[0], b = p[1];
                if (__builtin_expect((a & (PTE_V | PTE_KERNEL_OWNED)) == PTE_V, 1))
                    q[0] = pte_and(&p[0], keep) & keep;
                else
                    skipped++;
                if (__builtin_expect((b & (PTE_V | PTE_KERNEL_OWNED)) == PTE_V, 1))
                    q[1] = pte_and(&p[1], keep) & keep;
                else
                    skipped++;
            }
            count -= skipped;
            continue;
        }
        for (; p < p_end; p++) {
            uint64_t pte = *p;
            if ((pte & (PTE_V | PTE_KERNEL_OWNED)) != PTE_V || (p[gap] & PTE_KERNEL_OWNED))
                continue;
            p[gap] = pte_and(p, keep) & keep;
            count++;
        }
    }
    return (int64_t)count;
}

/* AS_QUERY: one entry per present PTE, up to KINE_MAP_BATCH. */
struct query { struct kine_map_entry *out; uint64_t n; };

static int report_leaf(uint64_t va, uint64_t *pte, void *ctx)
{
    struct query *q = ctx;
    uint64_t pa = PTE_TO_PA(*pte);
    uint64_t rights = ((*pte & PTE_R) ? KINE_RIGHT_R : 0) | ((*pte & PTE_W) ? KINE_RIGHT_W : 0) |
                      ((*pte & PTE_X) ? KINE_RIGHT_X : 0) |
                      ((*pte & PTE_A) ? KINE_PTE_ACCESSED : 0) | ((*pte & PTE_D) ? KINE_PTE_DIRTY : 0);
    bool in_pool = pa >= boot.pool_pa && pa < boot.pool_pa + boot.pool_frames * PAGE_SIZE;
    q->out[q->n].va_rights = va | rights;
    q->out[q->n].frame = in_pool ? (pa - boot.pool_pa) / PAGE_SIZE : KINE_FRAME_NONE;
    return ++q->n == KINE_MAP_BATCH;
}

uint64_t vm_query_range(uint64_t *root, uint64_t va, uint64_t npages, struct kine_map_entry *out)
{
    struct query q = { out, 0 };
    for_each_leaf(root, va, npages, report_leaf, &q);
    return q.n;
}

static int clear_leaf(uint64_t va, uint64_t *pte, void *ctx)
{
    (void)va; (void)ctx;
    *pte = 0;
    return 0;
}

/* New rights; A and D stay as they are, so the pager never loses the news
 * that a page was written (the hardware, or vm_fix_ad, sets D again on
 * the next write if it was clear). */
static int narrow_leaf(uint64_t va, uint64_t *pte, void *ctx)
{
    uint64_t set = *(const uint64_t *)ctx;
    (void)va;
    uint64_t old = *pte;
    while (!pte_replace(pte, &old, (old & ~(PTE_R | PTE_W | PTE_X)) | set))
        ;
    return 0;
}

static bool table_empty(const uint64_t *t)
{
    for (int i = 0; i < PT_ENTRIES; i++)
        if (t[i])
            return false;
    return true;
}

/* Give back the tables of s in [va, va + npages pages) that unmapping left
 * empty, leaf tables and then the tables above them, so what a space holds
 * in tables follows what it has mapped now, not what it ever mapped (a
 * process that pages through more than memory stays within its quota).
 * The walk caches may hold the freed tables: the whole ASID is flushed. */
static void prune(struct space *s, uint64_t va, uint64_t npages)
{
    uint64_t end = va + npages * PAGE_SIZE, next;
    bool freed = false;
    for (; va < end; va = next) {
        uint64_t *pte2 = &s->root[VPN(va, 2)];
        next = ALIGN_DOWN(va, MEGAPAGE_SIZE) + MEGAPAGE_SIZE;
        if (!(*pte2 & PTE_V) || (*pte2 & PTE_LEAF_MASK)) {
            next = ALIGN_DOWN(va, GIGAPAGE_SIZE) + GIGAPAGE_SIZE;
            continue;
        }
        uint64_t *mid = (uint64_t *)PTE_TO_PA(*pte2), *pte1 = &mid[VPN(va, 1)];
        if ((*pte1 & PTE_V) && !(*pte1 & PTE_LEAF_MASK) &&
            table_empty((const uint64_t *)PTE_TO_PA(*pte1))) {
            space_leaf_table_freed(s, (const uint64_t *)PTE_TO_PA(*pte1));
            kfree_page((void *)PTE_TO_PA(*pte1));
            *pte1 = 0;
            s->tables--;
            freed = true;
        }
        if ((next >= end || VPN(next, 2) != VPN(va, 2)) && table_empty(mid)) {
            kfree_page(mid);
            *pte2 = 0;
            s->tables--;
            freed = true;
        }
    }
    if (freed)
        sfence_vma_asid(s->asid);
}

uint64_t vm_unmap_range(struct space *s, uint64_t va, uint64_t npages)
{
    uint64_t n = for_each_leaf(s->root, va, npages, clear_leaf, NULL);
    if (n)
        prune(s, va, npages);
    return n;
}

uint64_t vm_protect_range(uint64_t *root, uint64_t va, uint64_t npages, uint64_t pte_rights)
{
    return for_each_leaf(root, va, npages, narrow_leaf, &pte_rights);
}

/* KSYS_AS_ACCESSED: bit i of a and d for page base + i. */
struct access_walk {
    uint64_t base, flags;
    uint64_t *a, *d;
};

static int access_leaf(uint64_t va, uint64_t *pte, void *ctx)
{
    struct access_walk *w = ctx;
    uint64_t i = (va - w->base) >> PAGE_SHIFT, bit = 1UL << (i % KINE_ACCESS_WORD_BITS);
    /* read and change in one step: another hart's walker may set D now */
    uint64_t old = w->flags & KINE_ACCESS_UNMAP ? pte_and(pte, 0) :
                   w->flags & KINE_ACCESS_CLEAR ? pte_and(pte, ~PTE_A) : *pte;
    if (old & PTE_A)
        w->a[i / KINE_ACCESS_WORD_BITS] |= bit;
    if (old & PTE_D)
        w->d[i / KINE_ACCESS_WORD_BITS] |= bit;
    return 0;
}

uint64_t vm_access_range(struct space *s, uint64_t va, uint64_t npages, uint64_t flags,
                         uint64_t *a, uint64_t *d)
{
    struct access_walk w = { va, flags, a, d };
    memset(a, 0, KINE_ACCESS_WORDS(npages) * sizeof(uint64_t));
    memset(d, 0, KINE_ACCESS_WORDS(npages) * sizeof(uint64_t));
    uint64_t n = for_each_leaf(s->root, va, npages, access_leaf, &w);
    if (n && (flags & KINE_ACCESS_UNMAP))
        prune(s, va, npages);
    return n;
}
