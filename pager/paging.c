/* Paging out and in: the swap cache, eviction and page-in, each disk
 * transfer asynchronous.
 *
 * Every frame that backs a process's page (placed, from mm_install) is
 * tracked by the replacement policy (reclaim.h), which picks victims.
 * All page-map entries of one frame sit at the same va (pages are shared
 * only by fork), so the reverse map is one va per frame: a frame's sharers
 * are the processes whose entry at that va names it.
 *
 * Paging a frame out takes every mapping of it away at once (reading D as
 * it goes, KSYS_AS_ACCESSED), turns each sharer's entry into a reference
 * to one swap slot (PM_FLAG_SWAP, and PM_FLAG_COW if it was shared), and
 * writes the frame to that slot.  The frame stays in the swap cache (slot <-> frame)
 * until the write is done, so a fault on it meanwhile takes it straight
 * back.  A page-in reads the slot into a new frame, which stays cached
 * with the slot: if no mapping of it has D set when it is chosen again,
 * it is dropped without a write.  A page-in gives the frame back to every
 * sharer at once, so a page shared when it went out comes back shared,
 * and no entry ever names a slot whose contents a frame has moved past.
 *
 * Frames run short -> reclaim starts below the low watermark and pages out
 * until free frames plus those being written reach the high one.  A fault
 * or request that finds no frame waits for the writes (answered when
 * frames come back, main.c); when nothing can be paged out (swap full or
 * no disk) it fails as before. */
#include <stdlib.h>
#include <string.h>
#include "pager.h"
#include "paging.h"
#include "swap.h"
#include "blk.h"

#define FRAME_TRACKED  1u   /* backs a process page: the reclaim policy knows it */
#define FRAME_READING  2u   /* a page-in into it is under way */
#define FRAME_WRITING  4u   /* a page-out from it is under way */
#define FRAME_USED     8u   /* some mapping had A set at the last sample */
#define NO_SLOT        0u   /* pgd.slot[f]: the frame holds no slot's contents */

#define WATERMARK_DIVISOR 64  /* low watermark: 1/64 of the frames ... */
#define WATERMARK_MIN     8   /* ... but at least this many */

static struct {
    const struct reclaim *rc;
    struct reclaim_env env;
    uint64_t *va;            /* per frame: the va every sharer maps it at */
    uint32_t *slot;          /* per frame: slot + 1 it caches, or NO_SLOT */
    uint8_t *flags;          /* per frame: FRAME_* */
    struct swap_table swap;
    bool ready;              /* the disk said hello and the slot table exists */
    uint64_t low, high;      /* watermarks, in free frames */
    uint64_t tracked;        /* frames the policy knows */
    uint64_t writing;        /* page-outs under way */
    uint64_t faults;         /* since the last access sample */
    bool freed;              /* frames came back, or a transfer ended, since
                                paging_take_freed */
} pgd;

static bool referenced(struct reclaim_env *e, uint32_t f);
static void disk_ready(uint64_t pages);

/* ---- setup ---- */

int paging_init(const struct reclaim *rc)
{
    uint32_t n = pg.frames.nframes;
    pgd.rc = rc;
    pgd.va = calloc(n, sizeof(pgd.va[0]));
    pgd.slot = calloc(n, sizeof(pgd.slot[0]));
    pgd.flags = calloc(n, sizeof(pgd.flags[0]));
    pgd.env.state = calloc(1, rc->state_size(n) ? rc->state_size(n) : 1);
    unsigned ncounters = 0;
    while (rc->counter_names && rc->counter_names[ncounters])
        ncounters++;
    pgd.env.counters = calloc(ncounters + 1, sizeof(uint64_t));
    if (!pgd.va || !pgd.slot || !pgd.flags || !pgd.env.state || !pgd.env.counters)
        return -KINE_ENOMEM;
    pgd.env.nframes = n;
    pgd.env.referenced = referenced;
    pgd.low = n / WATERMARK_DIVISOR > WATERMARK_MIN ? n / WATERMARK_DIVISOR : WATERMARK_MIN;
    pgd.high = 2 * pgd.low;
    return blk_when_ready(disk_ready);
}

