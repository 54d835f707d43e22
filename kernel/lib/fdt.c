/* Flattened device tree (DTSpec v0.3) walker.  Every offset and length is
 * checked against the blob before use: the blob comes from outside. */
#include <string.h>
#include "fdt.h"
#include <kine/error.h>

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define FDT_MAX_DEPTH  16
#define FDT_HEADER_SIZE 40

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Read a number of `cells` 32-bit cells (1 or 2). */
static uint64_t cells(const uint8_t *p, uint32_t n)
{
    return n == 2 ? (uint64_t)be32(p) << 32 | be32(p + 4) : be32(p);
}

static int has_string(const char *list, uint32_t len, const char *want)
{
    size_t wl = strlen(want);
    for (uint32_t i = 0; i < len;) {
        size_t l = strnlen(list + i, len - i);
        if (l == wl && memcmp(list + i, want, wl) == 0)
            return 1;
        i += (uint32_t)l + 1;
    }
    return 0;
}

int fdt_parse(const void *blob, size_t maxlen, struct fdt_info *out)
{
    const uint8_t *b = blob;
    memset(out, 0, sizeof(*out));
    if (!blob || maxlen < FDT_HEADER_SIZE || be32(b) != FDT_MAGIC)
        return -KINE_EINVAL;
    uint32_t total = be32(b + 4), off_struct = be32(b + 8), off_strings = be32(b + 12);
    uint32_t version = be32(b + 20), size_strings = be32(b + 32), size_struct = be32(b + 36);
    if (total > maxlen || total < FDT_HEADER_SIZE || version < 17)
        return -KINE_EINVAL;
    if (off_struct > total || size_struct > total - off_struct ||
        off_strings > total || size_strings > total - off_strings || (off_struct & 3))
        return -KINE_EINVAL;

    const uint8_t *s = b + off_struct;
    const char *strs = (const char *)b + off_strings;
    uint32_t pos = 0;
    int depth = 0, have_mem = 0;
    /* #address-cells / #size-cells that apply to the children of each depth */
    uint32_t acells[FDT_MAX_DEPTH + 1], scells[FDT_MAX_DEPTH + 1];
    const char *name[FDT_MAX_DEPTH + 1];
    /* per open node: its first reg address, and whether it is the finisher */
    uint64_t reg0[FDT_MAX_DEPTH + 1];
    int has_reg[FDT_MAX_DEPTH + 1], is_finisher[FDT_MAX_DEPTH + 1];
    acells[0] = 2; scells[0] = 1;
    name[0] = "";

    for (;;) {
        if (size_struct < 4 || pos > size_struct - 4)
            return -KINE_EINVAL;
        uint32_t tok = be32(s + pos);
        pos += 4;
        switch (tok) {
        case FDT_BEGIN_NODE: {
            size_t l = strnlen((const char *)s + pos, size_struct - pos);
            if (l == size_struct - pos || depth >= FDT_MAX_DEPTH)
                return -KINE_EINVAL;
            depth++;
            name[depth] = (const char *)s + pos;
            acells[depth] = 2; scells[depth] = 1;
            has_reg[depth] = is_finisher[depth] = 0;
            pos += (uint32_t)((l + 1 + 3) & ~(size_t)3);
            break;
        }
        case FDT_END_NODE:
            if (depth == 0)
                return -KINE_EINVAL;
            if (is_finisher[depth] && has_reg[depth] && !out->finisher_pa)
                out->finisher_pa = reg0[depth];
            depth--;
            break;
        case FDT_PROP: {
            if (pos > size_struct - 8)
                return -KINE_EINVAL;
            uint32_t len = be32(s + pos), nameoff = be32(s + pos + 4);
            pos += 8;
            if (len > size_struct - pos || nameoff >= size_strings ||
                strnlen(strs + nameoff, size_strings - nameoff) == size_strings - nameoff)
                return -KINE_EINVAL;
            const char *pname = strs + nameoff;
            const uint8_t *val = s + pos;
            pos += (len + 3) & ~3u;
            if (depth == 0)
                return -KINE_EINVAL;     /* properties live inside nodes */
            /* a node's own cells properties describe its children */
            if (strcmp(pname, "#address-cells") == 0 && len == 4) {
                acells[depth] = be32(val);   /* 0 and 3 exist (interrupt, PCI) */
            } else if (strcmp(pname, "#size-cells") == 0 && len == 4) {
                scells[depth] = be32(val);
            }
            uint32_t pa = acells[depth - 1], ps = scells[depth - 1];
            int cells_ok = (pa == 1 || pa == 2) && ps <= 2;   /* ones we can read */
            int is_memory = depth == 2 && strncmp(name[2], "memory", 6) == 0;
            if (is_memory && !have_mem && strcmp(pname, "reg") == 0) {
                if (!cells_ok || len < 4 * (pa + ps) || ps == 0)
                    return -KINE_EINVAL;
                out->mem_base = cells(val, pa);
                out->mem_size = cells(val + 4 * pa, ps);
                have_mem = 1;
            } else if (depth == 2 && strcmp(name[2], "chosen") == 0 &&
                       strcmp(pname, "bootargs") == 0 && len > 0) {
                if (val[len - 1] != 0)
                    return -KINE_EINVAL;
                out->bootargs = (const char *)val;
                out->bootargs_len = len - 1;
            } else if (depth == 2 && strcmp(name[2], "cpus") == 0 &&
                       strcmp(pname, "timebase-frequency") == 0) {
                if (len == 4 || len == 8)
                    out->timebase_hz = cells(val, len / 4);
            } else if (strcmp(pname, "compatible") == 0) {
                is_finisher[depth] = has_string((const char *)val, len, "sifive,test0");
            } else if (strcmp(pname, "reg") == 0 && cells_ok && len >= 4 * pa) {
                reg0[depth] = cells(val, pa);
                has_reg[depth] = 1;
            }
            break;
        }
        case FDT_NOP:
            break;
        case FDT_END:
            if (depth != 0 || !have_mem || out->mem_size == 0)
                return -KINE_EINVAL;
            return 0;
        default:
            return -KINE_EINVAL;
        }
    }
}
