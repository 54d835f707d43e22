/* PGR_BENCH_MAP: the pager times its own map and protect system calls on a
 * scratch address space, so the benchmark suite can report what a batch of
 * N pages costs from the pager's side (docs/benchmarks.md). */
#include <string.h>
#include "pager.h"

#define BENCH_VA    0x10000000UL
#define BENCH_MAX   4096

void bench_map(struct kine_msg *m)
{
    uint64_t n = m->mr[0], t_map = 0, t_ro = 0, t_rw = 0;
    int64_t r = 0;
    memset(m, 0, sizeof(*m));
    if (n == 0 || n > BENCH_MAX || n > pg.frames.nfree / 2) {
        m->mr[0] = (uint64_t)-KINE_EINVAL;
        return;
    }
    int64_t as = kine_as_create(pg.table_limit, 0);
    if (as < 0) {
        m->mr[0] = (uint64_t)as;
        return;
    }
    /* n frames, mapped from the start of the pool's free stack */
    static uint32_t frames[BENCH_MAX];
    uint64_t got = 0;
    for (; got < n; got++) {
        int64_t f = frame_alloc(&pg.frames);
        if (f < 0)
            break;
        frames[got] = (uint32_t)f;
    }
    if (got == n) {
        uint64_t t0 = kine_rdinstret();
        batch_begin(&pg.batch, (kine_as_t)as);
        for (uint64_t i = 0; i < n && r >= 0; i++)
            r = batch_add(&pg.batch, BENCH_VA + i * KINE_PAGE_SIZE,
                          KINE_RIGHT_R | KINE_RIGHT_W, frames[i]);
        if (r >= 0)
            r = batch_flush(&pg.batch);
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
    m->mr[0] = (uint64_t)(r < 0 ? r : 0);
    m->mr[1] = t_map;
    m->mr[2] = t_ro;
    m->mr[3] = t_rw;
}