const struct reclaim *paging_policy(void) { return pgd.rc; }
const uint64_t *paging_policy_counters(void) { return pgd.env.counters; }

static int place_one(uint64_t va, uint32_t f, uint32_t flags, void *ctx)
{
    paging_placed(f, va, ctx);
    (void)flags;
    return 0;
}

/* The slot table, as soon as the disk has told its size (the driver says
 * hello after init has started), while memory is still plentiful. */
static void disk_ready(uint64_t pages)
{
    pgd.freed = true;                /* whoever waited for the disk tries again */
    if (!pages || pgd.ready)
        return;
    uint32_t n = pages > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)pages;
    void *storage = malloc(swap_storage_size(n));
    if (!storage) {
        pager_log("no memory for a slot table of %u slots: no paging", n);
        return;
    }
    swap_init(&pgd.swap, n, storage);
    pgd.ready = true;
    paging_on = true;
    pg.fast_tag = FAST_TAG_OFF;      /* paging's books are the general path's (fastfault.h) */
    /* Frames are noted only once there is a disk: the pages already there */
    for_each_proc(q)
        if (q->state == P_LIVE)
            pm_foreach(&q->mm.pm, place_one, &q->mm);
    pg.stats.swap_slots = n;
    pager_log("paging to a %lu MiB disk: %u slots; reclaim %s, watermarks %lu/%lu frames",
              (unsigned long)(pages * KINE_PAGE_SIZE >> 20), n, pgd.rc->name,
              (unsigned long)pgd.low, (unsigned long)pgd.high);
}

static bool swap_ready(void) { return pgd.ready; }


/* ---- the reverse map ---- */

/* Does q's entry at va name v (a frame, or a slot if swapped)? */
static bool holds(const struct proc *q, uint64_t va, uint32_t v, bool swapped, uint32_t *flags)
{
    uint32_t e, fl;
    if (q->state != P_LIVE || q->mm.pinned || !pm_get(&q->mm.pm, va, &e, &fl))
        return false;
    if (e != v || ((fl & PM_FLAG_SWAP) != 0) != swapped)
        return false;
    if (flags)
        *flags = fl;
    return true;
}

static unsigned count_holders(uint64_t va, uint32_t v, bool swapped)
{
    unsigned n = 0;
    for_each_proc(q)
        n += holds(q, va, v, swapped, NULL);
    return n;
}

/* A and D of va in q's page tables (flags: KINE_ACCESS_*).  The IPC buffer
 * may hold a reply being built, so the two words the call uses are put back. */
static int64_t ad_bits(const struct proc *q, uint64_t va, uint64_t flags, bool *a, bool *d)
{
    uint64_t *buf = kine_ipcbuf(), saved[2] = { buf[0], buf[1] };
    int64_t n = kine_as_accessed(q->mm.as, va, 1, flags);
    *a = n == 1 && (buf[0] & 1);
    *d = n == 1 && (buf[KINE_ACCESS_WORDS(1)] & 1);
    buf[0] = saved[0];
    buf[1] = saved[1];
    return n;
}

/* The access sample: every live process's A bits, a range of pages per
 * call, read and cleared at once and folded into FRAME_USED of the frames
 * they map.  Asking the kernel frame by frame would cost a call per frame
 * per sharer; this costs one per 16 MiB of each region. */
