/* Flattened device tree (DTSpec v0.3) walker.  Every offset and length is
 * checked against the blob before use: the blob comes from outside. */
#include <string.h>
#include <kinelib/fdt.h>
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

/* The structure block as it is walked: where we are, and for each open
 * node its name, the cells its children use, its first reg address, and
 * whether it is the test finisher. */
struct walk {
    const uint8_t *s;               /* structure block */
    uint32_t size, pos;
    const char *strs;               /* strings block */
    uint32_t size_strings;
    int depth, have_mem;
    uint32_t acells[FDT_MAX_DEPTH + 1], scells[FDT_MAX_DEPTH + 1];
    const char *name[FDT_MAX_DEPTH + 1];
    uint64_t reg0[FDT_MAX_DEPTH + 1];
    int has_reg[FDT_MAX_DEPTH + 1], is_finisher[FDT_MAX_DEPTH + 1];
};

/* Check the header and find the two blocks: 0 or -KINE_EINVAL. */
static int read_header(const uint8_t *b, size_t maxlen, struct walk *w)
{
    if (!b || maxlen < FDT_HEADER_SIZE || be32(b) != FDT_MAGIC)
        return -KINE_EINVAL;
    uint32_t total = be32(b + 4), off_struct = be32(b + 8), off_strings = be32(b + 12);
    uint32_t version = be32(b + 20), size_strings = be32(b + 32), size_struct = be32(b + 36);
    if (total > maxlen || total < FDT_HEADER_SIZE || version < 17)
        return -KINE_EINVAL;
    if (off_struct > total || size_struct > total - off_struct ||
        off_strings > total || size_strings > total - off_strings || (off_struct & 3))
        return -KINE_EINVAL;
    w->s = b + off_struct;
    w->size = size_struct;
    w->strs = (const char *)b + off_strings;
    w->size_strings = size_strings;
    w->acells[0] = 2;
    w->scells[0] = 1;
    w->name[0] = "";
    return 0;
}

static int begin_node(struct walk *w)
{
    size_t l = strnlen((const char *)w->s + w->pos, w->size - w->pos);
    if (l == w->size - w->pos || w->depth >= FDT_MAX_DEPTH)
        return -KINE_EINVAL;
    int d = ++w->depth;
    w->name[d] = (const char *)w->s + w->pos;
    w->acells[d] = 2;
    w->scells[d] = 1;
    w->has_reg[d] = w->is_finisher[d] = 0;
    w->pos += (uint32_t)((l + 1 + 3) & ~(size_t)3);
    return 0;
}

static int end_node(struct walk *w, struct fdt_info *out)
{
    int d = w->depth;
    if (d == 0)
        return -KINE_EINVAL;
    if (w->is_finisher[d] && w->has_reg[d] && !out->finisher_pa)
        out->finisher_pa = w->reg0[d];
    w->depth--;
    return 0;
}

/* What one property of the node at w->depth tells us. */
static int use_property(struct walk *w, const char *pname, const uint8_t *val, uint32_t len,
                        struct fdt_info *out)
{
    int d = w->depth;
    /* a node's own cells properties describe its children */
    if (strcmp(pname, "#address-cells") == 0 && len == 4)
        w->acells[d] = be32(val);        /* 0 and 3 exist (interrupt, PCI) */
    else if (strcmp(pname, "#size-cells") == 0 && len == 4)
        w->scells[d] = be32(val);
    uint32_t pa = w->acells[d - 1], ps = w->scells[d - 1];
    int cells_ok = (pa == 1 || pa == 2) && ps <= 2;   /* ones we can read */
    int top = d == 2;
    if (top && strncmp(w->name[2], "memory", 6) == 0 && !w->have_mem &&
        strcmp(pname, "reg") == 0) {
        if (!cells_ok || len < 4 * (pa + ps) || ps == 0)
            return -KINE_EINVAL;
        out->mem_base = cells(val, pa);
        out->mem_size = cells(val + 4 * pa, ps);
        w->have_mem = 1;
    } else if (top && strcmp(w->name[2], "chosen") == 0 && strcmp(pname, "bootargs") == 0 &&
               len > 0) {
        if (val[len - 1] != 0)
            return -KINE_EINVAL;
        out->bootargs = (const char *)val;
        out->bootargs_len = len - 1;
    } else if (top && strcmp(w->name[2], "cpus") == 0 &&
               strcmp(pname, "timebase-frequency") == 0) {
        if (len == 4 || len == 8)
            out->timebase_hz = cells(val, len / 4);
    } else if (strcmp(pname, "compatible") == 0) {
        w->is_finisher[d] = has_string((const char *)val, len, "sifive,test0");
    } else if (strcmp(pname, "reg") == 0 && cells_ok && len >= 4 * pa) {
        w->reg0[d] = cells(val, pa);
        w->has_reg[d] = 1;
    }
    return 0;
}

/* A property token: check it lies within the blocks, then use it. */
static int property(struct walk *w, struct fdt_info *out)
{
    if (w->pos > w->size - 8)
        return -KINE_EINVAL;
    uint32_t len = be32(w->s + w->pos), nameoff = be32(w->s + w->pos + 4);
    w->pos += 8;
    if (len > w->size - w->pos || nameoff >= w->size_strings ||
        strnlen(w->strs + nameoff, w->size_strings - nameoff) == w->size_strings - nameoff)
        return -KINE_EINVAL;
    const uint8_t *val = w->s + w->pos;
    w->pos += (len + 3) & ~3u;
    if (w->depth == 0)
        return -KINE_EINVAL;             /* properties live inside nodes */
    return use_property(w, w->strs + nameoff, val, len, out);
}

int fdt_parse(const void *blob, size_t maxlen, struct fdt_info *out)
{
    struct walk w = { 0 };
    memset(out, 0, sizeof(*out));
    if (read_header(blob, maxlen, &w))
        return -KINE_EINVAL;
    for (;;) {
        if (w.size < 4 || w.pos > w.size - 4)
            return -KINE_EINVAL;
        uint32_t tok = be32(w.s + w.pos);
        int err = 0;
        w.pos += 4;
        switch (tok) {
        case FDT_BEGIN_NODE: err = begin_node(&w); break;
        case FDT_END_NODE:   err = end_node(&w, out); break;
        case FDT_PROP:       err = property(&w, out); break;
        case FDT_NOP:        break;
        case FDT_END:
            return w.depth != 0 || !w.have_mem || out->mem_size == 0 ? -KINE_EINVAL : 0;
        default:
            return -KINE_EINVAL;
        }
        if (err)
            return err;
    }
}
