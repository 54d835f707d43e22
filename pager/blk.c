/* The pager's side of the block driver (protocol in kine/blk.h, interface
 * in blk.h): the queue of page transfers and the one place that talks to
 * the driver.
 *
 * Each transfer is a record, QUEUED until a SYNC reply carries it to the
 * driver, SENT until the driver reports it finished, then DONE until its
 * callback runs.  Callbacks do not run while a SYNC is handled: the pager
 * notifies itself (PAGER_WORK_BLK) and runs them when that notification
 * comes round its loop (blk_run_done), with the SYNC answered, the IPC
 * buffer free and nothing half done; so the driver has its next requests
 * at once, and what the callbacks submit wakes it as any submit does.
 *
 * The driver names a record by the id the pager gave it: the record's
 * index and a sequence number, so an id the pager never gave, or gave for
 * a transfer that is over, matches nothing and is ignored.  Records come from a
 * fixed table: queueing a transfer never needs memory, which is what the
 * pager runs short of when it most needs the disk.
 *
 * The pager never waits for the driver.  It wakes an idle driver with a
 * notification when it queues work (once until the driver's next SYNC,
 * which is when the driver collects it), and answers each SYNC at once. */
#include <string.h>
#include "pager.h"
#include "blk.h"

#define BLK_RECORDS    256
#define ID_INDEX_BITS  8                     /* the low bits of an id: its record */
#define ID_INDEX_MASK  ((1UL << ID_INDEX_BITS) - 1)
#define REQS_PER_REPLY (KINE_IPC_BUF_BYTES / sizeof(struct kine_blk_req))
#define DONES_MAX      (KINE_IPC_BUF_BYTES / sizeof(struct kine_blk_done))
#define MIB_PAGES      (1024 * 1024 / KINE_PAGE_SIZE)

_Static_assert(BLK_RECORDS <= (1UL << ID_INDEX_BITS), "an id's index names every record");

enum rec_state { REC_FREE, REC_QUEUED, REC_SENT, REC_DONE };
enum disk_state { DISK_UNKNOWN, DISK_READY, DISK_NONE };

struct rec {
    struct rec *next;                /* in the free list, the queue or the done list */
    enum rec_state state;
    uint64_t id;
    enum kine_blk_op op;
    uint64_t page;
    unsigned n;
    uint32_t frame[KINE_BLK_REQ_PAGES];
    blk_done_fn done;
    void *ctx;
    int64_t status;                  /* REC_DONE */
};

static struct {
    kine_tid_t driver;               /* its thread; 0: none */
    enum disk_state disk;
    uint64_t pages;                  /* DISK_READY: the disk's size */
    bool notified;                   /* since its last SYNC */
    bool syncing;                    /* handling a SYNC: its reply will carry new work */
    uint64_t seq;                    /* ids given so far */
    uint64_t in_flight;
    bool ready;                      /* the free list is made */
    bool work_pending;               /* the pager has notified itself (PAGER_WORK_BLK) */
    struct rec *free, *head, *tail;  /* the free list; the queue */
    struct rec *done_head, *done_tail;   /* REC_DONE, oldest first */
    struct rec recs[BLK_RECORDS];
    void (*watcher[BLK_WATCHERS])(uint64_t pages);
    unsigned nwatchers;
} blk;

uint64_t blk_pages(void) { return blk.disk == DISK_READY ? blk.pages : 0; }

bool blk_pending(void) { return blk.disk == DISK_UNKNOWN && blk.driver; }

uint64_t blk_in_flight(void) { return blk.in_flight; }

bool blk_room(void)
{
    return blk.in_flight < BLK_RECORDS;
}

static struct rec *rec_get(void)
{
    if (!blk.ready) {
        for (unsigned i = 0; i < BLK_RECORDS; i++) {
            blk.recs[i].next = blk.free;
            blk.free = &blk.recs[i];
        }
        blk.ready = true;
    }
    struct rec *r = blk.free;
    if (r)
        blk.free = r->next;
    return r;
}

