/* refbench: replay a reference pattern on heap pages and count what paging
 * cost it; the guest half of `tools/bench paging` (docs/paging.md).
 *
 *   refbench PATTERN PAGES LENGTH SEED
 *
 * Grows the heap by PAGES pages (a MiB at a time, so the pager can page
 * out between steps), then touches page refpattern_next() of the string
 * lib/refpattern.c makes from (PATTERN, PAGES, LENGTH, SEED): the very
 * string tools/refsim replays on the host.  Each touch is one write of a
 * word (an atomic swap, so the read that checks the page and the write
 * that dirties it are one access and one fault at most): every page that
 * goes out is dirty and must be written to disk, and every page that comes
 * back must still hold the word written into it.  After the measured
 * replay it makes the string again to learn which pages it names, and
 * checks that each of them was first touched once and holds its word (a
 * page lost and zero-filled again would read 0 and count twice).
 *
 * Around the replay it reads its own counters (PGR_PROCINFO) and the
 * pager's (PGR_MEMSTATS); the figures are the differences:
 *   faults      pages brought in: zero fills (first touches, under the
 *               lazy policy), page-ins from disk, and pages taken back
 *               from the swap cache before their write was done (the
 *               pager's count: nothing else runs)
 *   disk reads and writes, pages, the pager's too
 *   in_use      frames in use just before the replay, the pager's own
 *               included: the pool less these is what the pattern, the
 *               pager's free reserve and its text and stack share.
 *   own_resident, others_resident: of those, its own pages and those of
 *               every other process but the drivers (whose memory never
 *               pages out); what a policy can still page out besides the
 *               pattern, which gives the pattern their frames.
 * Its own text, stack and data are pages like any other, and the same
 * counters count their faults; the replay touches few of them (the loop's
 * code, and one stack page, which holds the pattern's state), which matter
 * only when a policy evicts them (exec_faults counts the text's).
 *
 * Prints a human line, a `RESULT key=value ...` line for tools/bench and
 * a verdict; exits 0 only if every page kept its word. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kinesys.h>
#include <kinelib/refpattern.h>

#define PAGE_WORDS (KINE_PAGE_SIZE / sizeof(uint64_t))
#define GROW_STEP  (1UL << 20)        /* sbrk a MiB at a time, as thrash does */
#define TAG        0x52454642UL       /* "REFB": every page's word holds it and its number */
#define EXIT_USAGE 2
#define BITS       64                 /* pages per word of the check's bitmap */
#define BLK_DRIVER "virtio_blk"       /* the block driver's name in the process list */
#define DISK_WAIT_TICKS (10 * KINE_TICK_HZ)   /* at most 10 s for the pager's slot table */

/* Static, so that making them private is a fault before the measured span
 * (the warm-up reads), never inside it. */
static struct kine_procinfo before, after;
static struct kine_memstats ms_before, ms_after;
static struct kine_ledger ledger;
static struct kine_procinfo other;

/* The word page p holds once touched: never 0, so 0 means never touched. */
static uint64_t page_word(uint64_t p)
{
    return TAG << 32 | (p + 1);
}

static int usage(void)
{
    printf("usage: refbench PATTERN PAGES LENGTH SEED   (PATTERN:");
    for (int k = 0; k < REFPATTERN_KINDS; k++)
        printf(" %s", refpattern_name((enum refpattern_kind)k));
    printf(")\n");
    return EXIT_USAGE;
}

/* A decimal number and nothing else. */
static int parse(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    *out = strtoull(s, &end, 10);
    return *end ? -1 : 0;
}

/* Grow the heap by npages page-aligned pages, a step at a time: their
 * start, or NULL. */