static void sample(void)
{
    static uint64_t saved[2 * KINE_ACCESS_WORDS(KINE_ACCESS_PAGES_MAX)];
    uint64_t *buf = kine_ipcbuf();
    memcpy(saved, buf, sizeof(saved));
    for_each_proc(q) {
        if (q->state != P_LIVE || q->mm.pinned)
            continue;
        for (unsigned i = 0; i < q->mm.regions.n; i++) {
            const struct region *r = &q->mm.regions.r[i];
            for (uint64_t va = r->start; va < r->end; va += KINE_ACCESS_PAGES_MAX * KINE_PAGE_SIZE) {
                uint64_t n = (r->end - va) / KINE_PAGE_SIZE;
                if (n > KINE_ACCESS_PAGES_MAX)
                    n = KINE_ACCESS_PAGES_MAX;
                if (kine_as_accessed(q->mm.as, va, n, KINE_ACCESS_CLEAR) <= 0)
                    continue;
                for (uint64_t w = 0; w < KINE_ACCESS_WORDS(n); w++) {
                    for (uint64_t bits = buf[w]; bits; bits &= bits - 1) {
                        uint64_t page = va + (w * KINE_ACCESS_WORD_BITS +
                                              (uint64_t)__builtin_ctzll(bits)) * KINE_PAGE_SIZE;
                        uint32_t f, flags;
                        if (pm_get(&q->mm.pm, page, &f, &flags) && !(flags & PM_FLAG_SWAP) &&
                            f < pg.frames.nframes)
                            pgd.flags[f] |= FRAME_USED;
                    }
                }
            }
        }
    }
    memcpy(buf, saved, sizeof(saved));
}

/* Used since it was last asked?  As of the last sample (before each
 * reclaim pass and every RECLAIM_TICK_FAULTS faults). */
static bool referenced(struct reclaim_env *e, uint32_t f)
{
    bool used = (pgd.flags[f] & FRAME_USED) != 0;
    (void)e;
    pgd.flags[f] &= ~FRAME_USED;
    return used;
}

/* ---- the frame and slot books ---- */

static void track(uint32_t f)
{
    if (pgd.flags[f] & FRAME_TRACKED)
        return;
    pgd.flags[f] |= FRAME_TRACKED;
    pgd.tracked++;
    pgd.rc->added(&pgd.env, f);
}

static void untrack(uint32_t f)
{
    if (!(pgd.flags[f] & FRAME_TRACKED))
        return;
    pgd.flags[f] &= ~FRAME_TRACKED;
    pgd.tracked--;
    pgd.rc->removed(&pgd.env, f);
}

/* f holds slot s's contents: the cache's own reference to s. */
static void cache(uint32_t f, uint32_t s)
{
    pgd.slot[f] = s + 1;
    pgd.swap.frame[s] = f + 1;
}

static void uncache(uint32_t f)
{
    if (pgd.slot[f] == NO_SLOT)
        return;
    uint32_t s = pgd.slot[f] - 1;
    pgd.slot[f] = NO_SLOT;
    pgd.swap.frame[s] = SLOT_NO_FRAME;
    paging_slot_unref(s);
}

void paging_placed(uint32_t f, uint64_t va, const struct mm *mm)
{
    if (mm->pinned || !paging_on)
        return;                      /* without a disk, nothing to note */
    pgd.va[f] = va;
    track(f);
}

void paging_freed(uint32_t f)
{
    if (!pgd.rc)
        return;
    untrack(f);
    uncache(f);
    pgd.flags[f] = 0;
    pgd.freed = true;
}

int paging_slot_ref(uint32_t s)
{
    return pgd.ready ? swap_ref(&pgd.swap, s) : -KINE_EINVAL;
}

void paging_slot_unref(uint32_t s)
{
    int r = pgd.ready ? swap_unref(&pgd.swap, s) : -KINE_EINVAL;
    if (r < 0)
        pager_log("BUG: release of free swap slot %u", s);
}

/* ---- killing the holders of a lost page ---- */

/* Kill every process whose entry at va is slot s (a kill can free a
 * record, so the scan starts again after each). */
static void kill_holders(uint64_t va, uint32_t s, const char *why)
{
    for (bool again = true; again;) {
        again = false;
        for_each_proc(q) {
            if (holds(q, va, s, true, NULL)) {
                proc_kill(q, why, va);
                again = true;
                break;
            }
        }
    }
}

/* Kill every process waiting for slot s to come in (left: only those
 * whose entry at va names it still, the page could not be mapped for). */
