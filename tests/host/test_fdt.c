/* FDT reader: facts from a well-formed tree, rejection of malformed ones,
 * and no out-of-bounds access on thousands of random corruptions. */
#include <stdint.h>
#include <string.h>
#include "check.h"
#include <kinelib/fdt.h>
#include <kine/error.h>

/* A tiny FDT writer, enough to build test trees. */
struct fdtb { uint8_t s[8192]; uint32_t sl; char str[2048]; uint32_t strl; };

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
 * a soc (ranges 1:1) with the PLIC (#address-cells 0), the CLINT, the
 * finisher, a UART and two virtio slots; a device outside the soc; a bus
 * whose ranges translate (its child is not reported); a device whose
 * interrupt parent is not the PLIC. */
#define PLIC_PHANDLE 3
#define CPU_INTC_PHANDLE 2
static void reg4(struct fdtb *b, uint32_t base, uint32_t size)
{
    uint32_t reg[] = { 0, base, 0, size };
    prop_cells(b, "reg", reg, 4);
}
static void irq_dev(struct fdtb *b, const char *name, const char *compat, uint32_t base,
                    uint32_t size, uint32_t irq, uint32_t parent)
{
    node(b, name);
    prop32(b, "interrupts", irq);
    prop32(b, "interrupt-parent", parent);
    reg4(b, base, size);
    prop(b, "compatible", compat, (uint32_t)strlen(compat) + 1);
    end(b);
}
static size_t build_virt(uint8_t *out, const char *bootargs)
{
    static struct fdtb b;
    memset(&b, 0, sizeof(b));
    node(&b, "");
    prop32(&b, "#address-cells", 2);
    prop32(&b, "#size-cells", 2);
    node(&b, "fw-cfg@10100000");
    reg4(&b, 0x10100000, 0x18);
    prop(&b, "compatible", "qemu,fw-cfg-mmio", 17);
    end(&b);
    node(&b, "platform-bus@4000000");
    uint32_t ranges[] = { 0, 0, 0x4000000, 0x2000000 };
    prop_cells(&b, "ranges", ranges, 4);
    prop32(&b, "#address-cells", 1);
    prop32(&b, "#size-cells", 1);
    node(&b, "hidden@0");
    uint32_t hreg[] = { 0, 0x1000 };
    prop_cells(&b, "reg", hreg, 2);
    prop(&b, "compatible", "hidden", 7);
    end(&b);
    end(&b);
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
    prop32(&b, "#address-cells", 1);
    prop32(&b, "#size-cells", 0);
    prop32(&b, "timebase-frequency", 10000000);
    node(&b, "cpu@0");
    prop(&b, "device_type", "cpu", 4);
    prop32(&b, "reg", 0);
    prop(&b, "status", "okay", 5);
    prop(&b, "compatible", "riscv", 6);
    prop(&b, "riscv,isa", "rv64imafdcv_zicsr", 18);
    node(&b, "interrupt-controller");
    prop32(&b, "phandle", CPU_INTC_PHANDLE);
    prop(&b, "interrupt-controller", "", 0);
    prop(&b, "compatible", "riscv,cpu-intc", 15);
    end(&b);
    end(&b);
    node(&b, "cpu@1");                 /* disabled: not a hart to start */
    prop(&b, "device_type", "cpu", 4);
    prop32(&b, "reg", 1);
    prop(&b, "status", "disabled", 9);
    end(&b);
    node(&b, "cpu@5");                 /* no status: enabled */
    prop(&b, "device_type", "cpu", 4);
    prop32(&b, "reg", 5);
    end(&b);
    end(&b);
    node(&b, "soc");
    prop32(&b, "#address-cells", 2);
    prop32(&b, "#size-cells", 2);
    prop(&b, "ranges", "", 0);
    irq_dev(&b, "serial@10000000", "ns16550a", 0x10000000, 0x100, 10, PLIC_PHANDLE);
    node(&b, "test@100000");
    reg4(&b, 0x100000, 0x1000);
    prop(&b, "compatible", "sifive,test1\0sifive,test0\0syscon", 33);
    end(&b);
    irq_dev(&b, "virtio_mmio@10008000", "virtio,mmio", 0x10008000, 0x1000, 8, PLIC_PHANDLE);
    irq_dev(&b, "virtio_mmio@10001000", "virtio,mmio", 0x10001000, 0x1000, 1, PLIC_PHANDLE);
    irq_dev(&b, "other@10200000", "other", 0x10200000, 0x1000, 5, CPU_INTC_PHANDLE);
    node(&b, "plic@c000000");
    prop32(&b, "phandle", PLIC_PHANDLE);
    prop32(&b, "riscv,ndev", 0x60);
    reg4(&b, 0xc000000, 0x600000);
    uint32_t ext[] = { CPU_INTC_PHANDLE, 11, CPU_INTC_PHANDLE, 9 };
    prop_cells(&b, "interrupts-extended", ext, 4);
    prop(&b, "interrupt-controller", "", 0);
    prop(&b, "compatible", "sifive,plic-1.0.0\0riscv,plic0", sizeof("sifive,plic-1.0.0\0riscv,plic0"));
    prop32(&b, "#address-cells", 0);
    end(&b);
    node(&b, "clint@2000000");
    reg4(&b, 0x2000000, 0x10000);
    prop(&b, "compatible", "sifive,clint0\0riscv,clint0", 27);
    end(&b);
    end(&b);
    end(&b);
    return finish(&b, out);
}

static const struct fdt_device *device_at(const struct fdt_info *fi, uint64_t base)
{
    for (unsigned i = 0; i < fi->ndevices; i++)
        if (fi->devices[i].base == base)
            return &fi->devices[i];
    return NULL;
}

/* The machine parts and devices of the built tree. */
static void check_devices(const struct fdt_info *fi)
{
    CHECK(fi->plic.base == 0xc000000 && fi->plic.size == 0x600000);
    CHECK(fi->plic_ndev == 0x60 && fi->plic_context == 1);
    CHECK(fi->clint.base == 0x2000000 && fi->clint.size == 0x10000);
    CHECK(fi->finisher.base == 0x100000 && fi->finisher.size == 0x1000);
    CHECK(fi->ndevices == 5 && fi->devices_dropped == 0);
    CHECK(fi->nharts == 2 && fi->harts[0] == 0 && fi->harts[1] == 5);
    const struct fdt_device *d = device_at(fi, 0x10000000);
    CHECK(d && d->size == 0x100 && d->irq == 10 && strcmp(d->compatible, "ns16550a") == 0);
    d = device_at(fi, 0x10008000);
    CHECK(d && d->size == 0x1000 && d->irq == 8 && strcmp(d->compatible, "virtio,mmio") == 0);
    d = device_at(fi, 0x10001000);
    CHECK(d && d->irq == 1);
    d = device_at(fi, 0x10100000);
    CHECK(d && d->irq == 0 && strcmp(d->compatible, "qemu,fw-cfg-mmio") == 0);
    d = device_at(fi, 0x10200000);
    CHECK(d && d->irq == 0);                       /* its interrupt parent is no PLIC */
    CHECK(!device_at(fi, 0) && !device_at(fi, 0x4000000));   /* behind translating ranges */
    CHECK(!device_at(fi, 0xc000000) && !device_at(fi, 0x2000000) && !device_at(fi, 0x100000) &&
          !device_at(fi, 0x80000000u));            /* machine parts and RAM are no devices */
}

/* QEMU's own tree (qemu-system-riscv64 -machine virt,dumpdtb=FILE), if the
 * build made one: the facts docs/design.md and the kernel rely on. */
static void check_qemu_dtb(const char *path, unsigned harts_v)
{
    static uint8_t dtb[1 << 20];
    struct fdt_info fi;
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    size_t n = fread(dtb, 1, sizeof(dtb), f);
    fclose(f);
    CHECK(fdt_parse(dtb, n, &fi) == 0);
    CHECK(fi.mem_base == 0x80000000u && fi.mem_size == 128u << 20);
    CHECK(fi.plic.base == 0xc000000 && fi.plic.size >= 0x201000);
    CHECK(fi.plic_ndev >= 10 && fi.plic_context == 1);
    CHECK(fi.clint.base == 0x2000000 && fi.finisher_pa == 0x100000);
    CHECK(fi.nharts >= 1 && fi.harts[0] == 0);     /* the dump has hart 0, and any others */
    CHECK(fi.nharts_v == (harts_v ? fi.nharts : 0));
    const struct fdt_device *uart = device_at(&fi, 0x10000000);
    CHECK(uart && uart->irq == 10 && strcmp(uart->compatible, "ns16550a") == 0);
    int slots = 0;
    for (unsigned i = 1; i <= 8; i++) {
        const struct fdt_device *d = device_at(&fi, 0x10000000 + 0x1000 * i);
        slots += d && d->irq == i && d->size == 0x1000 && strcmp(d->compatible, "virtio,mmio") == 0;
    }
    CHECK(slots == 8);
    for (unsigned i = 0; i < fi.ndevices; i++) {
        const struct fdt_device *d = &fi.devices[i];
        CHECK(d->base + d->size <= fi.mem_base || d->base >= fi.mem_base + fi.mem_size);
        CHECK(d->base != fi.plic.base && d->base != fi.clint.base && d->base != fi.finisher_pa);
    }
}

int main(int argc, char **argv)
{
    static uint8_t blob[16384], bad[16384];
    struct fdt_info fi;
    size_t n = build_virt(blob, "hello a b");

    CHECK(fdt_parse(blob, n, &fi) == 0);
    CHECK(fi.mem_base == 0x80000000u && fi.mem_size == 0x8000000u);
    CHECK(fi.timebase_hz == 10000000);
    CHECK(fi.finisher_pa == 0x100000);
    CHECK(fi.bootargs && strcmp(fi.bootargs, "hello a b") == 0 && fi.bootargs_len == 9);
    check_devices(&fi);
    CHECK(fi.nharts == 2 && fi.nharts_v == 1);    /* cpu@5 names no V: not every hart */
    if (argc > 1)
        check_qemu_dtb(argv[1], 0);          /* -cpu rv64: no V */
    if (argc > 2)
        check_qemu_dtb(argv[2], 1);          /* -cpu rv64,v=true */

    /* ISA strings: single letters only, up to the first multi-letter one */
    static const char *const with_v[] = { "rv64imafdcv", "rv64imafdcvh_zicsr", "RV64IMACV",
                                          "rv32gcv_zba", "rv64v" };
    static const char *const without_v[] = { "rv64imafdch_zicsr_zve64x", "rv64imac_xventana",
                                              "rv64imaczvl128b", "rv64gc_svinval", "v64imacv",
                                              "rv", "", "rv64imac" };
    for (size_t i = 0; i < sizeof(with_v) / sizeof(with_v[0]); i++)
        CHECK(fdt_isa_has(with_v[i], strlen(with_v[i]) + 1, 'v'));
    for (size_t i = 0; i < sizeof(without_v) / sizeof(without_v[0]); i++)
        CHECK(!fdt_isa_has(without_v[i], strlen(without_v[i]) + 1, 'v'));
    CHECK(!fdt_isa_has("rv64imacv", 8, 'v'));     /* the length bounds the string */
    CHECK(!fdt_isa_has(NULL, 10, 'v'));

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
