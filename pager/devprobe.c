/* What a device is, where the device tree does not say.  QEMU's virt lists
 * eight "virtio,mmio" slots whether or not anything is plugged into them,
 * and a slot's node does not say which kind of device it holds: only its
 * DeviceID register does.  So that each virtio driver gets its own slot and
 * interrupt, and no driver starts for an empty slot, the pager reads the
 * slot's identity registers itself before it chooses.  It maps the slot's
 * first page into its own space (KINE_PAGER_PROBE_VA, one page per device
 * of the boot information; device pages stay until the space goes, so each
 * is mapped once) and only ever reads the three registers that have no
 * side effects: MagicValue, Version and DeviceID. */
#include <stdbool.h>
#include "pager.h"
#include "virtio.h"

static bool mapped[KINE_DEVICES_MAX];

/* The registers of device i of the boot information, or NULL. */
static volatile uint32_t *registers(unsigned i)
{
    if (i >= KINE_DEVICES_MAX || i >= pg.bi->ndevices)
        return NULL;
    const struct kine_device *d = &pg.bi->devices[i];
    uint64_t va = KINE_PAGER_PROBE_VA + (uint64_t)i * KINE_PAGE_SIZE;
    if (!mapped[i]) {
        int64_t r = kine_dev_map(pg.bi->self_as, va, KINE_PAGE_DOWN(d->base), 1);
        if (r < 0) {
            pager_log("cannot read device %#lx: error %ld", (unsigned long)d->base, (long)r);
            return NULL;
        }
        mapped[i] = true;
    }
    return (volatile uint32_t *)(va + (d->base - KINE_PAGE_DOWN(d->base)));
}

uint32_t devprobe_virtio_id(unsigned i)
{
    volatile uint32_t *regs = registers(i);
    if (!regs)
        return VIRTIO_ID_NONE;
    uint32_t magic = regs[VIRTIO_MMIO_MAGIC_VALUE / sizeof(uint32_t)];
    uint32_t version = regs[VIRTIO_MMIO_VERSION / sizeof(uint32_t)];
    if (magic != VIRTIO_MMIO_MAGIC ||
        (version != VIRTIO_MMIO_VERSION_LEGACY && version != VIRTIO_MMIO_VERSION_MODERN))
        return VIRTIO_ID_NONE;
    return regs[VIRTIO_MMIO_DEVICE_ID / sizeof(uint32_t)];
}
