/* The block driver's virtqueue (drivers/virtio_blk/queue.c), against a
 * device played by the test: a good request becomes one chain (header,
 * its pages with the right direction, status byte) offered on the ring;
 * a bad one (op, page count, past the end, misaligned frame) is done at
 * once with EINVAL and never offered; used entries that name no chain in
 * flight are ignored; a status other than OK is EIO; completions free
 * their slots only once handed over. */
#include <stdlib.h>
#include <string.h>
#include <kine/error.h>
#include <kine/layout.h>
#include "check.h"
#include "queue.h"

#define PAGE_PA     0x80001000UL     /* where the test says the DMA page is */
#define FRAME_PA    0x80100000UL
#define CAPACITY    2048             /* sectors: 256 pages */
#define SIZE        QUEUE_SIZE_MAX

static struct kine_blk_req req(uint64_t id, uint32_t op, uint32_t npages, uint64_t sector)
{
    struct kine_blk_req r = { .id = id, .op = op, .npages = npages, .sector = sector };
    for (uint32_t i = 0; i < npages && i < KINE_BLK_REQ_PAGES; i++)
        r.pa[i] = FRAME_PA + i * KINE_PAGE_SIZE;
    return r;
}

/* The device serves the chain at head with status st. */
static void serve(struct dma_page *p, uint16_t head, uint8_t st)
{
    p->status[head / QUEUE_CHAIN] = st;
    p->used.ring[p->used.idx % SIZE] = (struct virtq_used_elem){ head, 0 };
    p->used.idx++;
}

static void chain_checks(struct dma_page *p)
{
    /* a read of 2 pages at sector 8, in slot 0: descriptors 0..3 */
    CHECK(p->avail.ring[0] == 0);
    CHECK(p->hdr[0].type == VIRTIO_BLK_T_IN && p->hdr[0].sector == 8);
    CHECK(p->desc[0].addr == PAGE_PA + offsetof(struct dma_page, hdr) && p->desc[0].len == 16 &&
          p->desc[0].flags == VIRTQ_DESC_F_NEXT && p->desc[0].next == 1);
    CHECK(p->desc[1].addr == FRAME_PA && p->desc[1].len == KINE_PAGE_SIZE &&
          p->desc[1].flags == (VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE) && p->desc[1].next == 2);
    CHECK(p->desc[2].addr == FRAME_PA + KINE_PAGE_SIZE && p->desc[2].next == 3);
    CHECK(p->desc[3].addr == PAGE_PA + offsetof(struct dma_page, status) && p->desc[3].len == 1 &&
          p->desc[3].flags == VIRTQ_DESC_F_WRITE);
    /* a write of 1 page at the last one, in slot 1: the device reads the data */
    uint16_t h = QUEUE_CHAIN;
    CHECK(p->avail.idx == 2 && p->avail.ring[1] == h);
    CHECK(p->hdr[1].type == VIRTIO_BLK_T_OUT &&
          p->hdr[1].sector == CAPACITY - KINE_BLK_PAGE_SECTORS);
    CHECK(p->desc[h].addr == PAGE_PA + offsetof(struct dma_page, hdr) + sizeof(p->hdr[0]));
    CHECK(p->desc[h + 1].flags == VIRTQ_DESC_F_NEXT && p->desc[h + 2].flags == VIRTQ_DESC_F_WRITE &&
          p->desc[h + 2].addr == PAGE_PA + offsetof(struct dma_page, status) + 1);
}

int main(void)
{
    static struct queue q;
    struct dma_page *p = aligned_alloc(KINE_PAGE_SIZE, KINE_PAGE_SIZE);
    struct kine_blk_done done[QUEUE_SLOTS_MAX];
    CHECK(p != NULL);
    if (!p)
        return check_done("virtq");
    queue_init(&q, p, PAGE_PA, SIZE);
    CHECK(q.nslots == SIZE / QUEUE_CHAIN && q.nfree == q.nslots && q.ndone == 0);
    CHECK(queue_desc_pa(&q) == PAGE_PA && queue_used_pa(&q) % VIRTQ_USED_ALIGN == 0);

    struct kine_blk_req r = req(0x101, KINE_BLK_READ, 2, 8);
    CHECK(queue_take(&q, &r, CAPACITY));
    r = req(0x202, KINE_BLK_WRITE, 1, CAPACITY - KINE_BLK_PAGE_SECTORS);    /* the last page */
    CHECK(queue_take(&q, &r, CAPACITY));
    chain_checks(p);

    /* refused without the device: done at once, nothing offered */
    struct kine_blk_req bad[] = {
        req(1, KINE_BLK_WRITE + 1, 1, 0), req(2, KINE_BLK_READ, 0, 0),
        req(3, KINE_BLK_READ, KINE_BLK_REQ_PAGES + 1, 0),
        req(4, KINE_BLK_READ, 1, CAPACITY - KINE_BLK_PAGE_SECTORS + 1),
        req(5, KINE_BLK_READ, 1, UINT64_MAX - 1),
        req(6, KINE_BLK_READ, 1, 0),
    };
    bad[5].pa[0] += 8;                                   /* not a frame's address */
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(!queue_take(&q, &bad[i], CAPACITY));
    CHECK(p->avail.idx == 2 && q.ndone == 6 && q.nfree == q.nslots - 8);
    CHECK(queue_completions(&q, done) == 6 && done[0].id == 1 && done[0].status == -KINE_EINVAL);
    queue_release(&q);
    CHECK(q.ndone == 0 && q.nfree == q.nslots - 2);

    /* the device: entries for no chain in flight are ignored */
    serve(p, 1, VIRTIO_BLK_S_OK);                        /* not a head */
    serve(p, 3 * QUEUE_CHAIN, VIRTIO_BLK_S_OK);          /* a free slot's */
    serve(p, (uint16_t)(q.nslots * QUEUE_CHAIN), 0);     /* past the slots */
    queue_harvest(&q);
    CHECK(q.ndone == 0);
    serve(p, QUEUE_CHAIN, VIRTIO_BLK_S_IOERR);          /* the write failed */
    serve(p, 0, VIRTIO_BLK_S_OK);
    serve(p, 0, VIRTIO_BLK_S_OK);                        /* served twice: counted once */
    queue_harvest(&q);
    CHECK(q.ndone == 2 && queue_completions(&q, done) == 2);
    CHECK(done[0].id == 0x101 && done[0].status == 0);
    CHECK(done[1].id == 0x202 && done[1].status == -KINE_EIO);
    CHECK(q.nfree == q.nslots - 2);                      /* held until handed over */
    queue_release(&q);
    CHECK(q.nfree == q.nslots && q.ndone == 0);

    /* every slot, and the ring wraps */
    for (unsigned round = 0; round < 2 * SIZE; round++) {
        r = req(round, KINE_BLK_READ, 1, 0);
        CHECK(queue_take(&q, &r, CAPACITY));
        serve(p, p->avail.ring[(uint16_t)(p->avail.idx - 1) % SIZE], VIRTIO_BLK_S_OK);
        queue_harvest(&q);
        CHECK(queue_completions(&q, done) == 1 && done[0].id == round && done[0].status == 0);
        queue_release(&q);
    }
    unsigned n = 0;
    while (q.nfree) {
        r = req(n++, KINE_BLK_READ, KINE_BLK_REQ_PAGES, 0);
        CHECK(queue_take(&q, &r, CAPACITY));
    }
    CHECK(n == q.nslots);
    free(p);
    return check_done("virtq");
}