static void rec_put(struct rec *r)
{
    r->state = REC_FREE;
    r->next = blk.free;
    blk.free = r;
}

/* The disk's fate is known: tell whoever waited for it. */
static void decided(enum disk_state disk, uint64_t pages, const char *why)
{
    blk.disk = disk;
    blk.pages = pages;
    if (disk == DISK_READY)
        pager_log("disk: %lu pages (%lu MiB)", (unsigned long)pages,
                  (unsigned long)(pages / MIB_PAGES));
    else
        pager_log("no disk: %s", why);
    for (unsigned i = 0; i < blk.nwatchers; i++)
        blk.watcher[i](pages);
    blk.nwatchers = 0;
}

int blk_when_ready(void (*fn)(uint64_t pages))
{
    if (blk.disk != DISK_UNKNOWN) {
        fn(blk_pages());
        return 0;
    }
    if (blk.nwatchers == BLK_WATCHERS)
        return -KINE_ENOMEM;
    blk.watcher[blk.nwatchers++] = fn;
    return 0;
}

void blk_driver_started(kine_tid_t tid)
{
    blk.driver = tid;
    if (!tid)
        decided(DISK_NONE, 0, "no block driver");
}

/* A record's transfer is over: count it, and let its callback run soon. */
static void finish(struct rec *r, int64_t status)
{
    if (status) {
        pg.stats.disk_errors++;
    } else if (r->op == KINE_BLK_READ) {
        pg.stats.disk_read_requests++;
        pg.stats.disk_reads += r->n;
    } else {
        pg.stats.disk_write_requests++;
        pg.stats.disk_writes += r->n;
    }
    r->state = REC_DONE;
    r->status = status;
    r->next = NULL;
    if (blk.done_tail)
        blk.done_tail->next = r;
    else
        blk.done_head = r;
    blk.done_tail = r;
    if (!blk.work_pending) {
        kine_notify(pg.bi->self_tid, PAGER_WORK_BLK);
        blk.work_pending = true;
    }
}

void blk_run_done(void)
{
    blk.work_pending = false;
    while (blk.done_head) {
        struct rec *r = blk.done_head;
        blk.done_head = r->next;
        if (!blk.done_head)
            blk.done_tail = NULL;
        blk_done_fn done = r->done;
        void *ctx = r->ctx;
        int64_t status = r->status;
        blk.in_flight--;
        rec_put(r);                  /* before the callback, which may reuse it */
        done(ctx, status);
    }
}

void blk_driver_gone(kine_tid_t tid)
{
    if (!tid || tid != blk.driver)
        return;
    blk.driver = 0;
    blk.head = blk.tail = NULL;
    if (blk.disk != DISK_READY) {
        decided(DISK_NONE, 0, "the block driver ended without one");
        return;                      /* nothing could have been submitted */
    }
    blk.disk = DISK_NONE;
    blk.pages = 0;
    pager_log("the block driver is gone: %lu transfers fail", (unsigned long)blk.in_flight);
    for (unsigned i = 0; i < BLK_RECORDS; i++)
        if (blk.recs[i].state == REC_QUEUED || blk.recs[i].state == REC_SENT)
            finish(&blk.recs[i], -KINE_EIO);
}