static uint64_t *grow(uint64_t npages)
{
    uintptr_t cur = (uintptr_t)sbrk(0);
    uint64_t size = KINE_PAGE_UP(cur) - cur + npages * KINE_PAGE_SIZE;
    for (uint64_t got = 0; got < size; got += GROW_STEP) {
        uint64_t step = size - got < GROW_STEP ? size - got : GROW_STEP;
        if (sbrk((intptr_t)step) == (void *)-1) {
            printf("FAILED: sbrk refused at %lu of %lu bytes\n", (unsigned long)got,
                   (unsigned long)size);
            return NULL;
        }
    }
    return (uint64_t *)KINE_PAGE_UP(cur);
}

/* The pager learns the disk's size from the block driver's first message,
 * which may come after this program has started (late on a loaded host);
 * with a small pool the replay could fill memory before the pager has made
 * its slot table, and then it cannot page at all.  So while a block driver
 * runs and the pager has no slots yet, wait, a tick at a time. */
static void wait_for_paging(void)
{
    struct kine_procinfo *pi = &other;
    bool driver = false;
    for (int64_t r = kine_procinfo(0, pi); r >= 0 && pi->pid == 0; r = kine_procinfo_next(pi))
        driver |= strcmp(pi->name, BLK_DRIVER) == 0;
    if (!driver)
        return;
    for (uint64_t t = 0; t < DISK_WAIT_TICKS; t++) {
        if (kine_memstats(&ms_before) == 0 && ms_before.swap_slots)
            return;
        kine_sleep_ticks(1);
    }
    printf("the pager still has no swap slots after %d s: no paging\n",
           DISK_WAIT_TICKS / KINE_TICK_HZ);
}

/* The counters around the replay.  Each is read once before the real
 * read, so the records and the code that fills them are resident. */
static void measure(struct kine_procinfo *pi, struct kine_memstats *ms)
{
    int64_t me = getpid();
    kine_procinfo(me, pi);
    kine_memstats(ms);
    kine_procinfo(me, pi);
    kine_memstats(ms);
}

/* After the replay: the pages the string names (the string again, into a
 * bitmap), and how many of them hold their word.  Reads only those pages,
 * so a page never named is never faulted in.  0, or 1 if out of memory. */
static int check(const uint64_t *base, enum refpattern_kind kind, uint64_t npages,
                 uint64_t length, uint64_t seed, uint64_t *distinct, uint64_t *kept)
{
    struct refpattern rp;
    uint64_t words = (npages + BITS - 1) / BITS;
    uint64_t *named = calloc(words ? words : 1, sizeof(uint64_t));
    if (!named) {
        printf("FAILED: no memory for the check of %lu pages\n", (unsigned long)npages);
        return 1;
    }
    refpattern_init(&rp, kind, npages, length, seed);     /* accepted once already */
    for (int64_t p; (p = refpattern_next(&rp)) != REFPATTERN_END; )
        named[(uint64_t)p / BITS] |= 1UL << ((uint64_t)p % BITS);
    *distinct = *kept = 0;
    for (uint64_t p = 0; p < npages; p++) {
        if (!(named[p / BITS] & 1UL << (p % BITS)))
            continue;
        (*distinct)++;
        *kept += base[p * PAGE_WORDS] == page_word(p);
    }
    free(named);
    return 0;
}

/* Resident pages of every process but the caller and the drivers (pid 0:
 * pinned, never paged out). */
static uint64_t others_resident(void)
{
    uint64_t sum = 0;
    int64_t me = getpid();
    for (int64_t r = kine_procinfo(1, &other); r >= 0; r = kine_procinfo_next(&other))
        if (other.pid != me && other.state == KINE_PROC_LIVE)
            sum += other.resident;
    return sum;
}

