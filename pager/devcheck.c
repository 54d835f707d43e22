/* pager.devcheck on the command line: before init starts, the pager checks
 * the kernel's rules for device calls, which only it may make: KSYS_DEV_MAP
 * maps a device node's pages and nothing else (never RAM or the machine's
 * own parts), KSYS_IRQ_BIND and KSYS_IRQ_ACK refuse every bad argument,
 * and a destroyed thread's interrupts are unbound; KSYS_NOTIFY's bits
 * accumulate into one message; KSYS_AS_ACCESSED reads, clears and unmaps
 * as it says, on a page of the pager's own that it touches.  It works on
 * a scratch space, an empty virtio slot (no driver wants it) and a scratch
 * frame, and logs one verdict line. */
#include <string.h>
#include "pager.h"
#include "virtio.h"

/* QEMU virt's own parts (docs/design.md): never mappable. */
#define VIRT_PLIC_PA     0x0c000000UL
#define VIRT_CLINT_PA    0x02000000UL
#define VIRT_FINISHER_PA 0x00100000UL
#define SCRATCH_TABLES   8
#define SCRATCH_VA       KINE_DRIVER_MMIO_VA       /* the device page goes here */
#define SCRATCH_IPCBUF   (SCRATCH_VA + KINE_PAGE_SIZE)   /* two threads' buffers above it */
#define BAD_TID          0xdead0000UL

static int passed, failed;

static void expect(const char *what, int64_t got, int64_t want)
{
    if (got == want) {
        passed++;
        return;
    }
    failed++;
    pager_log("devcheck FAIL: %s: got %ld, want %ld", what, (long)got, (long)want);
}

/* A virtio slot with an interrupt and nothing in it, so no driver wants it. */
static const struct kine_device *empty_slot(void)
{
    for (unsigned i = 0; i < pg.bi->ndevices; i++) {
        const struct kine_device *d = &pg.bi->devices[i];
        if (strcmp(d->compatible, "virtio,mmio") == 0 && d->irq &&
            devprobe_virtio_id(i) == VIRTIO_ID_NONE)
            return d;
    }
    return NULL;
}

static void map_checks(kine_as_t as, const struct kine_device *d)
{
    uint64_t pa = KINE_PAGE_DOWN(d->base);
    expect("map: stale space", kine_dev_map(as + (1UL << 16), SCRATCH_VA, pa, 1), -KINE_ESRCH);
    expect("map: no pages", kine_dev_map(as, SCRATCH_VA, pa, 0), -KINE_EINVAL);
    expect("map: too many pages", kine_dev_map(as, SCRATCH_VA, pa, KINE_MAP_BATCH + 1),
           -KINE_EINVAL);
    expect("map: misaligned", kine_dev_map(as, SCRATCH_VA, pa + 8, 1), -KINE_EINVAL);
    expect("map: va 0", kine_dev_map(as, 0, pa, 1), -KINE_EFAULT);
    expect("map: kernel va", kine_dev_map(as, KINE_KERNEL_BASE, pa, 1), -KINE_EFAULT);
    expect("map: RAM", kine_dev_map(as, SCRATCH_VA, pg.bi->pool_pa, 1), -KINE_ENODEV);
    expect("map: PLIC", kine_dev_map(as, SCRATCH_VA, VIRT_PLIC_PA, 1), -KINE_ENODEV);
    expect("map: CLINT", kine_dev_map(as, SCRATCH_VA, VIRT_CLINT_PA, 1), -KINE_ENODEV);
    expect("map: test finisher", kine_dev_map(as, SCRATCH_VA, VIRT_FINISHER_PA, 1), -KINE_ENODEV);
    expect("map: past the device",
           kine_dev_map(as, SCRATCH_VA, pa, KINE_PAGE_UP(d->base + d->size - pa) / KINE_PAGE_SIZE + 1),
           -KINE_ENODEV);
    expect("map: the device", kine_dev_map(as, SCRATCH_VA, pa, 1), 0);
    expect("map: again", kine_dev_map(as, SCRATCH_VA, pa, 1), -KINE_EBUSY);
    expect("map: unmap skips it", kine_unmap(as, SCRATCH_VA, 1), 0);
    expect("map: query skips it", kine_as_query(as, SCRATCH_VA, 1), 0);
    struct kine_map_entry *e = (struct kine_map_entry *)kine_ipcbuf();
    e->va_rights = SCRATCH_VA | KINE_RIGHT_R;
    e->frame = 0;
    expect("map: a frame over it", kine_map(as, 1), -KINE_EBUSY);
}

