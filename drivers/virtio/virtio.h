/* The virtio-mmio transport and the split virtqueue, as the virtio 1.1
 * specification defines them (sections 2.1-2.6 and 4.2.2), for both its
 * modern register layout (Version 2) and the legacy one (Version 1): only
 * what kine uses.  Shared by the virtio drivers (drivers/virtio_blk) and
 * the pager, which reads a slot's DeviceID to choose its driver
 * (pager/devprobe.c).  Every register is 32 bits wide and must be
 * accessed as such. */
#ifndef VIRTIO_H
#define VIRTIO_H

#include <stdint.h>

/* Registers, as offsets into a slot's page. */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000   /* VIRTIO_MMIO_MAGIC */
#define VIRTIO_MMIO_VERSION             0x004   /* VIRTIO_MMIO_VERSION_* */
#define VIRTIO_MMIO_DEVICE_ID           0x008   /* VIRTIO_ID_*; 0: an empty slot */
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010   /* 32 feature bits, chosen by ... */
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014   /* ... this: 0 for bits 0-31, 1 for 32-63 */
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE     0x028   /* legacy: the unit of QUEUE_PFN */
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034   /* 0: the queue does not exist */
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_ALIGN         0x03c   /* legacy: of the used ring */
#define VIRTIO_MMIO_QUEUE_PFN           0x040   /* legacy: the queue's page; 0 stops it */
#define VIRTIO_MMIO_QUEUE_READY         0x044   /* modern */
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050   /* write a queue's index: it has buffers */
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060   /* VIRTIO_MMIO_INT_* */
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070   /* VIRTIO_STATUS_*; writing 0 resets */
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080   /* modern: the three parts' addresses */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090   /* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0   /* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc   /* modern: changes with the config */
#define VIRTIO_MMIO_CONFIG              0x100   /* the device's own configuration */

#define VIRTIO_MMIO_MAGIC       0x74726976u   /* "virt", little-endian */
#define VIRTIO_MMIO_VERSION_LEGACY 1
#define VIRTIO_MMIO_VERSION_MODERN 2

#define VIRTIO_ID_NONE          0             /* an empty slot */
#define VIRTIO_ID_BLOCK         2

/* Device status: what the driver has done so far. */
#define VIRTIO_STATUS_ACKNOWLEDGE  1u         /* it saw the device */
#define VIRTIO_STATUS_DRIVER       2u         /* it knows how to drive it */
#define VIRTIO_STATUS_DRIVER_OK    4u         /* it is ready */
#define VIRTIO_STATUS_FEATURES_OK  8u         /* modern: features agreed */
#define VIRTIO_STATUS_FAILED       128u       /* it gave up */

/* Feature bits of every device type (the device's own are below 24). */
#define VIRTIO_F_VERSION_1      32            /* modern: required, from Version 2 on */

/* VIRTIO_MMIO_INTERRUPT_STATUS bits. */
#define VIRTIO_MMIO_INT_USED    1u            /* the used ring has new entries */
#define VIRTIO_MMIO_INT_CONFIG  2u            /* the configuration changed */

/* A split virtqueue: a table of buffer descriptors, a ring the driver
 * fills with chains to serve (available) and one the device fills with
 * chains it served (used).  Each is little-endian, as is RISC-V. */
#define VIRTQ_DESC_F_NEXT       1u            /* the chain goes on at .next */
#define VIRTQ_DESC_F_WRITE      2u            /* the device writes this buffer */

struct virtq_desc {
    uint64_t addr;                            /* physical */
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

#define VIRTQ_DESC_ALIGN        16            /* the alignment each part needs */
#define VIRTQ_AVAIL_ALIGN       2
#define VIRTQ_USED_ALIGN        4

/* The rings for a queue of `n` entries (n is the driver's to choose). */
#define VIRTQ_AVAIL(n) struct { uint16_t flags; uint16_t idx; uint16_t ring[n]; \
                                uint16_t used_event; }
struct virtq_used_elem {
    uint32_t id;                              /* the head of the chain served */
    uint32_t len;                             /* bytes the device wrote */
};
#define VIRTQ_USED(n) struct { uint16_t flags; uint16_t idx; struct virtq_used_elem ring[n]; \
                               uint16_t avail_event; }

#endif
