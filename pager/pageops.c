/* The pager's memcpy and memset: RVV for long ones when the harts have V,
 * lib/memops.c's word loops otherwise (pageops.h), and pager.vcheck, the
 * boot-time check that both give the same bytes.  Defining memcpy and
 * memset here puts them in front of lib/memops.c's weak ones, so every
 * copy the pager makes (mm.c's page copies and fills included) comes here
 * without its callers knowing. */
#include <string.h>
#include <kinelib/memops.h>
#include "pager.h"
#include "pageops.h"

bool pageops_vector;
static uint64_t vlenb;

/* Leaves that take no stack: no -fstack-check probe (3 instructions and
 * the moves around it in every call). */
#define NO_PROBE __attribute__((optimize("no-stack-check")))

NO_PROBE void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    void *(*copy)(void *restrict, const void *restrict, size_t) = memops_copy;
    if (n >= PAGEOPS_RVV_MIN && pageops_vector)
        copy = rvv_memcpy;
    return copy(dst, src, n);
}

NO_PROBE void *memset(void *dst, int c, size_t n)
{
    void *(*fill)(void *, int, size_t) = memops_set;
    if (n >= PAGEOPS_RVV_MIN && pageops_vector)
        fill = rvv_memset;
    return fill(dst, c, n);
}

void pageops_init(uint64_t bytes)
{
    vlenb = bytes;
    pageops_vector = bytes != 0;
    if (bytes)
        pager_log("pages copied and zeroed with RVV (VLEN %lu)", (unsigned long)(bytes * 8));
    else
        pager_log("pages copied and zeroed with scalar code (no V)");
}

uint64_t pageops_vlenb(void) { return vlenb; }

/* ---- pager.vcheck ---- */

#define CHECK_SPAN  (2 * 4096 + 512)  /* the longest copy, its offsets and guards */
#define GUARD       64                /* bytes either side that must not change */
#define LCG_MUL     6364136223846793005ULL
#define LCG_ADD     1442695040888963407ULL

static uint64_t rand_state = 1;

static uint8_t next_byte(void)
{
    rand_state = rand_state * LCG_MUL + LCG_ADD;
    return (uint8_t)(rand_state >> 56);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = next_byte();
}

static uint8_t src[CHECK_SPAN], want[CHECK_SPAN], got[CHECK_SPAN];

int pageops_check(void)
{
    static const size_t sizes[] = { 0, 1, 7, 64, 255, 256, 257, 1000, 2048, 4095, 4096, 4097,
                                    4096 + 129, 8192 };
    static const size_t offsets[] = { 0, 1, 3, 8, 63, 64 };
    static const int values[] = { 0, 0xa5, -1 };
    unsigned copies = 0, fills = 0, bad = 0;
    if (!vlenb) {
        pager_log("vcheck: no V: nothing to check, scalar copies only");
        return 0;
    }
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
        for (size_t so = 0; so < sizeof(offsets) / sizeof(offsets[0]); so++)
            for (size_t doff = 0; doff < sizeof(offsets) / sizeof(offsets[0]); doff++) {
                size_t n = sizes[si], s = GUARD + offsets[so], d = GUARD + offsets[doff];
                fill_random(src, CHECK_SPAN);
                fill_random(want, CHECK_SPAN);
                memops_copy(got, want, CHECK_SPAN);
                memops_copy(want + d, src + s, n);
                rvv_memcpy(got + d, src + s, n);
                copies++;
                if (memcmp(want, got, CHECK_SPAN) != 0 && !bad++)
                    pager_log("vcheck: MISMATCH: copy of %lu bytes, source +%lu, "
                              "destination +%lu", (unsigned long)n,
                              (unsigned long)offsets[so], (unsigned long)offsets[doff]);
                int c = values[(si + so + doff) % (sizeof(values) / sizeof(values[0]))];
                memops_copy(got, want, CHECK_SPAN);
                memops_set(want + d, c, n);
                rvv_memset(got + d, c, n);
                fills++;
                if (memcmp(want, got, CHECK_SPAN) != 0 && !bad++)
                    pager_log("vcheck: MISMATCH: fill of %lu bytes with %#x at +%lu",
                              (unsigned long)n, (unsigned)c & 0xff, (unsigned long)offsets[doff]);
            }
    if (bad)
        pager_log("vcheck: %u of %u copies and fills differ", bad, copies + fills);
    else
        pager_log("vcheck: %u copies and %u fills with RVV match the scalar loops byte for byte",
                  copies, fills);
    return bad ? -1 : 0;
}