/* The lowest interrupt source no device has. */
static uint64_t no_device_irq(void)
{
    for (uint64_t src = 1;; src++) {
        bool used = false;
        for (uint64_t i = 0; i < pg.bi->ndevices; i++)
            used |= pg.bi->devices[i].irq == src;
        if (!used)
            return src;
    }
}

static void irq_checks(kine_as_t as, const struct kine_device *d)
{
    int64_t t1 = kine_sys_thread_create(as, SCRATCH_IPCBUF);
    int64_t t2 = kine_sys_thread_create(as, SCRATCH_IPCBUF + KINE_PAGE_SIZE);
    expect("threads made", t1 > 0 && t2 > 0, 1);
    expect("bind: source 0", kine_irq_bind(0, (kine_tid_t)t1), -KINE_EINVAL);
    expect("bind: huge source", kine_irq_bind(1UL << 40, (kine_tid_t)t1), -KINE_EINVAL);
    expect("bind: no device's", kine_irq_bind(no_device_irq(), (kine_tid_t)t1), -KINE_ENODEV);
    expect("bind: bad thread", kine_irq_bind(d->irq, BAD_TID), -KINE_ESRCH);
    expect("bind", kine_irq_bind(d->irq, (kine_tid_t)t1), 0);
    expect("bind: same thread again", kine_irq_bind(d->irq, (kine_tid_t)t1), 0);
    expect("bind: taken", kine_irq_bind(d->irq, (kine_tid_t)t2), -KINE_EBUSY);
    expect("ack: not the bound thread", kine_irq_ack(d->irq), -KINE_EPERM);
    expect("ack: source 0", kine_irq_ack(0), -KINE_EINVAL);
    expect("ack: huge source", kine_irq_ack(1UL << 40), -KINE_EINVAL);
    expect("unbind", kine_irq_bind(d->irq, 0), 0);
    expect("bind after unbind", kine_irq_bind(d->irq, (kine_tid_t)t2), 0);
    expect("destroy the bound thread", kine_sys_thread_destroy((kine_tid_t)t2), 0);
    expect("bind after its thread went", kine_irq_bind(d->irq, (kine_tid_t)t1), 0);
    expect("unbind at the end", kine_irq_bind(d->irq, 0), 0);
}

static void notify_checks(kine_as_t as)
{
    int64_t t = kine_sys_thread_create(as, SCRATCH_IPCBUF + 2 * KINE_PAGE_SIZE);
    expect("notify: bad thread", kine_notify(BAD_TID, 1), -KINE_ESRCH);
    expect("notify: no bits", kine_notify(pg.bi->self_tid, 0), -KINE_EINVAL);
    expect("notify: a thread not started", kine_notify((kine_tid_t)t, 1), 0);
    expect("notify: self", kine_notify(pg.bi->self_tid, 0x5), 0);
    expect("notify: self again", kine_notify(pg.bi->self_tid, 0x2), 0);
    struct kine_msg m = { 0 };
    kine_tid_t from = 1;
    expect("notify: received", kine_recv(&m, 0, &from), 0);
    expect("notify: kernel-made", kine_tag_is_kernel(m.tag) &&
           kine_tag_label(m.tag) == KINE_LABEL_NOTIFY && from == 0, 1);
    expect("notify: bits gathered", (int64_t)m.mr[0], 0x7);
    kine_sys_thread_destroy((kine_tid_t)t);
}

