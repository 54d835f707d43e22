/* pager.blkcheck on the command line: once the disk is known, the pager
 * checks the whole path to it (blk.c, the driver, the device) while it
 * goes on serving everyone else.  It writes a distinct pattern to disk
 * pages 0 (one page), 1..KINE_BLK_REQ_PAGES (one request of the most pages
 * a request may move) and the disk's last page, clears its buffers, reads
 * the same pages back (the same requests, and then each of pages 1.. once
 * more as single-page reads, more at once than the driver can take) and
 * compares; bad submits must fail with EINVAL and change nothing.  It is a
 * state machine advanced by the transfers' callbacks, which run from the
 * pager's loop.  Its buffers are pages of the pager's own heap (so the
 * ledger counts them as the pager's), reached by DMA through their frames.
 * It writes over those disk pages: use a scratch disk.  One verdict line
 * at the end; with no disk it says so, and that blk_submit refuses. */
#include <malloc.h>
#include <string.h>
#include "pager.h"
#include "blk.h"

#define SINGLE       0                              /* buffer pages: disk page 0, */
#define MULTI        1                              /* 1..KINE_BLK_REQ_PAGES, */
#define LAST         (MULTI + KINE_BLK_REQ_PAGES)   /* the disk's last page, */
#define SCATTER      (LAST + 1)                     /* single-page reads again */
#define SCATTER_N    (2 * KINE_BLK_REQ_PAGES)
#define BUF_PAGES    (SCATTER + SCATTER_N)
#define DISK_PAGES_MIN (LAST + 1)                   /* the last page apart from the rest */
#define XFERS_MAX    (3 + SCATTER_N)
#define PATTERN_SEED 0x6b696e65626c6b00ULL          /* "kineblk" */
#define WORD_SPREAD  0x9e3779b97f4a7c15ULL          /* odd: every word of a page differs */
#define WORDS        (KINE_PAGE_SIZE / sizeof(uint64_t))

enum phase { IDLE, WRITING, READING, OVER };

struct xfer {
    enum kine_blk_op op;
    uint64_t disk_page;
    unsigned buf_page, n;
};

static struct {
    enum phase phase;
    uint64_t pages;                  /* the disk's */
    uint64_t *buf;                   /* BUF_PAGES pages */
    uint32_t frame[BUF_PAGES];
    struct xfer xfer[XFERS_MAX];
    unsigned nxfers, waiting;
    bool written[SCATTER];           /* by the buffer page it was written from */
    bool in_submit;
    int passed, failed;
    unsigned reads, read_errors, writes, write_errors;
} bc;

static void expect(const char *what, int64_t got, int64_t want)
{
    if (got == want) {
        bc.passed++;
        return;
    }
    bc.failed++;
    pager_log("blkcheck FAIL: %s: got %ld, want %ld", what, (long)got, (long)want);
}

static uint64_t *page_of(unsigned buf_page) { return bc.buf + (uint64_t)buf_page * WORDS; }

static uint64_t pattern(uint64_t disk_page, uint64_t word)
{
    return PATTERN_SEED ^ (disk_page << 32) ^ (word * WORD_SPREAD);
}

static void fill(unsigned buf_page, uint64_t disk_page)
{
    uint64_t *w = page_of(buf_page);
    for (uint64_t j = 0; j < WORDS; j++)
        w[j] = pattern(disk_page, j);
}

static bool holds(unsigned buf_page, uint64_t disk_page)
{
    const uint64_t *w = page_of(buf_page);
    for (uint64_t j = 0; j < WORDS; j++)
        if (w[j] != pattern(disk_page, j))
            return false;
    return true;
}

/* The buffer page disk page d was written from. */
static unsigned written_from(uint64_t d)
{
    return d == 0 ? SINGLE : d == bc.pages - 1 ? LAST : MULTI + (unsigned)(d - 1);
}

static void verdict(void)
{
    bc.phase = OVER;
    if (bc.read_errors || bc.write_errors)
        pager_log("blkcheck: I/O errors: %u of %u reads and %u of %u writes failed with EIO",
                  bc.read_errors, bc.reads, bc.write_errors, bc.writes);
    pager_log("blkcheck: %d checks passed, %d failed", bc.passed, bc.failed);
    free(bc.buf);                    /* free(NULL) when there was nothing to check */
    bc.buf = NULL;
}

static void transfer_done(void *ctx, int64_t status);

/* Queue one transfer of the phase. */
static void submit(enum kine_blk_op op, uint64_t disk_page, unsigned buf_page, unsigned n)
{
    struct xfer *x = &bc.xfer[bc.nxfers++];
    *x = (struct xfer){ op, disk_page, buf_page, n };
    bc.in_submit = true;
    int r = blk_submit(op, disk_page, &bc.frame[buf_page], n, transfer_done, x);
    bc.in_submit = false;
    expect(op == KINE_BLK_READ ? "submit a read" : "submit a write", r, 0);
    bc.waiting += r == 0;
    if (op == KINE_BLK_READ)
        bc.reads += r == 0;
    else
        bc.writes += r == 0;
}

