/* Driver tasks: programs of the boot image that drive a device for the
 * system, started by the pager before init, one per entry of the table
 * below.  Each gets the first device the device tree lists with its
 * compatible string, and for a virtio driver whose slot holds its kind of
 * device (devprobe.c reads the DeviceID): that device's registers, mapped
 * at KINE_DRIVER_MMIO_VA (KSYS_DEV_MAP), and its interrupt, bound to the
 * driver's thread (KSYS_IRQ_BIND).  A driver that does DMA also gets pool
 * frames at KINE_DRIVER_DMA_VA, zeroed, held in its page map like any page
 * of its own (so the ledger counts them, and they come back when it ends).
 * argv: the program, each DMA frame's physical address, then the address
 * of the device's registers.
 *
 * A driver is a process with pid 0 and no parent that nobody can kill,
 * spawn or exec, and all of its memory is there before it starts
 * (proc.c), so it never faults. */
#include <stdio.h>
#include <string.h>
#include "pager.h"
#include "blk.h"
#include "virtio.h"

#define DRIVER_DMA_MAX 4             /* DMA frames a driver may have */
#define ADDR_CHARS     24            /* "0x" and 16 hex digits, NUL-ended */

struct driver_spec {
    const char *program;
    const char *compatible;
    uint32_t virtio_id;              /* the VIRTIO_ID_* its slot must hold; NONE: not virtio */
    const char *what;                /* its device, for the log */
    unsigned dma_pages;              /* frames for DMA, 0 .. DRIVER_DMA_MAX */
    void (*started)(kine_tid_t tid); /* tid 0: it did not start (no device, or an error) */
    void (*gone)(kine_tid_t tid);
};

static const struct driver_spec specs[] = {
    { "uart", "ns16550a", VIRTIO_ID_NONE, "ns16550a device", 0, tty_set_driver,
      tty_driver_gone },
    { "virtio_blk", "virtio,mmio", VIRTIO_ID_BLOCK, "virtio,mmio slot with a block device", 1,
      blk_driver_started, blk_driver_gone },
};

#define NSPECS (sizeof(specs) / sizeof(specs[0]))

/* What one driver is given, gathered before it is spawned. */
struct driver_setup {
    const struct kine_device *dev;
    uint32_t dma[DRIVER_DMA_MAX];
    unsigned ndma;                   /* allocated for it */
    unsigned dma_given;              /* of those, in its page map (no longer ours) */
};

bool driver_name(const char *name)
{
    for (size_t i = 0; i < NSPECS; i++)
        if (strcmp(specs[i].program, name) == 0)
            return true;
    return false;
}

static const struct kine_device *find_device(const struct driver_spec *s)
{
    for (unsigned i = 0; i < pg.bi->ndevices && i < KINE_DEVICES_MAX; i++)
        if (strcmp(pg.bi->devices[i].compatible, s->compatible) == 0 &&
            (s->virtio_id == VIRTIO_ID_NONE || devprobe_virtio_id(i) == s->virtio_id))
            return &pg.bi->devices[i];
    return NULL;
}

/* The DMA frames go into the driver's page map behind a region of their
 * own; from its mm_install on, each is the process's (a failure gives it
 * back), so only those never offered remain the caller's. */
static int64_t give_dma(struct proc *p, struct driver_setup *st)
{
    struct region *r;
    int err = region_add(&p->mm.regions, KINE_DRIVER_DMA_VA,
                         KINE_DRIVER_DMA_VA + st->ndma * KINE_PAGE_SIZE,
                         KINE_RIGHT_R | KINE_RIGHT_W, REGION_DMA, &r);
    for (unsigned i = 0; !err && i < st->ndma; i++) {
        st->dma_given++;
        err = mm_install(p->env, &p->mm, KINE_DRIVER_DMA_VA + i * KINE_PAGE_SIZE, st->dma[i],
                         r->rights, 0);
    }
    if (err) {
        mm_abort(&pager_ops);
        return err;
    }
    return mm_commit(&pager_ops);
}

/* Before the driver's thread starts: its DMA pages, its device's pages
 * and interrupt. */
static int64_t give_device(struct proc *p, void *ctx)
{
    struct driver_setup *st = ctx;
    const struct kine_device *d = st->dev;
    uint64_t pa = KINE_PAGE_DOWN(d->base);
    uint64_t pages = (KINE_PAGE_UP(d->base + d->size) - pa) / KINE_PAGE_SIZE;
    int64_t r = st->ndma ? give_dma(p, st) : 0;
    if (r == 0)
        r = kine_dev_map(p->mm.as, KINE_DRIVER_MMIO_VA, pa, pages);
    if (r == 0 && d->irq)
        r = kine_irq_bind(d->irq, p->tid);
    return r;
}

static int64_t alloc_dma(const struct driver_spec *s, struct driver_setup *st)
{
    while (st->ndma < s->dma_pages) {
        int64_t f = pager_frame_alloc();
        if (f < 0)
            return f;
        memset(frame_ptr((uint32_t)f), 0, KINE_PAGE_SIZE);   /* nobody's old data */
        st->dma[st->ndma++] = (uint32_t)f;
    }
    return 0;
}

static int64_t start_one(const struct driver_spec *s, struct driver_setup *st, kine_tid_t *tid)
{
    static char addr[DRIVER_DMA_MAX + 1][ADDR_CHARS];
    char *argv[1 + DRIVER_DMA_MAX + 1 + 1];
    unsigned n = 0;
    int64_t r = alloc_dma(s, st);
    for (unsigned i = 0; i < st->ndma; i++)
        snprintf(addr[n++], ADDR_CHARS, "%#lx",
                 (unsigned long)(pg.bi->pool_pa + (uint64_t)st->dma[i] * KINE_PAGE_SIZE));
    uint64_t regs = KINE_DRIVER_MMIO_VA + (st->dev->base - KINE_PAGE_DOWN(st->dev->base));
    snprintf(addr[n++], ADDR_CHARS, "%#lx", (unsigned long)regs);
    argv[0] = (char *)s->program;
    for (unsigned i = 0; i < n; i++)
        argv[1 + i] = addr[i];
    argv[1 + n] = NULL;
    if (r == 0)
        r = proc_spawn_driver((int)(1 + n), argv, give_device, st, tid);
    for (unsigned i = st->dma_given; i < st->ndma; i++)
        frame_unref(&pg.frames, st->dma[i]);                 /* never became its */
    return r;
}

void drivers_start(void)
{
    for (size_t i = 0; i < NSPECS; i++) {
        const struct driver_spec *s = &specs[i];
        struct driver_setup st = { .dev = find_device(s) };
        kine_tid_t tid = 0;
        if (!st.dev) {
            pager_log("no %s: %s not started", s->what, s->program);
            s->started(0);
            continue;
        }
        int64_t r = start_one(s, &st, &tid);
        if (r < 0) {
            pager_log("cannot start %s: error %ld", s->program, (long)r);
            s->started(0);
            continue;
        }
        pager_log("started %s for %s at %#lx, interrupt %lu", s->program, s->compatible,
                  (unsigned long)st.dev->base, (unsigned long)st.dev->irq);
        s->started(tid);
    }
}

void driver_exited(struct proc *p)
{
    for (size_t i = 0; i < NSPECS; i++)
        if (strcmp(specs[i].program, p->name) == 0)
            specs[i].gone(p->tid);
}
