/* One virtio-mmio device: finding it among the slots and bringing it up
 * (reset, feature negotiation, the queue, DRIVER_OK), then the few
 * register accesses the running driver makes. */
#ifndef DEVICE_H
#define DEVICE_H

#include <stdint.h>
#include "queue.h"

struct device {
    volatile uint32_t *regs;
    uint32_t version;                /* VIRTIO_MMIO_VERSION_LEGACY or _MODERN */
    uint64_t capacity;               /* in 512-byte sectors */
};

/* Is the slot whose registers are at regs a block device this driver can
 * drive?  Fills d->regs and d->version if so. */
bool device_probe(struct device *d, volatile void *regs);
/* Bring d up with its request queue laid out in the DMA page (page at its
 * virtual address, pa physical): 0, or -KINE_ENODEV with *why saying what
 * the device lacked (it is then marked FAILED). */
int device_start(struct device *d, struct queue *q, void *page, uint64_t pa, const char **why);
/* Tell the device its queue has new requests. */
void device_notify(struct device *d);
/* Read and acknowledge the device's interrupt causes (VIRTIO_MMIO_INT_*). */
uint32_t device_interrupt(struct device *d);

#endif
