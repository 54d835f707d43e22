/* PGR_BENCH_MAP: the pager times its own map and protect system calls on a
 * scratch address space, so the benchmark suite can report what a batch of
 * N pages costs from the pager's side (docs/benchmarks.md); and
 * PGR_BENCH_PAGEOPS, its own page copy and fill.  Built only
 * with -Dbench_calls=true (the default, for tools/bench); its frames come
 * from the accounted allocator and are all given back before it answers. */
#include <string.h>
#include "pager.h"
#include "pageops.h"

#define BENCH_VA    0x10000000UL
#define BENCH_MAX   4096

/* Map frames[0..n) at BENCH_VA, a batch at a time; 0 or the error. */
static int64_t map_all(kine_as_t as, const uint32_t *frames, uint64_t n)
{
    struct kine_map_entry *e = (struct kine_map_entry *)kine_ipcbuf();
    for (uint64_t done = 0; done < n;) {
        uint64_t k = n - done < KINE_MAP_BATCH ? n - done : KINE_MAP_BATCH;
        for (uint64_t i = 0; i < k; i++) {
            e[i].va_rights = (BENCH_VA + (done + i) * KINE_PAGE_SIZE) | KINE_RIGHT_R | KINE_RIGHT_W;
            e[i].frame = frames[done + i];
        }
        int64_t r = kine_map(as, k);
        if (r < 0)
            return r;
        done += k;
    }
    return 0;
}

void bench_map(struct kine_msg *m)
{
    static uint32_t frames[BENCH_MAX];
    uint64_t n = m->mr[0], t_map = 0, t_ro = 0, t_rw = 0, got = 0;
    int64_t r = 0;
    if (n == 0 || n > BENCH_MAX || n > pg.frames.nfree / 2) {
        reply_status(m, -KINE_EINVAL);
        return;
    }
    int64_t as = kine_as_create(pg.table_limit, 0);
    if (as < 0) {
        reply_status(m, as);
        return;
    }
    for (; got < n; got++) {
        int64_t f = pager_frame_alloc();
        if (f < 0)
            break;
        frames[got] = (uint32_t)f;
    }
    if (got == n) {
        uint64_t t0 = kine_rdinstret();
        r = map_all((kine_as_t)as, frames, n);
        uint64_t t1 = kine_rdinstret();
        int64_t r1 = kine_protect((kine_as_t)as, BENCH_VA, n, KINE_RIGHT_R);
        uint64_t t2 = kine_rdinstret();
        int64_t r2 = kine_protect((kine_as_t)as, BENCH_VA, n, KINE_RIGHT_R | KINE_RIGHT_W);
        uint64_t t3 = kine_rdinstret();
        t_map = t1 - t0;
        t_ro = t2 - t1;
        t_rw = t3 - t2;
        if (r >= 0 && (r1 != (int64_t)n || r2 != (int64_t)n))
            r = -KINE_EINVAL;
    } else {
        r = -KINE_ENOMEM;
    }
    kine_as_destroy((kine_as_t)as);
    for (uint64_t i = 0; i < got; i++)
        frame_unref(&pg.frames, frames[i]);
    reply_status(m, r < 0 ? r : 0);
    m->mr[1] = t_map;
    m->mr[2] = t_ro;
    m->mr[3] = t_rw;
}

/* PGR_BENCH_PAGEOPS: the pager's own memcpy and memset (pageops.c) on two
 * pool frames, through the pool window, forced to the scalar or the RVV
 * loops for the call: what a COW copy and a zero fill cost in the pager. */
void bench_pageops(struct kine_msg *m)
{
    uint64_t vector = m->mr[0];
    if (vector > 1) {
        reply_status(m, -KINE_EINVAL);
        return;
    }
    if (vector && !pageops_vlenb()) {
        reply_status(m, -KINE_ENODEV);
        return;
    }
    int64_t from = pager_frame_alloc(), to = from < 0 ? from : pager_frame_alloc();
    if (to < 0) {
        if (from >= 0)
            frame_unref(&pg.frames, (uint32_t)from);
        reply_status(m, to);
        return;
    }
    uint8_t *src = frame_ptr((uint32_t)from), *dst = frame_ptr((uint32_t)to);
    bool was = pageops_vector;
    pageops_vector = vector;
    /* the barriers keep GCC from dropping a copy nobody reads */
    uint64_t t0 = kine_rdinstret();
    memcpy(dst, src, KINE_PAGE_SIZE);
    __asm__ volatile("" ::: "memory");
    uint64_t t1 = kine_rdinstret();
    memset(dst, 0, KINE_PAGE_SIZE);
    __asm__ volatile("" ::: "memory");
    uint64_t t2 = kine_rdinstret();
    pageops_vector = was;
    frame_unref(&pg.frames, (uint32_t)from);
    frame_unref(&pg.frames, (uint32_t)to);
    reply_status(m, 0);
    m->mr[1] = t1 - t0;
    m->mr[2] = t2 - t1;
}
