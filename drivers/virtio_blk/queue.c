/* The virtqueue and its requests (queue.h): a request of the pager's
 * becomes one descriptor chain in its slot's descriptors; a used entry
 * names the chain's head, which names the slot.  The device may write the
 * used ring and the status bytes at any moment, so those are read through
 * volatile, and fences order the driver's writes before the device may
 * look (the virtio specification's memory barriers).  Pure apart from
 * them; host-tested (tests/host/test_virtq.c). */
#include <string.h>
#include <kine/error.h>
#include <kine/layout.h>
#include "queue.h"

#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define STATUS_UNSET 0xffu           /* a status byte the device has not written */

/* A legacy device computes the used ring's place itself, from the queue
 * size and QUEUE_LEGACY_ALIGN: the layout must agree with it, whether the
 * device counts the available ring's used_event word (as the specification
 * does) or not (as QEMU does). */
_Static_assert(offsetof(struct dma_page, used) ==
               ALIGN_UP(offsetof(struct dma_page, avail) + sizeof(((struct dma_page *)0)->avail),
                        QUEUE_LEGACY_ALIGN), "legacy used ring, with used_event");
_Static_assert(offsetof(struct dma_page, used) ==
               ALIGN_UP(offsetof(struct dma_page, avail.ring[QUEUE_SIZE_MAX]), QUEUE_LEGACY_ALIGN),
               "legacy used ring, without used_event");
_Static_assert(offsetof(struct dma_page, desc) % VIRTQ_DESC_ALIGN == 0 &&
               offsetof(struct dma_page, avail) % VIRTQ_AVAIL_ALIGN == 0 &&
               offsetof(struct dma_page, used) % VIRTQ_USED_ALIGN == 0, "ring alignment");
_Static_assert(sizeof(struct dma_page) <= KINE_PAGE_SIZE, "the DMA page is one page");

/* Every write before it is seen by the device before any access after it
 * (memory and device registers alike).  The host tests build this file
 * too, where a compiler fence stands in. */
static inline void barrier(void)
{
#if defined(__riscv)
    __asm__ volatile("fence iorw, iorw" ::: "memory");
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

void queue_init(struct queue *q, void *page, uint64_t pa, uint16_t size)
{
    memset(q, 0, sizeof(*q));
    memset(page, 0, sizeof(struct dma_page));
    q->page = page;
    q->pa = pa;
    q->size = size;
    q->nslots = size / QUEUE_CHAIN;
    q->nfree = q->nslots;
}

uint64_t queue_desc_pa(const struct queue *q) { return q->pa + offsetof(struct dma_page, desc); }
uint64_t queue_avail_pa(const struct queue *q) { return q->pa + offsetof(struct dma_page, avail); }
uint64_t queue_used_pa(const struct queue *q) { return q->pa + offsetof(struct dma_page, used); }

static unsigned free_slot(const struct queue *q)
{
    unsigned s = 0;
    while (q->slot[s].state != SLOT_FREE)
        s++;                         /* the caller made sure one is free */
    return s;
}

static void set_desc(volatile struct virtq_desc *d, uint64_t pa, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    d->addr = pa;
    d->len = len;
    d->flags = flags;
    d->next = next;
}

/* Can the disk do r as it stands? */
static bool request_ok(const struct kine_blk_req *r, uint64_t capacity)
{
    if ((r->op != KINE_BLK_READ && r->op != KINE_BLK_WRITE) || r->npages == 0 ||
        r->npages > KINE_BLK_REQ_PAGES)
        return false;
    uint64_t sectors = (uint64_t)r->npages * KINE_BLK_PAGE_SECTORS;
    if (r->sector > capacity || sectors > capacity - r->sector)
        return false;                /* past the end, checked without overflow */
    for (uint32_t i = 0; i < r->npages; i++)
        if (r->pa[i] & (KINE_PAGE_SIZE - 1))
            return false;
    return true;
}

bool queue_take(struct queue *q, const struct kine_blk_req *r, uint64_t capacity)
{
    unsigned s = free_slot(q);
    q->nfree--;
    q->slot[s].id = r->id;
    if (!request_ok(r, capacity)) {
        q->slot[s].state = SLOT_DONE;
        q->slot[s].status = -KINE_EINVAL;
        q->ndone++;
        return false;
    }
    volatile struct dma_page *p = q->page;
    uint16_t head = (uint16_t)(s * QUEUE_CHAIN), d = head;
    uint16_t data_flags = r->op == KINE_BLK_READ ? VIRTQ_DESC_F_WRITE : 0;
    p->hdr[s].type = r->op == KINE_BLK_READ ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT;
    p->hdr[s].reserved = 0;
    p->hdr[s].sector = r->sector;
    p->status[s] = STATUS_UNSET;
    set_desc(&p->desc[d], q->pa + offsetof(struct dma_page, hdr) + s * sizeof(p->hdr[0]),
             sizeof(struct virtio_blk_req_hdr), VIRTQ_DESC_F_NEXT, (uint16_t)(d + 1));
    for (uint32_t i = 0; i < r->npages; i++) {
        d++;
        set_desc(&p->desc[d], r->pa[i], KINE_PAGE_SIZE, data_flags | VIRTQ_DESC_F_NEXT,
                 (uint16_t)(d + 1));
    }
    d++;
    set_desc(&p->desc[d], q->pa + offsetof(struct dma_page, status) + s, 1, VIRTQ_DESC_F_WRITE, 0);
    q->slot[s].state = SLOT_DEVICE;
    p->avail.ring[q->avail_idx % q->size] = head;
    barrier();                       /* the chain before the index that offers it */
    p->avail.idx = ++q->avail_idx;
    barrier();                       /* the index before the caller's notify */
    return true;
}

void queue_harvest(struct queue *q)
{
    volatile struct dma_page *p = q->page;
    uint16_t end = p->used.idx;
    barrier();                       /* the index before the entries it covers */
    for (; q->used_seen != end; q->used_seen++) {
        uint32_t head = p->used.ring[q->used_seen % q->size].id;
        unsigned s = head / QUEUE_CHAIN;
        if (head % QUEUE_CHAIN || s >= q->nslots || q->slot[s].state != SLOT_DEVICE)
            continue;                /* not a chain we offered: never trusted */
        q->slot[s].state = SLOT_DONE;
        q->slot[s].status = p->status[s] == VIRTIO_BLK_S_OK ? 0 : -KINE_EIO;
        q->ndone++;
    }
}

unsigned queue_completions(const struct queue *q, struct kine_blk_done *out)
{
    unsigned n = 0;
    for (unsigned s = 0; s < q->nslots; s++)
        if (q->slot[s].state == SLOT_DONE)
            out[n++] = (struct kine_blk_done){ q->slot[s].id, q->slot[s].status };
    return n;
}

void queue_release(struct queue *q)
{
    for (unsigned s = 0; s < q->nslots; s++)
        if (q->slot[s].state == SLOT_DONE) {
            q->slot[s].state = SLOT_FREE;
            q->nfree++;
        }
    q->ndone = 0;
}
