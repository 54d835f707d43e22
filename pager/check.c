/* Page tables against the books.  For every live process, the kernel's
 * PTEs (read back with KSYS_AS_QUERY) and the pager's page map must agree
 * entry by entry: the same pages, the same frames, rights within the
 * region's, and every writable PTE on a frame held once and not marked
 * copy-on-write — the COW invariant itself; and a paged-out page has no
 * PTE at all.  The ledger (ledger.c) proves
 * the books agree with themselves; this proves they agree with what the
 * hardware would actually use. */
#include <string.h>
#include "pager.h"

#define REPORT_MAX 8            /* disagreements logged per check */

struct pte_audit { uint64_t bad, logged; };

static void disagree(struct pte_audit *a, const struct proc *p, uint64_t va, const char *what)
{
    if (a->logged++ < REPORT_MAX)
        pager_log("pte check: %s pid %d va 0x%lx: %s", p->name, p->pid, (unsigned long)va, what);
    a->bad++;
}

static void check_entry(struct pte_audit *a, const struct proc *p, const struct kine_map_entry *e)
{
    uint64_t va = e->va_rights & ~(KINE_PAGE_SIZE - 1);
    unsigned rights = (unsigned)(e->va_rights & KINE_RIGHTS_ALL);
    uint32_t f, flags;
    const struct region *r = region_find(&p->mm.regions, va);
    if (!pm_get(&p->mm.pm, va, &f, &flags))
        disagree(a, p, va, "mapped, but not in the page map");
    else if (flags & PM_FLAG_SWAP)
        disagree(a, p, va, "mapped, but paged out in the page map");
    else if (e->frame != f)
        disagree(a, p, va, "mapped to another frame than the page map says");
    else if (!r || (rights & ~r->rights))
        disagree(a, p, va, "rights beyond its region's");
    else if ((rights & KINE_RIGHT_W) && (flags & PM_FLAG_COW))
        disagree(a, p, va, "writable, but marked copy-on-write");
    else if ((rights & KINE_RIGHT_W) &&
             frame_refcount(&pg.frames, f) - paging_transfer_refs(f) != 1)
        disagree(a, p, va, "writable, but its frame is shared");   /* a write to disk
                               under way is no sharer: the page was taken back meanwhile */
}

/* The windows a process's pages may be in: the low one of every program
 * and the high one, where only a driver has pages (its DMA frames). */
static const struct { uint64_t start, end; } windows[] = {
    { KINE_USER_BASE, KINE_USER_LIMIT }, { KINE_HIGH_BASE, KINE_HIGH_LIMIT },
};

/* One window of a process, a batch of PTEs at a time; returns the PTEs
 * seen, or -1 if the kernel would not report them.  Each batch is taken
 * out of the IPC buffer first: a disagreement's log line goes through it. */
static int64_t check_window(struct pte_audit *a, const struct proc *p, uint64_t va, uint64_t end)
{
    static struct kine_map_entry e[KINE_MAP_BATCH];
    int64_t seen = 0;
    while (va < end) {
        int64_t n = kine_as_query(p->mm.as, va, (end - va) / KINE_PAGE_SIZE);
        if (n < 0) {
            disagree(a, p, va, "the kernel would not report its page tables");
            return -1;
        }
        memcpy(e, kine_ipcbuf(), (uint64_t)n * sizeof(e[0]));
        for (int64_t i = 0; i < n; i++)
            check_entry(a, p, &e[i]);
        seen += n;
        if ((uint64_t)n < KINE_MAP_BATCH)
            break;
        va = (e[n - 1].va_rights & ~(KINE_PAGE_SIZE - 1)) + KINE_PAGE_SIZE;
    }
    return seen;
}

/* One process's windows; returns the PTEs seen. */
static uint64_t check_process(struct pte_audit *a, const struct proc *p)
{
    uint64_t seen = 0;
    for (size_t w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
        int64_t n = check_window(a, p, windows[w].start, windows[w].end);
        if (n < 0)
            return seen;
        seen += (uint64_t)n;
    }
    if (seen != p->mm.pm.count - mm_swapped_pages(&p->mm))
        disagree(a, p, 0, "the page map has pages the page tables lack");
    return seen;
}

uint64_t pte_check(uint64_t *pages, uint64_t *procs)
{
    struct pte_audit a = { 0, 0 };
    *pages = *procs = 0;
    for_each_proc(p) {
        if (p->state != P_LIVE)
            continue;
        *pages += check_process(&a, p);
        ++*procs;
    }
    return a.bad;
}