static void kill_waiters(uint32_t s, uint64_t va, const char *why, bool left)
{
    for (bool again = true; again;) {
        again = false;
        for_each_thread(t) {
            struct proc *q = t->proc;
            if (q->state == P_LIVE && t->blocked == B_PAGE_IN && t->page_in_slot == s &&
                (!left || holds(q, va, s, true, NULL))) {
                proc_kill(q, why, va);
                again = true;
                break;
            }
        }
    }
}

/* Answer every thread waiting for slot s to come in (killed: it is gone). */
static void wake_page_in(uint32_t s)
{
    for_each_thread(t) {
        if (t->proc->state == P_LIVE && t->blocked == B_PAGE_IN && t->page_in_slot == s) {
            struct kine_msg m;
            t->blocked = B_NONE;
            reply_status(&m, 0);
            reply_later(t->tid, &m);     /* it re-runs the instruction */
        }
    }
}

/* ---- paging in ---- */

/* Give frame f (holding slot s) to every process whose entry at va is s,
 * one reference each, mapped with D clear (so a write shows).  Each
 * mapping is sent on its own: one the kernel refuses (that process's page
 * tables used up) leaves its entry naming s, and that process alone fails
 * when it touches the page; while it does, f counts as shared with it
 * (paging_cache_sharers), so nobody writes f in place.  0, or the error
 * of `who`'s own mapping. */
static int map_in(uint64_t va, uint32_t s, uint32_t f, const struct proc *who)
{
    int who_err = 0;
    for_each_proc(q) {
        uint32_t flags;
        if (!holds(q, va, s, true, &flags))
            continue;
        const struct region *r = region_find(&q->mm.regions, va);
        unsigned rights = r ? r->rights : KINE_RIGHT_R;
        if (flags & PM_FLAG_COW)
            rights &= ~KINE_RIGHT_W;
        int err = frame_ref(&pg.frames, f);
        if (!err)
            err = mm_install(q->env, &q->mm, va, f, rights | KINE_MAP_NOAD, flags & ~PM_FLAG_SWAP);
        if (!err)
            err = mm_commit(&pager_ops);     /* a refusal rolls back this one only */
        if (q == who)
            who_err = err;
    }
    return who_err;
}

unsigned paging_cache_sharers(uint32_t f)
{
    return pgd.ready && pgd.slot[f] != NO_SLOT && swap_refcount(&pgd.swap, pgd.slot[f] - 1) > 1;
}

static void read_done(void *ctx, int64_t status)
{
    uint32_t f = (uint32_t)(uintptr_t)ctx, s = pgd.slot[f] - 1;
    uint64_t va = pgd.va[f];
    pgd.freed = true;                /* room in the disk's queue, at least */
    pgd.flags[f] &= ~FRAME_READING;
    if (status < 0) {
        uncache(f);
        kill_waiters(s, va, "disk error reading its page back at", false);   /* only those who wanted it */
    } else {
        map_in(va, s, f, NULL);
        kill_waiters(s, va, "cannot map its page back at", true);
        wake_page_in(s);
    }
    pager_frame_unref(f);            /* the transfer's own reference */
}

