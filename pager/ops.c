/* The pager core's side of struct pager_ops: the frame table, the pool
 * window for zeroing and copying, and the map/protect/unmap system calls. */
#include <string.h>
#include "pager.h"

/* Every frame a process gets comes from here.  With pager.failalloc=N,
 * every Nth allocation made while serving a process other than init fails
 * as if memory had run out (init must survive to report the verdict). */
int64_t pager_frame_alloc(void)
{
    if (pg.fail_every && pg.serving && pg.serving->pid != INIT_PID &&
        ++pg.alloc_calls % pg.fail_every == 0)
        return -KINE_ENOMEM;
    int64_t f = frame_alloc(&pg.frames);
    if (f >= 0) {
        uint64_t used = pg.frames.nframes - pg.frames.nfree;
        if (used > pg.stats.frames_peak)
            pg.stats.frames_peak = used;
    }
    return f;
}

static int64_t op_alloc(void *ctx) { (void)ctx; return pager_frame_alloc(); }
static uint64_t op_nfree(void *ctx) { (void)ctx; return pg.frames.nfree; }

static int op_ref(void *ctx, uint32_t f) { (void)ctx; return frame_ref(&pg.frames, f); }

static int op_unref(void *ctx, uint32_t f)
{
    (void)ctx;
    int r = frame_unref(&pg.frames, f);
    if (r < 0)
        pager_log("BUG: release of free frame %u", f);
    return r;
}

static uint32_t op_refcount(void *ctx, uint32_t f) { (void)ctx; return frame_refcount(&pg.frames, f); }
static void op_zero(void *ctx, uint32_t f) { (void)ctx; memset(frame_ptr(f), 0, KINE_PAGE_SIZE); }

static void op_copy(void *ctx, uint32_t dst, uint32_t src)
{
    (void)ctx;
    memcpy(frame_ptr(dst), frame_ptr(src), KINE_PAGE_SIZE);
}

static int op_map(void *ctx, kine_as_t as, uint64_t va, unsigned rights, uint32_t f)
{
    (void)ctx;
    if (pg.batch.n && pg.batch.as != as) {
        int err = batch_flush(&pg.batch);
        if (err)
            return err;
    }
    pg.batch.as = as;
    return batch_add(&pg.batch, va, rights, f);
}

/* While a fault is answered the queue stays for KSYS_MAP_REPLY_RECV, which
 * maps it and resumes the thread in one trap (main.c). */
static int op_map_flush(void *ctx, kine_as_t as)
{
    (void)ctx; (void)as;
    return pg.defer_flush ? 0 : batch_flush(&pg.batch);
}

static void op_map_cancel(void *ctx, kine_as_t as)
{
    (void)ctx;
    if (pg.batch.as == as)
        pg.batch.n = 0;
}

static int64_t op_protect(void *ctx, kine_as_t as, uint64_t va, uint64_t npages, unsigned rights)
{
    (void)ctx;
    return kine_protect(as, va, npages, rights);
}

static int64_t op_unmap(void *ctx, kine_as_t as, uint64_t va, uint64_t npages)
{
    (void)ctx;
    return kine_unmap(as, va, npages);
}

const struct pager_ops pager_ops = {
    .ctx = NULL, .stats = &pg.stats,
    .alloc = op_alloc, .nfree = op_nfree, .ref = op_ref, .unref = op_unref, .refcount = op_refcount,
    .zero = op_zero, .copy = op_copy, .map = op_map, .map_flush = op_map_flush, .map_cancel = op_map_cancel,
    .protect = op_protect, .unmap = op_unmap,
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
    op_unref(NULL, frame_of(node));
}

const struct pm_alloc pm_frame_alloc = { node_get, node_put, NULL };
