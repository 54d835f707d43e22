/* The pager core's side of struct pager_ops: the frame table, the pool
 * window for zeroing and copying, and the map/protect/unmap system calls. */
#include <string.h>
#include "pager.h"

static int64_t op_alloc(void *ctx)
{
    (void)ctx;
    int64_t f = frame_alloc(&pg.frames);
    if (f >= 0) {
        uint64_t used = pg.frames.nframes - pg.frames.nfree;
        if (used > pg.stats.frames_peak)
            pg.stats.frames_peak = used;
    }
    return f;
}

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
    .alloc = op_alloc, .ref = op_ref, .unref = op_unref, .refcount = op_refcount,
    .zero = op_zero, .copy = op_copy, .map = op_map, .map_flush = op_map_flush, .map_cancel = op_map_cancel,
    .protect = op_protect, .unmap = op_unmap,
};