int paging_page_in(struct proc *p, uint64_t va, uint32_t s)
{
    struct thread *t = pg.serving_thread;    /* p's thread that faulted: it waits */
    uint32_t cached = pgd.ready && s < pgd.swap.nslots ? pgd.swap.frame[s] : SLOT_NO_FRAME;
    if (cached != SLOT_NO_FRAME) {
        uint32_t f = cached - 1;
        if (pgd.flags[f] & FRAME_READING) {
            t->blocked = B_PAGE_IN;      /* already on its way */
            t->page_in_slot = s;
            return PAGING_WAIT;
        }
        pg.stats.pages_reclaimed_from_cache++;
        return map_in(va, s, f, p);      /* still here (maybe being written) */
    }
    if (!pgd.ready)
        return -KINE_EIO;                /* a slot with no disk: cannot happen */
    if (!blk_room()) {
        t->blocked = B_MEMORY;           /* asked again when a transfer ends */
        t->park_frames = 0;
        return PAGING_WAIT;
    }
    int r = paging_need(PAGING_FAULT_FRAMES);
    if (r == PAGING_WAIT) {
        t->blocked = B_MEMORY;           /* asked again once frames come back */
        t->park_frames = PAGING_FAULT_FRAMES;
    }
    if (r)
        return r;
    int64_t f = pager_frame_alloc();     /* the transfer's reference */
    if (f < 0)
        return (int)f;
    uint32_t fr = (uint32_t)f;
    if (paging_slot_ref(s) < 0) {
        pager_frame_unref(fr);
        return -KINE_EINVAL;
    }
    pgd.flags[fr] |= FRAME_READING;
    pgd.va[fr] = va;
    cache(fr, s);
    int err = blk_submit(KINE_BLK_READ, s, &fr, 1, read_done, (void *)(uintptr_t)fr);
    if (err) {
        pgd.flags[fr] &= ~FRAME_READING;
        pager_frame_unref(fr);           /* uncached when freed */
        return err;
    }
    COUNT_MM(&p->mm, pages_paged_in);
    t->blocked = B_PAGE_IN;
    t->page_in_slot = s;
    return PAGING_WAIT;
}

/* ---- paging out ---- */

static void write_done(void *ctx, int64_t status)
{
    uint32_t f = (uint32_t)(uintptr_t)ctx, s = pgd.slot[f] - 1;
    uint64_t va = pgd.va[f];
    pgd.flags[f] &= ~FRAME_WRITING;
    pgd.writing--;
    pgd.freed = true;
    if (status < 0) {
        /* the slot holds garbage: whoever took the frame back meanwhile has
         * the page; whoever still names the slot has lost it */
        uncache(f);
        kill_holders(va, s, "disk error writing its page out at");
    }
    pager_frame_unref(f);            /* the transfer's own reference */
}

/* Page f out, or -KINE_EBUSY (in transfer, or held in a way the reverse
 * map cannot see: leave it), -KINE_ENOSPC (it needs a slot; none free). */
static int evict(uint32_t f)
{
    uint64_t va = pgd.va[f];
    uint32_t cached = pgd.slot[f];
    if (pgd.flags[f] & (FRAME_READING | FRAME_WRITING))
        return -KINE_EBUSY;
    if (!blk_room())
        return -KINE_EAGAIN;         /* the disk's queue is full: later */
    unsigned n = count_holders(va, f, false);
    if (n == 0 || n != frame_refcount(&pg.frames, f))
        return -KINE_EBUSY;
    bool slot_shared = cached != NO_SLOT && swap_refcount(&pgd.swap, cached - 1) > 1;
    if ((cached == NO_SLOT || slot_shared) && pgd.swap.nfree == 0)
        return -KINE_ENOSPC;
    /* every mapping goes at once; D says whether any sharer wrote it */
    bool dirty = false, a, d;
    for_each_proc(q) {
        if (holds(q, va, f, false, NULL)) {
            ad_bits(q, va, KINE_ACCESS_UNMAP, &a, &d);
            dirty |= d;
        }
    }
    bool write = cached == NO_SLOT || dirty;
    uint32_t s;
    if (write && (cached == NO_SLOT || slot_shared)) {
        uncache(f);
        s = (uint32_t)swap_alloc(&pgd.swap);   /* checked above; the cache's reference */
        cache(f, s);
    } else {
        s = cached - 1;              /* clean: the slot has it; dirty: rewrite ours */
    }
    untrack(f);
    if (write) {
        frame_ref(&pg.frames, f);    /* the transfer's own reference */
        pgd.flags[f] |= FRAME_WRITING;
    }
    for_each_proc(q) {
        uint32_t flags;
        if (!holds(q, va, f, false, &flags))
            continue;
        paging_slot_ref(s);
        /* shared now (its count said so): the flag keeps that, for the
         * page's return (map_in) and for a fork meanwhile */
        pm_set(&q->mm.pm, va, s, flags | PM_FLAG_SWAP | (n > 1 ? PM_FLAG_COW : 0));   /* the entry exists */
        COUNT_MM(&q->mm, pages_paged_out);
        pager_frame_unref(f);
    }
    if (!write) {
        pg.stats.clean_drops++;      /* the last unref freed it */
        return 0;
    }
    pgd.writing++;
    pg.stats.pages_out++;
    if (blk_submit(KINE_BLK_WRITE, s, &f, 1, write_done, (void *)(uintptr_t)f) < 0)
        write_done((void *)(uintptr_t)f, -KINE_EIO);   /* room was checked: cannot happen */
    return 0;
}