int blk_submit(enum kine_blk_op op, uint64_t page, const uint32_t *f, unsigned n,
               blk_done_fn done, void *ctx)
{
    if (blk.disk != DISK_READY)
        return -KINE_ENODEV;
    if ((op != KINE_BLK_READ && op != KINE_BLK_WRITE) || n == 0 || n > KINE_BLK_REQ_PAGES ||
        page >= blk.pages || n > blk.pages - page || !done)
        return -KINE_EINVAL;
    for (unsigned i = 0; i < n; i++)
        if (f[i] >= pg.frames.nframes)
            return -KINE_EINVAL;     /* DMA only ever reaches the pool */
    struct rec *r = rec_get();
    if (!r)
        return -KINE_ENOMEM;
    *r = (struct rec){ .state = REC_QUEUED, .op = op, .page = page, .n = n, .done = done,
                       .ctx = ctx,
                       .id = ++blk.seq << ID_INDEX_BITS | (uint64_t)(r - blk.recs) };
    memcpy(r->frame, f, n * sizeof(f[0]));
    if (blk.tail)
        blk.tail->next = r;
    else
        blk.head = r;
    blk.tail = r;
    blk.in_flight++;
    if (!blk.notified && !blk.syncing) {
        kine_notify(blk.driver, KINE_BLK_NOTIFY_WORK);
        blk.notified = true;
    }
    return 0;
}

/* A finished request the driver reports: the record it names, if any. */
static void completed(const struct kine_blk_done *d)
{
    uint64_t i = d->id & ID_INDEX_MASK;
    struct rec *r = i < BLK_RECORDS ? &blk.recs[i] : NULL;
    if (!r || r->state != REC_SENT || r->id != d->id) {
        pager_log("blk: the driver reported a transfer it was not given (id %#lx): ignored",
                  (unsigned long)d->id);
        return;
    }
    if (d->status != 0 && d->status != -KINE_EIO)
        pager_log("blk: the driver refused transfer %#lx (error %ld)", (unsigned long)d->id,
                  (long)d->status);
    finish(r, d->status ? -KINE_EIO : 0);
}

/* Up to max queued records, as requests in out; how many. */
static uint64_t take_queued(struct kine_blk_req *out, uint64_t max)
{
    uint64_t k = 0;
    for (; k < max && blk.head; k++) {
        struct rec *r = blk.head;
        blk.head = r->next;
        if (!blk.head)
            blk.tail = NULL;
        r->state = REC_SENT;
        out[k] = (struct kine_blk_req){ .id = r->id, .op = r->op, .npages = r->n,
                                        .sector = r->page * KINE_BLK_PAGE_SECTORS };
        for (unsigned j = 0; j < r->n; j++)
            out[k].pa[j] = pg.bi->pool_pa + (uint64_t)r->frame[j] * KINE_PAGE_SIZE;
    }
    return k;
}

bool blk_sync(struct proc *p, struct kine_msg *m, uint64_t words)
{
    static struct kine_blk_done done[DONES_MAX];
    static struct kine_blk_req reqs[REQS_PER_REPLY];
    uint64_t n = m->mr[0], room = m->mr[1], sectors = m->mr[2];
    if (!blk.driver || p->tid != blk.driver)
        return reply_status(m, -KINE_EPERM);
    if (n > DONES_MAX || n * sizeof(done[0]) > words * KINE_WORD_BYTES)
        return reply_status(m, -KINE_EINVAL);
    memcpy(done, kine_ipcbuf(), n * sizeof(done[0]));    /* the log may use the buffer */
    blk.syncing = true;
    if (blk.disk == DISK_UNKNOWN) {                       /* the hello */
        if (sectors / KINE_BLK_PAGE_SECTORS)
            decided(DISK_READY, sectors / KINE_BLK_PAGE_SECTORS, NULL);
        else
            decided(DISK_NONE, 0, "the disk is smaller than a page");
    }
    for (uint64_t i = 0; i < n; i++)
        completed(&done[i]);
    uint64_t max = room < REQS_PER_REPLY ? room : REQS_PER_REPLY;
    uint64_t k = blk.disk == DISK_READY ? take_queued(reqs, max) : 0;
    blk.syncing = false;
    /* Collected now; what did not fit comes at its next SYNC, which its
     * completions bring, unless the reply could not carry all it can take. */
    blk.notified = blk.head && k < room;
    if (blk.notified)
        kine_notify(blk.driver, KINE_BLK_NOTIFY_WORK);
    return reply_data(m, (int64_t)k, reqs, k * sizeof(reqs[0]));
}
