/* A small, defensive flattened-device-tree reader: pulls out the facts the
 * kernel needs and rejects any blob that is malformed.  Pure; host-tested. */
#ifndef KINE_FDT_H
#define KINE_FDT_H

#include <stdint.h>
#include <stddef.h>

#define FDT_MAGIC 0xd00dfeedu

struct fdt_info {
    uint64_t mem_base, mem_size;     /* first /memory reg entry */
    uint64_t timebase_hz;            /* /cpus/timebase-frequency */
    uint64_t finisher_pa;            /* "sifive,test0" reg, 0 if absent */
    const char *bootargs;            /* /chosen/bootargs, NULL if absent */
    size_t bootargs_len;             /* without the NUL */
};

/* 0 on success, -KINE_EINVAL if the blob is malformed or lacks /memory. */
int fdt_parse(const void *blob, size_t maxlen, struct fdt_info *out);

#endif
