/* The pager core's side of struct pager_ops: the frame table, the pool
 * window for filling and copying frames, and the map/protect/unmap system
 * calls.  Page-map nodes are frames too (pm_frame_alloc). */
#include <string.h>
#include "pager.h"

/* Every frame a process gets comes from here.  With pager.failalloc=N,
 * every Nth allocation made while serving a process other than init fails
 * as if memory had run out (init must survive to report the verdict). */
int64_t pager_frame_alloc(void)
{
    if (pg.fail_every && pg.serving && pg.serving->pid != INIT_PID &&
        ++pg.alloc_calls % pg.fail_every == 0) {
        pg.injected++;
        return -KINE_ENOMEM;
    }
    int64_t f = frame_alloc(&pg.frames);
    if (f >= 0 && pg.frames.nfree < pg.nfree_low)
        pg.nfree_low = pg.frames.nfree;
    return f;
}

static uint64_t op_nfree(void) { return pg.frames.nfree; }
static int op_ref(uint32_t f) { return frame_ref(&pg.frames, f); }

/* The one place a frame's reference is dropped: paging forgets a frame
 * that is free again. */
int pager_frame_unref(uint32_t f)
{
    int r = frame_unref(&pg.frames, f);
    if (r < 0)
        pager_log("BUG: release of free frame %u", f);
    else if (r == 1)
        paging_freed(f);
    return r;
}

/* What policies decide copy-on-write by: the frame's sharers, counting a
 * process that still names the swap slot the frame holds (paging.c). */
static uint32_t op_refcount(uint32_t f)
{
    return frame_refcount(&pg.frames, f) + paging_cache_sharers(f);
}
static void *op_frame(uint32_t f) { return frame_ptr(f); }

/* The entries go through the IPC buffer, where KSYS_MAP reads them. */
static int op_map(kine_as_t as, const struct kine_map_entry *e, uint64_t n)
{
    memcpy(kine_ipcbuf(), e, n * sizeof(*e));
    return (int)kine_map(as, n);
}

static int64_t op_protect(kine_as_t as, uint64_t va, uint64_t npages, unsigned rights)
{
    return kine_protect(as, va, npages, rights);
}

static int64_t op_unmap(kine_as_t as, uint64_t va, uint64_t npages)
{
    return kine_unmap(as, va, npages);
}

static int64_t op_copy_range(kine_as_t src, kine_as_t dst, uint64_t va, uint64_t npages, int cow)
{
    return kine_as_copy(src, dst, va, npages, cow ? KINE_COPY_COW : 0);
}

const struct pager_ops pager_ops = {
    .alloc = pager_frame_alloc, .nfree = op_nfree, .ref = op_ref, .unref = pager_frame_unref,
    .frames = &pg.frames, .freed = paging_freed,
    .refcount = op_refcount, .frame = op_frame, .map = op_map, .protect = op_protect,
    .unmap = op_unmap, .copy_range = op_copy_range,
    .slot_ref = paging_slot_ref, .slot_unref = paging_slot_unref, .placed = paging_placed,
};

/* Page-map nodes are whole frames, reached through the pool window and
 * counted as the process's (ledger.c), so a process that spreads its pages
 * thin pays for the tree it makes, and an emptied node's frame comes back. */
static void *node_get(void *ctx)
{
    (void)ctx;
    int64_t f = pager_frame_alloc();
    if (f < 0)
        return NULL;
    memset(frame_ptr((uint32_t)f), 0, KINE_PAGE_SIZE);
    return frame_ptr((uint32_t)f);
}

static void node_put(void *ctx, void *node)
{
    (void)ctx;
    pager_frame_unref(frame_of(node));
}

/* A node pm_share writes whole: no zeroing first. */
static void *node_get_unzeroed(void *ctx)
{
    (void)ctx;
    int64_t f = pager_frame_alloc();
    return f < 0 ? NULL : frame_ptr((uint32_t)f);
}

const struct pm_alloc pm_frame_alloc = { node_get, node_put, NULL, node_get_unzeroed };