/* Requests blk_submit must refuse, leaving nothing queued. */
static void refusals(void)
{
    uint32_t outside = pg.frames.nframes;
    uint64_t before = blk_in_flight();
    expect("past the end", blk_submit(KINE_BLK_READ, bc.pages, bc.frame, 1, transfer_done, NULL),
           -KINE_EINVAL);
    expect("across the end", blk_submit(KINE_BLK_READ, bc.pages - 1, bc.frame, 2, transfer_done,
                                        NULL), -KINE_EINVAL);
    expect("far past the end", blk_submit(KINE_BLK_WRITE, UINT64_MAX, bc.frame, 1, transfer_done,
                                          NULL), -KINE_EINVAL);
    expect("no pages", blk_submit(KINE_BLK_READ, 0, bc.frame, 0, transfer_done, NULL),
           -KINE_EINVAL);
    expect("too many pages", blk_submit(KINE_BLK_READ, 0, bc.frame, KINE_BLK_REQ_PAGES + 1,
                                        transfer_done, NULL), -KINE_EINVAL);
    expect("a bad op", blk_submit((enum kine_blk_op)(KINE_BLK_WRITE + 1), 0, bc.frame, 1,
                                  transfer_done, NULL), -KINE_EINVAL);
    expect("a frame outside the pool", blk_submit(KINE_BLK_READ, 0, &outside, 1, transfer_done,
                                                  NULL), -KINE_EINVAL);
    expect("nothing queued by them", (int64_t)blk_in_flight(), (int64_t)before);
}

static void start_writes(void)
{
    uint64_t before = blk_in_flight();
    bc.phase = WRITING;
    bc.nxfers = 0;
    fill(SINGLE, 0);
    for (unsigned i = 0; i < KINE_BLK_REQ_PAGES; i++)
        fill(MULTI + i, 1 + i);
    fill(LAST, bc.pages - 1);
    submit(KINE_BLK_WRITE, 0, SINGLE, 1);
    submit(KINE_BLK_WRITE, 1, MULTI, KINE_BLK_REQ_PAGES);
    submit(KINE_BLK_WRITE, bc.pages - 1, LAST, 1);
    expect("in flight after the writes", (int64_t)(blk_in_flight() - before), 3);
}

static void start_reads(void)
{
    bc.phase = READING;
    bc.nxfers = 0;
    memset(bc.buf, 0, (uint64_t)BUF_PAGES * KINE_PAGE_SIZE);
    submit(KINE_BLK_READ, 0, SINGLE, 1);
    submit(KINE_BLK_READ, 1, MULTI, KINE_BLK_REQ_PAGES);
    submit(KINE_BLK_READ, bc.pages - 1, LAST, 1);
    for (unsigned i = 0; i < SCATTER_N; i++)
        submit(KINE_BLK_READ, 1 + i % KINE_BLK_REQ_PAGES, SCATTER + i, 1);
}

static void transfer_done(void *ctx, int64_t status)
{
    const struct xfer *x = ctx;
    expect("called back outside blk_submit", bc.in_submit, false);
    if (status) {                    /* counted here, reported in one line at the end */
        bc.failed++;
        if (x->op == KINE_BLK_READ)
            bc.read_errors++;
        else
            bc.write_errors++;
    } else if (x->op == KINE_BLK_READ) {
        for (unsigned i = 0; i < x->n; i++)     /* a page whose write failed proves nothing */
            if (bc.written[written_from(x->disk_page + i)])
                expect("the page read is the page written",
                       holds(x->buf_page + i, x->disk_page + i), true);
    } else {
        bc.passed++;                 /* a write done */
        for (unsigned i = 0; i < x->n; i++)
            bc.written[x->buf_page + i] = true;
    }
    if (--bc.waiting)
        return;
    if (bc.phase == WRITING)
        start_reads();
    if (bc.phase == READING && bc.waiting == 0)
        verdict();                   /* every read done, or none could be queued */
}

/* The disk is known (pages 0: there is none). */
static void disk_known(uint64_t pages)
{
    uint32_t f = 0;
    bc.pages = pages;
    if (!pages) {
        pager_log("blkcheck: no disk");
        expect("submit without a disk", blk_submit(KINE_BLK_READ, 0, &f, 1, transfer_done, NULL),
               -KINE_ENODEV);
        verdict();
        return;
    }
    expect("a disk of at least the pages it writes", pages >= DISK_PAGES_MIN, true);
    if (pages >= DISK_PAGES_MIN)
        bc.buf = memalign(KINE_PAGE_SIZE, (uint64_t)BUF_PAGES * KINE_PAGE_SIZE);
    if (!bc.buf) {
        pager_log("blkcheck: cannot check a disk of %lu pages%s", (unsigned long)pages,
                  pages >= DISK_PAGES_MIN ? ": no memory for its buffers" : "");
        bc.failed += pages >= DISK_PAGES_MIN;   /* the size is counted already */
        verdict();
        return;
    }
    for (unsigned i = 0; i < BUF_PAGES; i++) {
        int64_t f = heap_frame_at(page_of(i));
        expect("a buffer page's frame", f >= 0, true);
        bc.frame[i] = f >= 0 ? (uint32_t)f : pg.frames.nframes;   /* refused if not found */
    }
    refusals();
    start_writes();
    if (bc.waiting == 0)
        verdict();                   /* nothing could be queued */
}

void blkcheck_start(void)
{
    if (blk_when_ready(disk_known) < 0)
        pager_log("blkcheck: cannot wait for the disk");
}
