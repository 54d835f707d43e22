/* FDT reader: facts from a well-formed tree, rejection of malformed ones,
 * and no out-of-bounds access on thousands of random corruptions. */
#include <stdint.h>
#include <string.h>
#include "check.h"
#include <kinelib/fdt.h>
#include <kine/error.h>

/* A tiny FDT writer, enough to build test trees. */
struct fdtb { uint8_t s[4096]; uint32_t sl; char str[1024]; uint32_t strl; };

static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static void tok(struct fdtb *b, uint32_t t) { put32(b->s + b->sl, t); b->sl += 4; }
static void node(struct fdtb *b, const char *name)
{
    tok(b, 1);
    size_t l = strlen(name) + 1;
    memcpy(b->s + b->sl, name, l);
    b->sl += (uint32_t)((l + 3) & ~3u);
}
static void end(struct fdtb *b) { tok(b, 2); }
static void prop(struct fdtb *b, const char *name, const void *val, uint32_t len)
{
    tok(b, 3);
    tok(b, len);
    tok(b, b->strl);
    size_t l = strlen(name) + 1;
    memcpy(b->str + b->strl, name, l);
    b->strl += (uint32_t)l;
    memset(b->s + b->sl, 0, (len + 3) & ~3u);
    memcpy(b->s + b->sl, val, len);
    b->sl += (len + 3) & ~3u;
}
static void prop32(struct fdtb *b, const char *name, uint32_t v)
{
    uint8_t x[4];
    put32(x, v);
    prop(b, name, x, 4);
}
static void prop_cells(struct fdtb *b, const char *name, const uint32_t *v, int n)
{
    uint8_t x[64];
    for (int i = 0; i < n; i++)
        put32(x + 4 * i, v[i]);
    prop(b, name, x, (uint32_t)(4 * n));
}

static size_t finish(struct fdtb *b, uint8_t *out)
{
    tok(b, 9);
    uint32_t off_struct = 40 + 16, off_strings = off_struct + b->sl;
    uint32_t total = off_strings + b->strl;
    memset(out, 0, total);
    put32(out, FDT_MAGIC);
    put32(out + 4, total);
    put32(out + 8, off_struct);
    put32(out + 12, off_strings);
    put32(out + 16, 40);
    put32(out + 20, 17);
    put32(out + 24, 16);
    put32(out + 32, b->strl);
    put32(out + 36, b->sl);
    memcpy(out + off_struct, b->s, b->sl);
    memcpy(out + off_strings, b->str, b->strl);
    return total;
}

/* A tree shaped like QEMU virt's: cells at the root, memory, cpus, chosen,
 * a soc with an interrupt controller (#address-cells 0) and the finisher. */
static size_t build_virt(uint8_t *out, const char *bootargs)
{
    static struct fdtb b;
    memset(&b, 0, sizeof(b));
    node(&b, "");
    prop32(&b, "#address-cells", 2);
    prop32(&b, "#size-cells", 2);
    node(&b, "chosen");
    if (bootargs)
        prop(&b, "bootargs", bootargs, (uint32_t)strlen(bootargs) + 1);
    end(&b);
    node(&b, "memory@80000000");
    prop(&b, "device_type", "memory", 7);
    uint32_t reg[] = { 0, 0x80000000u, 0, 0x8000000u };
    prop_cells(&b, "reg", reg, 4);
    end(&b);
    node(&b, "cpus");
    prop32(&b, "timebase-frequency", 10000000);
    end(&b);
    node(&b, "soc");
    prop32(&b, "#address-cells", 2);
    prop32(&b, "#size-cells", 2);
    node(&b, "plic@c000000");
    prop32(&b, "#address-cells", 0);
    end(&b);
    node(&b, "test@100000");
    uint32_t treg[] = { 0, 0x100000, 0, 0x1000 };
    prop_cells(&b, "reg", treg, 4);
    prop(&b, "compatible", "sifive,test1\0sifive,test0\0syscon", 33);
    end(&b);
    end(&b);
    end(&b);
    return finish(&b, out);
}

