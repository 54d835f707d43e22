/* The virtio block device (virtio 1.1 specification, section 5.2): its
 * configuration and its requests; only what the driver uses.  It has one
 * queue; a request is one descriptor chain: the header (the device reads
 * it), the data buffers, and one status byte the device writes last. */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H

#include <stdint.h>

#define VIRTIO_BLK_QUEUE          0           /* its request queue's index */
#define VIRTIO_BLK_CONFIG_CAPACITY 0x00       /* 64 bits: the size in 512-byte sectors */

#define VIRTIO_BLK_T_IN           0u          /* read: from the disk into the buffers */
#define VIRTIO_BLK_T_OUT          1u          /* write */

#define VIRTIO_BLK_S_OK           0u          /* the request's status byte */
#define VIRTIO_BLK_S_IOERR        1u
#define VIRTIO_BLK_S_UNSUPP       2u

struct virtio_blk_req_hdr {
    uint32_t type;                            /* VIRTIO_BLK_T_* */
    uint32_t reserved;
    uint64_t sector;                          /* in 512-byte units, whatever the block size */
};

#endif
