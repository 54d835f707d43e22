/* Bringing up a virtio-mmio block device, in the order the virtio 1.1
 * specification sets (3.1.1): reset, ACKNOWLEDGE, DRIVER, features,
 * FEATURES_OK (modern only; legacy devices have no such step), the queue,
 * the configuration, DRIVER_OK.  The driver accepts only the features it
 * uses: VIRTIO_F_VERSION_1 on a modern device, which it must, and none of
 * the block device's own (no read-only, flush, discard or multi-queue
 * handling: a read-only disk simply fails writes, which complete with
 * EIO). */
#include "device.h"
#include <kine/error.h>
#include <kine/layout.h>

#define FEATURE_WORD_BITS 32          /* feature bits per DEVICE_FEATURES word */
#define HIGH_HALF_SHIFT   32          /* a 64-bit value's upper half, in a register of its own */

static uint32_t rd(const struct device *d, unsigned reg)
{
    return d->regs[reg / sizeof(uint32_t)];
}

static void wr(struct device *d, unsigned reg, uint32_t v)
{
    d->regs[reg / sizeof(uint32_t)] = v;
}

bool device_probe(struct device *d, volatile void *regs)
{
    d->regs = regs;
    d->version = rd(d, VIRTIO_MMIO_VERSION);
    return rd(d, VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC &&
           (d->version == VIRTIO_MMIO_VERSION_LEGACY || d->version == VIRTIO_MMIO_VERSION_MODERN) &&
           rd(d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK;
}

static int fail(struct device *d, const char **why, const char *what)
{
    wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FAILED);
    *why = what;
    return -KINE_ENODEV;
}

/* Features: bit VIRTIO_F_VERSION_1 and nothing else on a modern device;
 * nothing on a legacy one (which has only the first word). */
static int negotiate(struct device *d, const char **why)
{
    bool modern = d->version == VIRTIO_MMIO_VERSION_MODERN;
    unsigned word = VIRTIO_F_VERSION_1 / FEATURE_WORD_BITS;
    uint32_t bit = 1u << (VIRTIO_F_VERSION_1 % FEATURE_WORD_BITS);
    wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, word);
    if (modern && !(rd(d, VIRTIO_MMIO_DEVICE_FEATURES) & bit))
        return fail(d, why, "a version 2 device without VIRTIO_F_VERSION_1");
    for (unsigned w = 0; w <= word; w++) {
        wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, w);
        wr(d, VIRTIO_MMIO_DRIVER_FEATURES, modern && w == word ? bit : 0);
    }
    if (!modern)
        return 0;
    wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FEATURES_OK);
    if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
        return fail(d, why, "it refused the features");
    return 0;
}

/* The largest power of two that is at most n. */
static uint16_t pow2_floor(uint32_t n)
{
    uint32_t p = 1;
    while (p * 2 <= n)
        p *= 2;
    return (uint16_t)p;
}

static int setup_queue(struct device *d, struct queue *q, void *page, uint64_t pa,
                       const char **why)
{
    wr(d, VIRTIO_MMIO_QUEUE_SEL, VIRTIO_BLK_QUEUE);
    bool legacy = d->version == VIRTIO_MMIO_VERSION_LEGACY;
    if (legacy ? rd(d, VIRTIO_MMIO_QUEUE_PFN) != 0 : rd(d, VIRTIO_MMIO_QUEUE_READY) != 0)
        return fail(d, why, "its queue is in use after a reset");
    uint32_t max = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
    uint16_t size = pow2_floor(max < QUEUE_SIZE_MAX ? max : QUEUE_SIZE_MAX);
    if (max < QUEUE_CHAIN || (legacy && size != QUEUE_SIZE_MAX))
        return fail(d, why, "its queue is too small");
    queue_init(q, page, pa, size);
    wr(d, VIRTIO_MMIO_QUEUE_NUM, size);
    if (legacy) {
        /* the device finds the rings from the page (laid out as queue.h says) */
        wr(d, VIRTIO_MMIO_GUEST_PAGE_SIZE, KINE_PAGE_SIZE);
        wr(d, VIRTIO_MMIO_QUEUE_ALIGN, QUEUE_LEGACY_ALIGN);
        wr(d, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(pa >> KINE_PAGE_SHIFT));
        return 0;
    }
    wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)queue_desc_pa(q));
    wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(queue_desc_pa(q) >> HIGH_HALF_SHIFT));
    wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)queue_avail_pa(q));
    wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(queue_avail_pa(q) >> HIGH_HALF_SHIFT));
    wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)queue_used_pa(q));
    wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(queue_used_pa(q) >> HIGH_HALF_SHIFT));
    wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
    return 0;
}

/* The 64-bit capacity, read as two words; a modern device's configuration
 * generation says whether it changed in between (read again if so). */
static uint64_t read_capacity(const struct device *d)
{
    unsigned lo = VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_CAPACITY;
    bool modern = d->version == VIRTIO_MMIO_VERSION_MODERN;
    uint32_t gen, low, high;
    do {
        gen = modern ? rd(d, VIRTIO_MMIO_CONFIG_GENERATION) : 0;
        low = rd(d, lo);
        high = rd(d, lo + sizeof(uint32_t));
    } while (modern && gen != rd(d, VIRTIO_MMIO_CONFIG_GENERATION));
    return (uint64_t)high << HIGH_HALF_SHIFT | low;
}

int device_start(struct device *d, struct queue *q, void *page, uint64_t pa, const char **why)
{
    wr(d, VIRTIO_MMIO_STATUS, 0);                     /* reset */
    if (rd(d, VIRTIO_MMIO_STATUS) != 0)
        return fail(d, why, "it would not reset");
    wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    int err = negotiate(d, why);
    if (!err)
        err = setup_queue(d, q, page, pa, why);
    if (err)
        return err;
    d->capacity = read_capacity(d);
    wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
    return 0;
}

void device_notify(struct device *d)
{
    wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_BLK_QUEUE);
}

uint32_t device_interrupt(struct device *d)
{
    uint32_t causes = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);
    wr(d, VIRTIO_MMIO_INTERRUPT_ACK, causes);
    return causes;
}
