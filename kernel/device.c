/* Devices for user-level drivers: the device nodes of the device tree
 * (lib/fdt.c decides what is one), kept only where their pages lie clear
 * of RAM, the PLIC, the CLINT and the test finisher, and the one call that
 * maps their registers into a task (KSYS_DEV_MAP).  The pager chooses the
 * task; the kernel only makes sure the range is a device's. */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "vm.h"
#include "device.h"
#include <kine/ipc.h>

enum { FORBID_RAM, FORBID_PLIC, FORBID_CLINT, FORBID_FINISHER, FORBID_COUNT };

static struct kine_device devices[KINE_DEVICES_MAX];
static unsigned ndevices;
static struct fdt_range forbidden[FORBID_COUNT];

/* [base, base + size) as whole pages; false if it wraps or leaves Sv39. */
static bool page_span(uint64_t base, uint64_t size, uint64_t *lo, uint64_t *hi)
{
    if (size == 0 || base >= PA_LIMIT || size > PA_LIMIT - base)
        return false;
    *lo = ALIGN_DOWN(base, PAGE_SIZE);
    *hi = ALIGN_UP(base + size, PAGE_SIZE);
    return true;
}

/* Does [lo, hi) touch any page of RAM or the machine's own parts? */
static bool touches_forbidden(uint64_t lo, uint64_t hi)
{
    for (int i = 0; i < FORBID_COUNT; i++) {
        uint64_t flo, fhi;
        if (page_span(forbidden[i].base, forbidden[i].size, &flo, &fhi) && lo < fhi && flo < hi)
            return true;
    }
    return false;
}

unsigned device_init(const struct fdt_info *fi)
{
    forbidden[FORBID_RAM] = (struct fdt_range){ fi->mem_base, fi->mem_size };
    forbidden[FORBID_PLIC] = fi->plic;
    forbidden[FORBID_CLINT] = fi->clint;
    forbidden[FORBID_FINISHER] = fi->finisher;
    for (unsigned i = 0; i < fi->ndevices && ndevices < KINE_DEVICES_MAX; i++) {
        const struct fdt_device *d = &fi->devices[i];
        uint64_t lo, hi;
        if (!page_span(d->base, d->size, &lo, &hi) || touches_forbidden(lo, hi))
            continue;
        struct kine_device *k = &devices[ndevices++];
        k->base = d->base;
        k->size = d->size;
        k->irq = d->irq;
        strncpy(k->compatible, d->compatible, sizeof(k->compatible) - 1);
    }
    return ndevices;
}

void device_bootinfo(struct kine_bootinfo *bi)
{
    bi->ndevices = ndevices;
    memcpy(bi->devices, devices, sizeof(devices));
}

bool device_has_irq(uint64_t src)
{
    for (unsigned i = 0; i < ndevices; i++)
        if (devices[i].irq && devices[i].irq == src)
            return true;
    return false;
}

/* Is [pa, pa + npages pages) within the pages of one device? */
static bool device_range(uint64_t pa, uint64_t npages)
{
    uint64_t end = pa + npages * PAGE_SIZE;          /* npages is small: no wrap */
    for (unsigned i = 0; i < ndevices; i++) {
        uint64_t lo, hi;
        if (page_span(devices[i].base, devices[i].size, &lo, &hi) && pa >= lo && end <= hi)
            return !touches_forbidden(pa, end);
    }
    return false;
}

/* Device registers are mapped read-write, never executable, and owned by
 * the kernel (the pager can neither remap nor unmap them; they go with the
 * space).  QEMU treats these addresses as I/O whatever the PTE says; on a
 * core with Svpbmt the PTE would also say PBMT = IO. */
int64_t device_map(struct space *s, uint64_t va, uint64_t pa, uint64_t npages)
{
    uint64_t *pte[KINE_MAP_BATCH];
    if (!s)
        return -KINE_ESRCH;
    if (npages == 0 || npages > KINE_MAP_BATCH || (pa & (PAGE_SIZE - 1)) || pa >= PA_LIMIT)
        return -KINE_EINVAL;
    if (!vm_user_range_ok(va, npages))
        return -KINE_EFAULT;
    if (!device_range(pa, npages))
        return -KINE_ENODEV;
    for (uint64_t i = 0; i < npages; i++) {
        int err;
        uint64_t *table = vm_leaf_table(s, va + i * PAGE_SIZE, &err);
        if (!table)
            return err;
        pte[i] = &table[VPN(va + i * PAGE_SIZE, 0)];
        if (*pte[i] & PTE_V)
            return -KINE_EBUSY;                      /* unmap it first */
    }
    for (uint64_t i = 0; i < npages; i++) {
        *pte[i] = PA_TO_PTE(pa + i * PAGE_SIZE) | PTE_V | PTE_R | PTE_W | PTE_U | PTE_A |
                  PTE_D | PTE_KERNEL_OWNED;
        sfence_vma_page(va + i * PAGE_SIZE, s->asid);
    }
    return 0;
}
