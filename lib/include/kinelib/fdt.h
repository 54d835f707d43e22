/* A small, defensive flattened-device-tree reader: pulls out the facts the
 * kernel needs and rejects any blob that is malformed.  Pure; host-tested. */
#ifndef KINE_FDT_H
#define KINE_FDT_H

#include <stdint.h>
#include <stddef.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_MAX_DEVICES 32
#define FDT_NO_CONTEXT  (-1)
#define FDT_MAX_HARTS   64

/* One device node: a node with a `compatible` and a `reg` of nonzero size
 * whose addresses are the CPU's (every bus above it maps 1:1, `ranges;`),
 * and which is none of the machine's own parts: memory, an interrupt
 * controller, the CLINT, the test finisher. */
struct fdt_device {
    uint64_t base, size;             /* its first reg entry */
    uint32_t irq;                    /* first PLIC source of `interrupts`, 0 if none */
    const char *compatible;          /* first compatible string, in the blob */
};

struct fdt_range { uint64_t base, size; };   /* size 0: absent */

struct fdt_info {
    uint64_t mem_base, mem_size;     /* first /memory reg entry */
    uint64_t timebase_hz;            /* /cpus/timebase-frequency */
    uint64_t finisher_pa;            /* "sifive,test0" reg, 0 if absent */
    struct fdt_range finisher;       /* ... and its whole range */
    struct fdt_range clint;          /* "riscv,clint0" / "sifive,clint0" */
    struct fdt_range plic;           /* "riscv,plic0" / "sifive,plic-1.0.0" */
    uint32_t plic_ndev;              /* its riscv,ndev: sources 1..ndev */
    int plic_context;                /* its context for hart 0's S-mode external
                                        interrupt, FDT_NO_CONTEXT if not listed */
    uint64_t harts[FDT_MAX_HARTS];   /* hart ids of the enabled cpu nodes */
    unsigned nharts;
    unsigned nharts_v;               /* ... of which riscv,isa names V */
    const char *bootargs;            /* /chosen/bootargs, NULL if absent */
    size_t bootargs_len;             /* without the NUL */
    struct fdt_device devices[FDT_MAX_DEVICES];   /* in tree order */
    unsigned ndevices;
    unsigned devices_dropped;        /* device nodes beyond FDT_MAX_DEVICES */
};

/* Does a riscv,isa string ("rv64imafdcv_zicsr...") name the single-letter
 * extension `ext` (lower case)?  Only the single letters after rv32/rv64
 * count, up to the first multi-letter one. */
int fdt_isa_has(const char *isa, size_t len, char ext);

/* 0 on success, -KINE_EINVAL if the blob is malformed or lacks /memory. */
int fdt_parse(const void *blob, size_t maxlen, struct fdt_info *out);

#endif
