/* virtio_blk: the block driver, a user task the pager starts at boot
 * (pager/driver.c) for the first virtio-mmio slot holding a block device:
 * the slot's registers mapped, its interrupt bound to this thread, and one
 * DMA page at KINE_DRIVER_DMA_VA.  argv: the DMA page's physical address,
 * then the registers' address.  device.c brings the device up; queue.c
 * keeps its one virtqueue.
 *
 * It speaks the protocol of kine/blk.h: it only ever calls the pager
 * (PGR_BLK_SYNC), which answers at once, and it sleeps in a receive that
 * only the kernel's messages end: its interrupt (requests finished) or
 * the pager's notification (requests wait).  Whatever woke it, it
 * gathers what the device finished, and syncs while it has completions to
 * report, was notified, or has not said hello yet (the first SYNC, which
 * tells the pager the disk's size); each reply brings requests, which go
 * on the queue before one notify.  Any request from a program, or even
 * the pager, is answered EPERM.  If the device cannot be used it says why
 * and ends; the pager then goes on without a disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kinesys.h>
#include <kine/blk.h>
#include "device.h"
#include "queue.h"

#define ARG_DMA_PA   1               /* argv: the DMA page's physical address, */
#define ARG_REGS     2               /* then the device's registers */
#define ARGS         3
#define EXIT_FAILED  1

static struct device dev;
static struct queue q;
static bool said_hello, notified;

/* One SYNC: completions out, new requests in and onto the queue.  False
 * if the pager refused it (it does not take us for the block driver). */
static bool sync_with_pager(void)
{
    static struct kine_blk_req reqs[KINE_IPC_BUF_BYTES / sizeof(struct kine_blk_req)];
    unsigned n = queue_completions(&q, (struct kine_blk_done *)kine_ipcbuf());
    unsigned room = q.nfree + n;     /* the slots reported are free once it has them */
    struct kine_msg m = { kine_tag(PGR_BLK_SYNC, kine_words(n * sizeof(struct kine_blk_done))),
                          { n, room, dev.capacity, 0 } };
    int64_t r = kine_call(kine_pager_tid(), &m);
    if (r < 0 || (int64_t)m.mr[0] < 0) {
        printf("the pager refused SYNC: error %ld\n", (long)(r < 0 ? r : (int64_t)m.mr[0]));
        return false;
    }
    queue_release(&q);
    said_hello = true;
    notified = false;
    uint64_t got = m.mr[0], fits = kine_tag_len(m.tag) * KINE_WORD_BYTES / sizeof(reqs[0]);
    if (got > room || got > fits) {
        printf("the pager sent %lu requests for %u free slots: ignored\n", (unsigned long)got,
               room);
        return true;
    }
    memcpy(reqs, kine_ipcbuf(), got * sizeof(reqs[0]));
    bool kick = false;
    for (uint64_t i = 0; i < got; i++)
        kick |= queue_take(&q, &reqs[i], dev.capacity);
    if (kick)
        device_notify(&dev);
    return true;
}

/* Sync for as long as there is something to say: completions (those of
 * bad requests are there at once), a notification, or the hello. */
static bool sync_while_needed(void)
{
    queue_harvest(&q);
    while (q.ndone || notified || !said_hello) {
        if (!sync_with_pager())
            return false;
        queue_harvest(&q);
    }
    return true;
}

static void interrupt(uint64_t source)
{
    device_interrupt(&dev);          /* the used ring is read next; config changes are ignored */
    kine_irq_ack(source);
}

int main(int argc, char **argv)
{
    const char *why = "";
    if (argc != ARGS)
        return EXIT_FAILED;
    if (!device_probe(&dev, (volatile void *)strtoul(argv[ARG_REGS], NULL, 0))) {
        printf("no virtio block device at %s\n", argv[ARG_REGS]);
        return EXIT_FAILED;
    }
    uint64_t pa = strtoul(argv[ARG_DMA_PA], NULL, 0);
    if (device_start(&dev, &q, (void *)KINE_DRIVER_DMA_VA, pa, &why) < 0) {
        printf("cannot use the disk: %s\n", why);
        return EXIT_FAILED;
    }
    printf("disk on virtio-mmio version %u: %lu sectors, %u requests at once\n",
           (unsigned)dev.version, (unsigned long)dev.capacity, q.nslots);
    for (;;) {
        if (!sync_while_needed())
            return EXIT_FAILED;
        struct kine_msg m = { 0 };
        kine_tid_t from = 0;
        if (kine_recv(&m, 0, &from) < 0)
            continue;
        if (kine_tag_is_kernel(m.tag) && kine_tag_label(m.tag) == KINE_LABEL_IRQ) {
            interrupt(m.mr[0]);
        } else if (kine_tag_is_kernel(m.tag) && kine_tag_label(m.tag) == KINE_LABEL_NOTIFY) {
            notified = true;
        } else if (m.tag & KINE_TAG_CALL) {
            struct kine_msg r = { 0, { (uint64_t)-KINE_EPERM } };
            kine_reply(from, &r);
        }                            /* a message sent without waiting: dropped */
    }
}
