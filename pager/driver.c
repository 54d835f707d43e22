/* Driver tasks: programs of the boot image that drive a device for the
 * system, started by the pager before init.  Each gets the registers of
 * the first device the device tree lists with its compatible string
 * (KSYS_DEV_MAP, at KINE_DRIVER_MMIO_VA; their address is its argv[1]) and
 * that device's interrupt (KSYS_IRQ_BIND).  A driver is a process with pid
 * 0 and no parent that nobody can kill, spawn or exec, and all of its
 * memory is there before it starts (proc.c), so it never faults. */
#include <stdio.h>
#include <string.h>
#include "pager.h"

struct driver_spec {
    const char *program;
    const char *compatible;
    void (*started)(kine_tid_t tid);
    void (*gone)(kine_tid_t tid);
};

static const struct driver_spec specs[] = {
    { "uart", "ns16550a", tty_set_driver, tty_driver_gone },
};

bool driver_name(const char *name)
{
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
        if (strcmp(specs[i].program, name) == 0)
            return true;
    return false;
}

static const struct kine_device *find_device(const char *compatible)
{
    for (uint64_t i = 0; i < pg.bi->ndevices && i < KINE_DEVICES_MAX; i++)
        if (strcmp(pg.bi->devices[i].compatible, compatible) == 0)
            return &pg.bi->devices[i];
    return NULL;
}

/* Before the driver's thread starts: its device's pages and interrupt. */
static int64_t give_device(struct proc *p, void *ctx)
{
    const struct kine_device *d = ctx;
    uint64_t pa = KINE_PAGE_DOWN(d->base);
    uint64_t pages = (KINE_PAGE_UP(d->base + d->size) - pa) / KINE_PAGE_SIZE;
    int64_t r = kine_dev_map(p->mm.as, KINE_DRIVER_MMIO_VA, pa, pages);
    if (r == 0 && d->irq)
        r = kine_irq_bind(d->irq, p->tid);
    return r;
}

void drivers_start(void)
{
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        const struct driver_spec *s = &specs[i];
        const struct kine_device *d = find_device(s->compatible);
        char regs[24];
        kine_tid_t tid = 0;
        if (!d) {
            pager_log("no %s device: %s not started", s->compatible, s->program);
            continue;
        }
        snprintf(regs, sizeof(regs), "%#lx",
                 (unsigned long)(KINE_DRIVER_MMIO_VA + (d->base - KINE_PAGE_DOWN(d->base))));
        char *argv[] = { (char *)s->program, regs, NULL };
        int64_t r = proc_spawn_driver(2, argv, give_device, (void *)d, &tid);
        if (r < 0) {
            pager_log("cannot start %s: error %ld", s->program, (long)r);
            continue;
        }
        pager_log("started %s for %s at %#lx, interrupt %lu", s->program, s->compatible,
                  (unsigned long)d->base, (unsigned long)d->irq);
        s->started(tid);
    }
}

void driver_exited(struct proc *p)
{
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
        if (strcmp(specs[i].program, p->name) == 0)
            specs[i].gone(p->tid);
}