int main(void)
{
    static uint8_t blob[8192], bad[8192];
    struct fdt_info fi;
    size_t n = build_virt(blob, "hello a b");

    CHECK(fdt_parse(blob, n, &fi) == 0);
    CHECK(fi.mem_base == 0x80000000u && fi.mem_size == 0x8000000u);
    CHECK(fi.timebase_hz == 10000000);
    CHECK(fi.finisher_pa == 0x100000);
    CHECK(fi.bootargs && strcmp(fi.bootargs, "hello a b") == 0 && fi.bootargs_len == 9);

    n = build_virt(blob, NULL);
    CHECK(fdt_parse(blob, n, &fi) == 0 && fi.bootargs == NULL);

    /* malformed headers */
    memcpy(bad, blob, n);
    bad[0] ^= 1;
    CHECK(fdt_parse(bad, n, &fi) == -KINE_EINVAL);             /* magic */
    CHECK(fdt_parse(blob, n - 1, &fi) == -KINE_EINVAL);        /* totalsize > buffer */
    CHECK(fdt_parse(blob, 10, &fi) == -KINE_EINVAL);           /* shorter than a header */
    CHECK(fdt_parse(NULL, 100, &fi) == -KINE_EINVAL);
    memcpy(bad, blob, n);
    put32(bad + 8, 0xfffffff0u);
    CHECK(fdt_parse(bad, n, &fi) == -KINE_EINVAL);             /* struct offset */
    memcpy(bad, blob, n);
    put32(bad + 36, 0x7ffffff0u);
    CHECK(fdt_parse(bad, n, &fi) == -KINE_EINVAL);             /* struct size */
    memcpy(bad, blob, n);
    put32(bad + 20, 16);
    CHECK(fdt_parse(bad, n, &fi) == -KINE_EINVAL);             /* version */

    /* malformed structure: no memory node; unbalanced nodes; prop at root level */
    {
        static struct fdtb b;
        memset(&b, 0, sizeof(b));
        node(&b, "");
        node(&b, "chosen");
        end(&b);
        end(&b);
        n = finish(&b, bad);
        CHECK(fdt_parse(bad, n, &fi) == -KINE_EINVAL);
        memset(&b, 0, sizeof(b));
        node(&b, "");
        node(&b, "memory@0");
        uint32_t reg[] = { 0, 0x80000000u, 0, 0x1000 };
        prop_cells(&b, "reg", reg, 4);
        end(&b);
        n = finish(&b, bad);                 /* root never closed */
        CHECK(fdt_parse(bad, n, &fi) == -KINE_EINVAL);
        memset(&b, 0, sizeof(b));
        prop32(&b, "x", 1);
        n = finish(&b, bad);
        CHECK(fdt_parse(bad, n, &fi) == -KINE_EINVAL);
        memset(&b, 0, sizeof(b));
        node(&b, "");
        node(&b, "chosen");
        prop(&b, "bootargs", "abc", 3);      /* not NUL-terminated */
        end(&b);
        end(&b);
        n = finish(&b, bad);
        CHECK(fdt_parse(bad, n, &fi) == -KINE_EINVAL);
    }

    /* random corruption: must never read out of bounds (ASan watches) */
    unsigned seed = 12345;
    n = build_virt(blob, "x");
    int rejected = 0;
    for (int i = 0; i < 20000; i++) {
        memcpy(bad, blob, n);
        int flips = 1 + (int)(check_rand(&seed) % 4);
        for (int k = 0; k < flips; k++)
            bad[check_rand(&seed) % n] = (uint8_t)check_rand(&seed);
        rejected += fdt_parse(bad, n, &fi) != 0;
    }
    CHECK(rejected > 0);
    return check_done("fdt");
}
