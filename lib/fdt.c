/* Flattened device tree (DTSpec v0.3) walker.  Every offset and length is
 * checked against the blob before use: the blob comes from outside.  It
 * reports RAM, the timebase, the command line, the machine's own parts
 * (PLIC, CLINT, test finisher), the harts (enabled cpu nodes, and whether
 * each one's riscv,isa names V) and the device nodes user drivers may get. */
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
#define FDT_CELL       4
/* A hart's local interrupt number for the S-mode external interrupt, as a
 * PLIC's interrupts-extended names it (RISC-V privileged spec, mip.SEIP). */
#define FDT_IRQ_S_EXT  9
/* interrupts-extended entries: <phandle irq> (hart controllers use 1 cell) */
#define FDT_IRQ_EXT_CELLS 2

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
    for (uint32_t i = 0; list && i < len;) {
        size_t l = strnlen(list + i, len - i);
        if (l == wl && memcmp(list + i, want, wl) == 0)
            return 1;
        i += (uint32_t)l + 1;
    }
    return 0;
}

/* What the walk knows about one open node. */
struct node {
    const char *name;
    uint32_t acells, scells;        /* what its children's reg use */
    int identity;                   /* its children's addresses are the CPU's */
    uint32_t phandle, iparent;      /* its own phandle; its interrupt parent */
    const char *compat;             /* compatible list, compat_len bytes */
    uint32_t compat_len;
    uint64_t reg_base, reg_size;
    int has_reg, has_irq, intc, is_memory, is_cpu, disabled, isa_v;
    uint32_t irq, ndev;
    int context;                    /* S-mode external context (PLIC) */
};

/* The structure block as it is walked: where we are, and the open nodes. */
struct walk {
    const uint8_t *s;               /* structure block */
    uint32_t size, pos;
    const char *strs;               /* strings block */
    uint32_t size_strings;
    int depth, have_mem, have_plic;
    uint32_t plic_phandle;
    uint32_t dev_iparent[FDT_MAX_DEVICES];
    struct node n[FDT_MAX_DEPTH + 1];
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
    w->n[0].acells = 2;
    w->n[0].scells = 1;
    w->n[0].name = "";
    return 0;
}

static int begin_node(struct walk *w)
{
    size_t l = strnlen((const char *)w->s + w->pos, w->size - w->pos);
    if (l == w->size - w->pos || w->depth >= FDT_MAX_DEPTH)
        return -KINE_EINVAL;
    int d = ++w->depth;
    struct node *n = &w->n[d];
    memset(n, 0, sizeof(*n));
    n->name = (const char *)w->s + w->pos;
    n->acells = 2;
    n->scells = 1;
    n->iparent = w->n[d - 1].iparent;       /* inherited unless it names one */
    n->context = FDT_NO_CONTEXT;
    n->identity = d == 1;                   /* the root's children: CPU addresses */
    w->pos += (uint32_t)((l + 1 + 3) & ~(size_t)3);
    return 0;
}

static int compatible(const struct node *n, const char *a, const char *b)
{
    return has_string(n->compat, n->compat_len, a) || (b && has_string(n->compat, n->compat_len, b));
}

/* A device node for user drivers: see struct fdt_device. */
static void add_device(struct walk *w, const struct node *n, struct fdt_info *out)
{
    if (!n->compat || !n->has_reg || n->reg_size == 0 || n->intc || n->is_memory ||
        !w->n[w->depth - 1].identity || w->depth < 2 ||
        strnlen(n->compat, n->compat_len) == n->compat_len)
        return;
    if (out->ndevices == FDT_MAX_DEVICES) {
        out->devices_dropped++;
        return;
    }
    w->dev_iparent[out->ndevices] = n->has_irq ? n->iparent : 0;
    out->devices[out->ndevices++] = (struct fdt_device){
        .base = n->reg_base, .size = n->reg_size, .irq = n->has_irq ? n->irq : 0,
        .compatible = n->compat,
    };
}

static int end_node(struct walk *w, struct fdt_info *out)
{
    int d = w->depth;
    const struct node *n = &w->n[d];
    struct fdt_range reg = { n->reg_base, n->has_reg ? n->reg_size : 0 };
    if (d == 0)
        return -KINE_EINVAL;
    if (n->is_cpu) {
        if (n->has_reg && !n->disabled && out->nharts < FDT_MAX_HARTS) {
            out->harts[out->nharts++] = n->reg_base;
            out->nharts_v += n->isa_v;
        }
    } else if (compatible(n, "sifive,test0", NULL)) {
        if (n->has_reg && !out->finisher_pa) {
            out->finisher_pa = n->reg_base;
            out->finisher = reg;
        }
    } else if (compatible(n, "riscv,clint0", "sifive,clint0")) {
        if (!out->clint.size)
            out->clint = reg;
    } else if (compatible(n, "riscv,plic0", "sifive,plic-1.0.0")) {
        if (!w->have_plic && reg.size) {
            w->have_plic = 1;
            w->plic_phandle = n->phandle;
            out->plic = reg;
            out->plic_ndev = n->ndev;
            out->plic_context = n->context;
        }
    } else {
        add_device(w, n, out);
    }
    w->depth--;
    return 0;
}

/* The S-mode external interrupt's context: the index of the first
 * <phandle 9> entry of interrupts-extended (hart 0's comes first). */
static int s_context(const uint8_t *val, uint32_t len)
{
    for (uint32_t i = 0; i < len / (FDT_IRQ_EXT_CELLS * FDT_CELL); i++)
        if (be32(val + (i * FDT_IRQ_EXT_CELLS + 1) * FDT_CELL) == FDT_IRQ_S_EXT)
            return (int)i;
    return FDT_NO_CONTEXT;
}