/* One page: its A and D bits as KSYS_AS_ACCESSED reports them (-1 if it
 * is not there), 1 << 0 for A and 1 << 1 for D. */
static int64_t ad_bits(uint64_t va, uint64_t flags)
{
    int64_t n = kine_as_accessed(pg.bi->self_as, va, 1, flags);
    uint64_t *buf = kine_ipcbuf();
    if (n != 1)
        return n == 0 ? -1 : n;
    return (int64_t)((buf[0] & 1) | ((buf[KINE_ACCESS_WORDS(1)] & 1) << 1));
}

static void access_checks(void)
{
    kine_as_t self = pg.bi->self_as;
    int64_t f = frame_alloc(&pg.frames);
    volatile uint64_t *page = (volatile uint64_t *)SCRATCH_VA;
    expect("accessed: a frame", f >= 0, 1);
    if (f < 0)
        return;
    struct kine_map_entry *e = (struct kine_map_entry *)kine_ipcbuf();
    e->va_rights = SCRATCH_VA | KINE_RIGHT_R | KINE_RIGHT_W | KINE_MAP_NOAD;
    e->frame = (uint64_t)f;
    expect("accessed: map clean", kine_map(self, 1), 0);
    expect("accessed: stale space", kine_as_accessed(self + (1UL << 16), SCRATCH_VA, 1, 0),
           -KINE_ESRCH);
    expect("accessed: no pages", kine_as_accessed(self, SCRATCH_VA, 0, 0), -KINE_EINVAL);
    expect("accessed: too many", kine_as_accessed(self, SCRATCH_VA, KINE_ACCESS_PAGES_MAX + 1, 0),
           -KINE_EINVAL);
    expect("accessed: bad flags", kine_as_accessed(self, SCRATCH_VA, 1, 4), -KINE_EINVAL);
    expect("accessed: kernel va", kine_as_accessed(self, KINE_KERNEL_BASE, 1, 0), -KINE_EFAULT);
    expect("accessed: fresh, untouched", ad_bits(SCRATCH_VA, 0), 0);
    (void)page[0];
    expect("accessed: read", ad_bits(SCRATCH_VA, KINE_ACCESS_CLEAR), 1);
    expect("accessed: A cleared", ad_bits(SCRATCH_VA, 0), 0);
    page[1] = 42;
    expect("accessed: written", ad_bits(SCRATCH_VA, KINE_ACCESS_CLEAR), 3);
    expect("accessed: D stays", ad_bits(SCRATCH_VA, 0), 2);
    e->va_rights = SCRATCH_VA | KINE_RIGHT_R | KINE_RIGHT_W | KINE_MAP_NOAD;
    e->frame = (uint64_t)f;
    expect("accessed: the same frame again keeps D", kine_map(self, 1) == 0 &&
           ad_bits(SCRATCH_VA, 0) == 2, 1);
    expect("accessed: unmap", ad_bits(SCRATCH_VA, KINE_ACCESS_UNMAP), 2);
    expect("accessed: gone", ad_bits(SCRATCH_VA, 0), -1);
    frame_unref(&pg.frames, (uint32_t)f);
}

void devcheck_run(void)
{
    const struct kine_device *d = empty_slot();
    int64_t as = kine_as_create(SCRATCH_TABLES, 0);
    if (!d || as < 0) {
        pager_log("devcheck: no empty virtio,mmio slot with an interrupt, or no space (%ld)",
                  (long)as);
        failed++;
    } else {
        map_checks((kine_as_t)as, d);
        irq_checks((kine_as_t)as, d);
        notify_checks((kine_as_t)as);
        kine_as_destroy((kine_as_t)as);
        access_checks();
    }
    pager_log("devcheck: %d checks passed, %d failed", passed, failed);
}
