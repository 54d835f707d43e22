/* memcpy and memset for kine: the kernel, the pager and every program link
 * these instead of picolibc's.  Debian's picolibc for rv64imac ships the
 * size-optimised byte loops (about 6 instructions a byte), which made every
 * 4 KiB page copy or clear cost 16-24 thousand instructions; these move
 * eight aligned 64-bit words per iteration (docs/benchmarks.md).
 * The attribute keeps GCC from turning the loops back into calls to
 * memcpy/memset, i.e. into themselves.  memcpy and memset are weak names
 * of memops_copy and memops_set, so that an image may put its own in
 * front and still call these (the pager's dispatch to RVV, pager/pageops.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <kinelib/memops.h>

#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#define WORD sizeof(uint64_t)

NO_LIBCALLS void *memops_copy(void *restrict dst, const void *restrict src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & (WORD - 1)) == 0) {
        uint64_t *dw = (uint64_t *)d;
        const uint64_t *sw = (const uint64_t *)s;
        for (; n >= 8 * WORD; n -= 8 * WORD, dw += 8, sw += 8) {
            uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            uint64_t f = sw[4], g = sw[5], h = sw[6], i = sw[7];
            dw[0] = a; dw[1] = b; dw[2] = c; dw[3] = e;
            dw[4] = f; dw[5] = g; dw[6] = h; dw[7] = i;
        }
        for (; n >= WORD; n -= WORD)
            *dw++ = *sw++;
        d = (uint8_t *)dw;
        s = (const uint8_t *)sw;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

NO_LIBCALLS void *memops_set(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    uint8_t byte = (uint8_t)c;
    for (; n && ((uintptr_t)d & (WORD - 1)); n--)
        *d++ = byte;
    uint64_t v = 0x0101010101010101ULL * byte;
    uint64_t *dw = (uint64_t *)d;
    for (; n >= 8 * WORD; n -= 8 * WORD, dw += 8) {
        dw[0] = v; dw[1] = v; dw[2] = v; dw[3] = v;
        dw[4] = v; dw[5] = v; dw[6] = v; dw[7] = v;
    }
    for (; n >= WORD; n -= WORD)
        *dw++ = v;
    d = (uint8_t *)dw;
    while (n--)
        *d++ = byte;
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
    __attribute__((weak, alias("memops_copy")));
void *memset(void *dst, int c, size_t n) __attribute__((weak, alias("memops_set")));