/* Page out until free frames plus those being written reach target, or
 * nothing more can go. */
static void reclaim(uint64_t target)
{
    if (!swap_ready())
        return;
    sample();
    if (pgd.rc->tick)
        pgd.rc->tick(&pgd.env);
    for (uint64_t tries = pgd.tracked; tries && pg.frames.nfree + pgd.writing < target; tries--) {
        int64_t v = pgd.rc->victim(&pgd.env);
        if (v < 0)
            break;
        int err = evict((uint32_t)v);
        if (err == -KINE_EAGAIN)
            break;
        if (err < 0) {                   /* not now: to the back of the line */
            pgd.rc->removed(&pgd.env, (uint32_t)v);
            pgd.rc->added(&pgd.env, (uint32_t)v);
        }
    }
}

struct frame_table *const paging_frames = &pg.frames;
bool paging_on;

int paging_need_slow(uint64_t frames)
{
    if (pg.frames.nfree >= frames)
        return 0;
    if (!swap_ready())               /* no disk, or not yet: then wait for its hello */
        return blk_pending() ? PAGING_WAIT : -KINE_ENOMEM;
    if (frames > pg.frames.nfree + pgd.tracked + pgd.writing)
        return -KINE_ENOMEM;         /* more than paging could ever give */
    reclaim(frames + pgd.high);
    if (pg.frames.nfree >= frames)
        return 0;
    return pgd.writing ? PAGING_WAIT : -KINE_ENOMEM;
}

bool paging_below_low(void)
{
    return pg.frames.nfree < pgd.low;
}

void paging_balance(uint64_t wanted)
{
    if ((pg.frames.nfree < pgd.low || pg.frames.nfree < wanted) && pgd.rc)
        reclaim(wanted + pgd.high);
}

void paging_fault_seen_slow(void)
{
    if (pgd.ready && pgd.rc->tick && ++pgd.faults >= RECLAIM_TICK_FAULTS) {
        pgd.faults = 0;
        sample();
        pgd.rc->tick(&pgd.env);
    }
}

bool paging_take_freed(void)
{
    bool f = pgd.freed;
    pgd.freed = false;
    return f;
}

bool paging_writing(void)
{
    return pgd.writing != 0;
}

bool paging_swap_full(void)
{
    return pgd.ready && pgd.swap.nfree == 0;
}

unsigned paging_transfer_refs(uint32_t f)
{
    return pgd.rc && (pgd.flags[f] & (FRAME_READING | FRAME_WRITING)) ? 1 : 0;
}

void paging_ledger(struct kine_ledger *l)
{
    if (!pgd.rc)
        return;
    /* a page taken back while its write is under way is a process's */
    for (uint32_t f = 0; f < pg.frames.nframes; f++)
        l->frames_in_transfer += paging_transfer_refs(f) && frame_refcount(&pg.frames, f) == 1;
    if (!pgd.ready)
        return;
    l->swap_slots = pgd.swap.nslots;
    l->swap_slots_used = pgd.swap.nslots - pgd.swap.nfree;
    for (uint32_t s = 0; s < pgd.swap.nslots; s++) {
        l->swap_refcount_sum += pgd.swap.ref[s];
        l->swap_cached += pgd.swap.frame[s] != SLOT_NO_FRAME;
    }
}