int main(int argc, char **argv)
{
    enum { ARG_PATTERN = 1, ARG_PAGES, ARG_LENGTH, ARG_SEED, NARGS };
    uint64_t npages, length, seed;
    if (argc != NARGS || parse(argv[ARG_PAGES], &npages) || parse(argv[ARG_LENGTH], &length) ||
        parse(argv[ARG_SEED], &seed))
        return usage();
    int kind = refpattern_find(argv[ARG_PATTERN]);
    if (kind < 0)
        return usage();
    struct refpattern rp;            /* on the stack: the replay's only other page */
    int err = refpattern_init(&rp, (enum refpattern_kind)kind, npages, length, seed);
    if (err) {
        printf("FAILED: no %s string of %lu pages: error %d\n", argv[ARG_PATTERN],
               (unsigned long)npages, -err);
        return EXIT_USAGE;
    }
    wait_for_paging();
    uint64_t *base = grow(npages);
    if (!base)
        return 1;

    kine_ledger(&ledger);
    uint64_t others = others_resident();
    measure(&before, &ms_before);
    uint64_t first = 0, bad = 0;
    for (int64_t p; (p = refpattern_next(&rp)) != REFPATTERN_END; ) {
        uint64_t want = page_word((uint64_t)p);
        uint64_t old = __atomic_exchange_n(&base[(uint64_t)p * PAGE_WORDS], want, __ATOMIC_RELAXED);
        first += old == 0;
        bad += old != 0 && old != want;
    }
    measure(&after, &ms_after);

    const struct kine_proc_counters *a = &after.counters, *b = &before.counters;
    uint64_t zero = a->pages_zero_filled - b->pages_zero_filled;
    uint64_t in = a->pages_paged_in - b->pages_paged_in;
    uint64_t cached = ms_after.pages_reclaimed_from_cache - ms_before.pages_reclaimed_from_cache;
    uint64_t faults = zero + in + cached;
    uint64_t reads = ms_after.disk_reads - ms_before.disk_reads;
    uint64_t writes = ms_after.disk_writes - ms_before.disk_writes;
    printf("%s over %lu pages, %lu references, reclaim %s: %lu faults (%lu zero fills, "
           "%lu page-ins, %lu from the swap cache), %lu disk reads, %lu writes; "
           "%lu of %lu frames in use before\n",
           argv[ARG_PATTERN], (unsigned long)npages, (unsigned long)length, ms_before.reclaim,
           (unsigned long)faults, (unsigned long)zero, (unsigned long)in, (unsigned long)cached,
           (unsigned long)reads, (unsigned long)writes, (unsigned long)ms_before.frames_in_use,
           (unsigned long)ledger.frames_total);
    printf("RESULT pattern=%s pages=%lu length=%lu seed=%lu policy=%s reclaim=%s pool=%lu "
           "in_use=%lu faults=%lu zero_fills=%lu page_ins=%lu cache_hits=%lu disk_reads=%lu "
           "disk_writes=%lu "
           "exec_faults=%lu first_touches=%lu own_resident=%lu others_resident=%lu resident=%lu "
           "swapped=%lu\n",
           argv[ARG_PATTERN], (unsigned long)npages, (unsigned long)length, (unsigned long)seed,
           before.policy, ms_before.reclaim, (unsigned long)ledger.frames_total,
           (unsigned long)ms_before.frames_in_use, (unsigned long)faults,
           (unsigned long)zero, (unsigned long)in, (unsigned long)cached, (unsigned long)reads, (unsigned long)writes,
           (unsigned long)(a->faults_exec - b->faults_exec), (unsigned long)first,
           (unsigned long)before.resident, (unsigned long)others, (unsigned long)after.resident, (unsigned long)after.swapped);
    uint64_t distinct, kept;
    if (check(base, (enum refpattern_kind)kind, npages, length, seed, &distinct, &kept))
        return 1;
    if (bad || kept != distinct || first != distinct) {
        printf("FAILED: %lu wrong words; of the %lu pages the string names %lu hold their "
               "word, %lu first touches\n", (unsigned long)bad, (unsigned long)distinct,
               (unsigned long)kept, (unsigned long)first);
        return 1;
    }
    printf("ok: %lu references to %lu pages, every page kept its word\n", (unsigned long)length,
           (unsigned long)distinct);
    return 0;
}