int fdt_isa_has(const char *isa, size_t len, char ext)
{
    size_t i = 0;
    if (!isa)
        return 0;
    len = strnlen(isa, len);
    /* "rv32" or "rv64", either case */
    if (len < 4 || (isa[0] | 0x20) != 'r' || (isa[1] | 0x20) != 'v')
        return 0;
    for (i = 2; i < len && isa[i] >= '0' && isa[i] <= '9'; i++)
        ;
    /* single letters until an underscore or a multi-letter extension
     * (they start with z, s or x) */
    for (; i < len && isa[i] != '_'; i++) {
        char c = (char)(isa[i] | 0x20);
        if (c < 'a' || c > 'z' || c == 'z' || c == 's' || c == 'x')
            break;
        if (c == ext)
            return 1;
    }
    return 0;
}

/* The facts of one property of a top-level node (memory, chosen, cpus):
 * 1 if it was one of them, 0 if not, or -KINE_EINVAL. */
static int top_property(struct walk *w, const char *pname, const uint8_t *val, uint32_t len,
                        struct fdt_info *out)
{
    const char *name = w->n[2].name;
    uint32_t pa = w->n[1].acells, ps = w->n[1].scells;
    if (strncmp(name, "memory", 6) == 0 && !w->have_mem && strcmp(pname, "reg") == 0) {
        if (!((pa == 1 || pa == 2) && ps <= 2) || len < FDT_CELL * (pa + ps) || ps == 0)
            return -KINE_EINVAL;
        out->mem_base = cells(val, pa);
        out->mem_size = cells(val + FDT_CELL * pa, ps);
        w->have_mem = 1;
        return 1;
    }
    if (strcmp(name, "chosen") == 0 && strcmp(pname, "bootargs") == 0 && len > 0) {
        if (val[len - 1] != 0)
            return -KINE_EINVAL;
        out->bootargs = (const char *)val;
        out->bootargs_len = len - 1;
        return 1;
    }
    if (strcmp(name, "cpus") == 0 && strcmp(pname, "timebase-frequency") == 0) {
        if (len == FDT_CELL || len == 2 * FDT_CELL)
            out->timebase_hz = cells(val, len / FDT_CELL);
        return 1;
    }
    return 0;
}

/* What one property of the node at w->depth tells us. */
static int use_property(struct walk *w, const char *pname, const uint8_t *val, uint32_t len,
                        struct fdt_info *out)
{
    int d = w->depth;
    struct node *n = &w->n[d];
    uint32_t pa = w->n[d - 1].acells, ps = w->n[d - 1].scells;
    int one = len == FDT_CELL;
    if (d == 2) {
        int r = top_property(w, pname, val, len, out);
        if (r)
            return r < 0 ? r : 0;
    }
    /* a node's own cells properties describe its children */
    if (strcmp(pname, "#address-cells") == 0 && one)
        n->acells = be32(val);           /* 0 and 3 exist (interrupt, PCI) */
    else if (strcmp(pname, "#size-cells") == 0 && one)
        n->scells = be32(val);
    else if (strcmp(pname, "ranges") == 0)
        n->identity = len == 0 && w->n[d - 1].identity;
    else if (strcmp(pname, "phandle") == 0 && one)
        n->phandle = be32(val);
    else if (strcmp(pname, "interrupt-parent") == 0 && one)
        n->iparent = be32(val);
    else if (strcmp(pname, "interrupts") == 0 && len >= FDT_CELL) {
        n->irq = be32(val);
        n->has_irq = 1;
    } else if (strcmp(pname, "interrupt-controller") == 0)
        n->intc = 1;
    else if (strcmp(pname, "riscv,ndev") == 0 && one)
        n->ndev = be32(val);
    else if (strcmp(pname, "interrupts-extended") == 0)
        n->context = s_context(val, len);
    else if (strcmp(pname, "device_type") == 0) {
        n->is_memory = has_string((const char *)val, len, "memory");
        n->is_cpu = has_string((const char *)val, len, "cpu");
    } else if (strcmp(pname, "status") == 0)
        n->disabled = !has_string((const char *)val, len, "okay") &&
                      !has_string((const char *)val, len, "ok");
    else if (strcmp(pname, "riscv,isa") == 0)
        n->isa_v = fdt_isa_has((const char *)val, len, 'v');
    else if (strcmp(pname, "compatible") == 0) {
        n->compat = (const char *)val;
        n->compat_len = len;
    } else if (strcmp(pname, "reg") == 0 && (pa == 1 || pa == 2) && ps <= 2 &&
               len >= FDT_CELL * (pa + ps)) {
        n->reg_base = cells(val, pa);
        n->reg_size = ps ? cells(val + FDT_CELL * pa, ps) : 0;
        n->has_reg = 1;
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

/* A device's interrupt counts only if its interrupt parent is the PLIC
 * (known only once the whole tree is read: it may come later). */
static void resolve_irqs(const struct walk *w, struct fdt_info *out)
{
    for (unsigned i = 0; i < out->ndevices; i++)
        if (!w->have_plic || w->dev_iparent[i] != w->plic_phandle)
            out->devices[i].irq = 0;
}

int fdt_parse(const void *blob, size_t maxlen, struct fdt_info *out)
{
    struct walk w;
    memset(&w, 0, sizeof(w));
    memset(out, 0, sizeof(*out));
    out->plic_context = FDT_NO_CONTEXT;
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
            if (w.depth != 0 || !w.have_mem || out->mem_size == 0)
                return -KINE_EINVAL;
            resolve_irqs(&w, out);
            return 0;
        default:
            return -KINE_EINVAL;
        }
        if (err)
            return err;
    }
}
