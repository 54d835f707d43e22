/* swaptest: paging to disk under attack, a scenario at a time.
 *
 *   swaptest PAGES [SCENARIO ...]     all scenarios when none is named
 *
 * Each scenario works on PAGES heap pages (more than the pool holds, so
 * they go to disk and back), checks every word, and is followed by the
 * ledger and page-table checks of kine_run_scenarios.
 *
 * cowwrite: a child reads every page it shares with its parent, then
 *           writes them all; the parent's memory must not change.
 * cowfront: the same, but the child writes first the page a FIFO
 *           replacement evicts next, when a fault must page out to find
 *           a frame (run it with pager.reclaim=fifo): the page being
 *           copied may go to disk under the fault, which must not kill it.
 * ptecheck: pages are touched again while their write to disk is under
 *           way, with the page-table check asked in the middle: it must
 *           find nothing wrong.
 * shrink:   the heap shrinks over paged-out pages shared with a child and
 *           grows again: the parent gets zeros, the child keeps its copy.
 * shrinkrace: the same, while the child is paging those pages in.
 * orphan:   a process exits while its child pages in what they shared.
 * kill:     children that page are killed at every stage of their work;
 *           everything they held comes back (the ledger).
 * exec:     a child whose pages are on disk, and shared with its parent,
 *           replaces its image, in a memory full of them; the parent's
 *           pages are intact.
 * spawn:    a program starts while memory is full of the caller's pages.
 * quota:    (lazy, a small pager.tables=) a page comes back while one of
 *           the processes sharing it has no page table left to map it.
 *
 * swaptest PAGES initexec, as the first program (init=swaptest), checks
 * that init stays resident after it replaced its image. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>
#include <kinesys.h>
#include "pagewords.h"

#define GROW_STEP  (1UL << 20)        /* sbrk a MiB at a time */
#define TAG_PARENT 0x50UL             /* generations: whose words a page holds */
#define TAG_CHILD  0x43UL
#define PTE_ROUNDS    16              /* ptecheck: pages out, back and a check, this often */
#define PTE_NEW_PAGES 64              /* ... pages made to push the oldest out */
#define KILL_CHILDREN 6               /* kill: how many, each killed later */
#define FAULT_FRAMES 3                /* cowfront: PAGING_FAULT_FRAMES, pager/paging.h */
#define FRONT_SLACK  16               /* ... pages of text and stack resident, at most */
#define BACK_SLACK   4                /* ... frames a few faults may take besides */

static uint64_t npages;
static uint64_t *base;

static void fill(uint64_t page, uint64_t gen) { pagewords_fill(base, page, gen); }

static uint64_t wrong(uint64_t page, uint64_t gen) { return pagewords_wrong(base, page, gen); }

static int check_all(const char *who, uint64_t from, uint64_t to, uint64_t gen)
{
    for (uint64_t p = from; p < to; p++) {
        uint64_t bad = wrong(p, gen);
        if (bad) {
            printf("%s: page %lu has %lu wrong words\n", who, (unsigned long)p,
                   (unsigned long)bad);
            return 0;
        }
    }
    return 1;
}

/* The heap grows by pages, a MiB at a time (under a policy that fills
 * pages at sbrk, every step can page out); 0 if refused (nothing grew). */
static int grow_by(uint64_t pages)
{
    uint64_t size = pages * KINE_PAGE_SIZE;
    for (uint64_t got = 0; got < size; got += GROW_STEP) {
        uint64_t step = size - got < GROW_STEP ? size - got : GROW_STEP;
        if (sbrk((intptr_t)step) == (void *)-1) {
            printf("sbrk refused at %lu bytes\n", (unsigned long)got);
            sbrk(-(intptr_t)got);
            return 0;
        }
    }
    return 1;
}

/* npages fresh heap pages, written with gen. */
static int grow(uint64_t gen)
{
    base = sbrk(0);
    if (!grow_by(npages))
        return 0;
    for (uint64_t p = 0; p < npages; p++)
        fill(p, gen);
    return 1;
}

static void release(void)
{
    sbrk(-(intptr_t)(npages * KINE_PAGE_SIZE));
}

/* The child's exit status, or -1 if it did not exit. */
static int reap(pid_t c)
{
    int ws = 0;
    if (waitpid(c, &ws, 0) != c)
        return -1;
    if (!WIFEXITED(ws)) {
        printf("child %d was killed\n", (int)c);
        return -1;
    }
    return WEXITSTATUS(ws);
}

static int cowwrite(void)
{
    if (!grow(TAG_PARENT))
        return 0;
    pid_t c = fork();
    if (c < 0) {
        release();
        return 0;
    }
    if (c == 0) {
        if (!check_all("cowwrite child (before)", 0, npages, TAG_PARENT))
            _exit(1);
        for (uint64_t p = 0; p < npages; p++)
            fill(p, TAG_CHILD);
        _exit(check_all("cowwrite child (after)", 0, npages, TAG_CHILD) ? 0 : 1);
    }
    int ok = reap(c) == 0;
    ok &= check_all("cowwrite parent", 0, npages, TAG_PARENT);
    release();
    return ok;
}

/* A child that read every page it shares with its parent has them back
 * in frames that hold their disk copy, oldest first from `front`.  It
 * copies pages at the back until only a few frames are free, then writes
 * from the front on: the fault that finds fewer than FAULT_FRAMES free
 * pages out first, oldest first, the clean ones dropped at once, and the
 * page it is about to copy is among them. */
static void cowfront_child(void)
{
    struct kine_procinfo pi;
    struct kine_ledger l;
    if (!check_all("cowfront child (before)", 0, npages, TAG_PARENT) ||
        kine_procinfo(getpid(), &pi) < 0 || kine_ledger(&l) < 0)
        _exit(1);
    /* the oldest page back, give or take the few of text and stack that
     * are resident too: up to FRONT_SLACK pages past it */
    uint64_t front = npages > pi.resident ? npages - pi.resident + FRONT_SLACK : 0;
    if (front > npages)
        front = npages;
    uint64_t back = l.frames_free > FAULT_FRAMES + BACK_SLACK ?
                    l.frames_free - FAULT_FRAMES - BACK_SLACK : 0;
    if (back > npages - front)
        back = npages - front;
    for (uint64_t i = 0; i < back; i++)
        fill(npages - 1 - i, TAG_CHILD);
    for (uint64_t p = front; p < npages - back; p++)
        fill(p, TAG_CHILD);
    for (uint64_t p = 0; p < front; p++)
        fill(p, TAG_CHILD);
    _exit(check_all("cowfront child (after)", 0, npages, TAG_CHILD) ? 0 : 1);
}

static int cowfront(void)
{
    if (!grow(TAG_PARENT))
        return 0;
    pid_t c = fork();
    if (c == 0)
        cowfront_child();
    int ok = c > 0 && reap(c) == 0;
    ok &= check_all("cowfront parent", 0, npages, TAG_PARENT);
    release();
    return ok;
}

/* The end of shrink and shrinkrace: the child reaped, and the heap back
 * to where it was, whether it grew again (regrown) or stayed at half. */
static int shrink_done(int ok, pid_t c, int regrown, uint64_t half)
{
    if (c > 0)
        ok &= reap(c) == 0;
    if (regrown)
        release();
    else
        sbrk(-(intptr_t)(half * KINE_PAGE_SIZE));
    return ok;
}

/* Pages go out to make room for new ones; the oldest of them (the front
 * of a FIFO replacement) are touched again at once, so they come back
 * from the swap cache while their write is still under way, and the
 * page-table check is asked right then. */
static int ptecheck(void)
{
    uint64_t bad = 0, more = 0;
    if (!grow(TAG_PARENT))
        return 0;
    for (uint64_t round = 0; round < PTE_ROUNDS; round++) {
        struct kine_procinfo pi;
        if (kine_procinfo(getpid(), &pi) < 0 || !grow_by(PTE_NEW_PAGES))
            break;
        more += PTE_NEW_PAGES;
        for (uint64_t p = npages + more - PTE_NEW_PAGES; p < npages + more; p++)
            fill(p, TAG_CHILD);      /* new pages: the oldest go out */
        uint64_t total = npages + more;
        uint64_t front = total > pi.resident ? total - pi.resident : 0;
        for (uint64_t p = front; p < front + PTE_NEW_PAGES && p < total; p++)
            bad += wrong(p, p < npages ? TAG_PARENT : TAG_CHILD) != 0;
        int64_t n = kine_pte_check(NULL, NULL);
        if (n != 0) {
            printf("ptecheck: round %lu: %ld disagreements\n", (unsigned long)round, (long)n);
            bad++;
        }
    }
    sbrk(-(intptr_t)(more * KINE_PAGE_SIZE));
    int ok = check_all("ptecheck", 0, npages, TAG_PARENT) && bad == 0;
    release();
    return ok;
}

static int shrink(void)
{
    if (!grow(TAG_PARENT))
        return 0;
    int go[2];
    if (pipe(go)) {
        release();
        return 0;
    }
    pid_t c = fork();
    if (c == 0) {
        char x;
        close(go[1]);
        read(go[0], &x, 1);          /* the parent has shrunk and grown again */
        _exit(check_all("shrink child", 0, npages, TAG_PARENT) ? 0 : 1);
    }
    uint64_t half = npages / 2;
    /* the upper half goes (most of it on disk by now), then comes back empty */
    int ok = c > 0 && sbrk(-(intptr_t)((npages - half) * KINE_PAGE_SIZE)) != (void *)-1;
    int regrown = ok && grow_by(npages - half);
    ok &= regrown && check_all("shrink parent (kept)", 0, half, TAG_PARENT) &&
          check_all("shrink parent (grown again)", half, npages, 0);
    write(go[1], "x", 1);
    close(go[0]);
    close(go[1]);
    return shrink_done(ok, c, regrown, half);
}

/* The parent shrinks and grows its heap again while its child is paging
 * in the pages they shared: none of them may come back to the parent. */
static int shrinkrace(void)
{
    if (!grow(TAG_PARENT))
        return 0;
    pid_t c = fork();
    if (c == 0)
        _exit(check_all("shrinkrace child", 0, npages, TAG_PARENT) ? 0 : 1);
    uint64_t half = npages / 2;
    int ok = c > 0 && sbrk(-(intptr_t)((npages - half) * KINE_PAGE_SIZE)) != (void *)-1;
    int regrown = ok && grow_by(npages - half);
    ok &= regrown && check_all("shrinkrace parent (grown again)", half, npages, 0);
    for (uint64_t p = half; regrown && p < npages; p++)
        fill(p, TAG_CHILD);
    ok &= regrown && check_all("shrinkrace parent (kept)", 0, half, TAG_PARENT) &&
          check_all("shrinkrace parent (written)", half, npages, TAG_CHILD);
    return shrink_done(ok, c, regrown, half);
}

/* A process pages, forks and exits at once, while its child pages in what
 * they shared; the orphan reports through a pipe. */
static int orphan(void)
{
    int fd[2];
    if (pipe(fd))
        return 0;
    pid_t a = fork();
    if (a == 0) {
        close(fd[0]);
        if (!grow(TAG_PARENT))
            _exit(1);
        pid_t b = fork();
        if (b == 0) {
            char verdict = check_all("orphan", 0, npages, TAG_PARENT) ? 'y' : 'n';
            for (uint64_t p = 0; p < npages; p++)
                fill(p, TAG_CHILD);
            if (!check_all("orphan (written)", 0, npages, TAG_CHILD))
                verdict = 'n';
            write(fd[1], &verdict, 1);
            _exit(0);
        }
        _exit(b > 0 ? 0 : 1);
    }
    close(fd[1]);
    char verdict = 0;
    int ok = a > 0 && reap(a) == 0;
    ok &= read(fd[0], &verdict, 1) == 1 && verdict == 'y';
    close(fd[0]);
    return ok;
}

static int kill_mid(void)
{
    if (!grow(TAG_PARENT))
        return 0;
    pid_t kids[KILL_CHILDREN];
    int n = 0;
    for (; n < KILL_CHILDREN; n++) {
        kids[n] = fork();
        if (kids[n] == 0) {
            for (;;) {               /* read, write, read: until killed */
                check_all("kill child", 0, npages, TAG_PARENT);
                for (uint64_t p = (uint64_t)n % 2; p < npages; p += 2)
                    fill(p, TAG_CHILD + (uint64_t)n);
                for (uint64_t p = (uint64_t)n % 2; p < npages; p += 2)
                    fill(p, TAG_PARENT);
            }
        }
        if (kids[n] < 0)
            break;
        kine_sleep_ticks(1);
    }
    int ok = n == KILL_CHILDREN;
    for (int i = 0; i < n; i++) {
        kine_sleep_ticks((uint64_t)i + 1);
        kill(kids[i], SIGKILL);
        int ws = 0;
        ok &= waitpid(kids[i], &ws, 0) == kids[i] && WIFSIGNALED(ws);
    }
    ok &= check_all("kill parent", 0, npages, TAG_PARENT);
    release();
    return ok;
}

static int exec_mid(void)
{
    if (!grow(TAG_PARENT))
        return 0;
    pid_t c = fork();
    if (c == 0) {
        for (uint64_t p = 0; p < npages; p += 2)      /* some copied, some shared */
            fill(p, TAG_CHILD);
        const char *argv[] = { "hello" };
        int64_t r = kine_exec(1, argv);
        printf("exec child: exec hello failed: error %ld\n", (long)-r);
        _exit(1);
    }
    int ok = c > 0 && reap(c) == 0;
    ok &= check_all("exec parent", 0, npages, TAG_PARENT);
    release();
    return ok;
}

/* With memory full of the parent's pages, a program is started: its
 * frames come from paging the parent's out. */
static int spawn_full(void)
{
    if (!grow(TAG_PARENT))
        return 0;
    const char *argv[] = { "hello" };
    int64_t pid = kine_spawn(1, argv, NULL);
    int ws = 0;
    int ok = pid > 0 && kine_wait(pid, &ws) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    if (pid < 0)
        printf("spawn: hello could not start: error %ld\n", (long)-pid);
    ok &= check_all("spawn parent", 0, npages, TAG_PARENT);
    release();
    return ok;
}

/* quota (lazy, with a small pager.tables=N): a page shared by A and its
 * child C goes to disk, and C then uses up its page tables elsewhere;
 * when A pages it back in, C has no table left to map it: C alone may
 * fail (later, if it touches the page), never A.  Then A writes the page
 * and C, with a table given back, reads it: as it was when it went out. */
#define REGION_BYTES  (2UL << 20)     /* what one page table maps */
#define QUOTA_REGIONS 12              /* heap reserved: x's, C's, B's */
#define QUOTA_MARK    0x51UL

static uint8_t *region(uint64_t i)
{
    uint64_t first = ((uint64_t)(uintptr_t)base + REGION_BYTES) & ~(REGION_BYTES - 1);
    return (uint8_t *)(uintptr_t)(first + i * REGION_BYTES);
}

/* C: finds how many more page tables it may have with a probe (a child
 * with a copy of its tables that takes one region after another until it
 * is killed for it), takes that many itself, then waits. */
static void quota_child(int go[2], int ready[2], int done[2])
{
    char x;
    int counts[2];
    close(go[1]);                    /* A's ends: if A dies, C sees end of file */
    close(ready[0]);
    close(done[1]);
    if (read(go[0], &x, 1) != 1 || pipe(counts))
        _exit(1);
    pid_t d = fork();
    if (d == 0) {
        close(counts[0]);
        for (uint8_t k = 1; k < QUOTA_REGIONS - 3; k++) {
            *region(k) = k;          /* a table more, or killed */
            write(counts[1], &k, 1);
        }
        _exit(0);
    }
    close(counts[1]);
    uint8_t k = 0, got;
    while (read(counts[0], &got, 1) == 1)
        k = got;
    close(counts[0]);
    int ws;
    waitpid(d, &ws, 0);
    for (uint8_t i = 1; i <= k; i++)
        *region(i) = i;
    write(ready[1], "r", 1);
    read(done[0], &x, 1);
    /* a table back (the last region goes), then the shared page: as it
     * was when it went out, whatever A wrote since */
    if (k)
        sbrk(-(intptr_t)((uint8_t *)sbrk(0) - region(k)));
    _exit(*(volatile uint64_t *)region(0) == QUOTA_MARK ? 0 : 1);
}

static void quota_parent(void)
{
    int go[2], ready[2], done[2];
    base = sbrk(0);
    if (sbrk((intptr_t)((QUOTA_REGIONS + 1) * REGION_BYTES)) == (void *)-1 ||
        pipe(go) || pipe(ready) || pipe(done))
        _exit(1);
    volatile uint64_t *x = (volatile uint64_t *)region(0);
    *x = QUOTA_MARK;                 /* the shared page, alone in its table */
    pid_t c = fork();
    if (c == 0)
        quota_child(go, ready, done);
    pid_t b = fork();                /* pressure: every old page goes out */
    if (b == 0) {
        for (uint64_t p = 0; p < npages && p < 2 * REGION_BYTES / KINE_PAGE_SIZE; p++)
            region(QUOTA_REGIONS - 2)[p * KINE_PAGE_SIZE] = 1;
        _exit(0);
    }
    int ws;
    waitpid(b, &ws, 0);
    write(go[1], "g", 1);
    char r;
    read(ready[0], &r, 1);
    int ok = *x == QUOTA_MARK;       /* paged in while C has no table for it */
    *x = QUOTA_MARK + 1;             /* copy-on-write: C must not see it */
    write(done[1], "d", 1);
    ok &= waitpid(c, &ws, 0) == c && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    if (!(WIFEXITED(ws) && WEXITSTATUS(ws) == 0))
        printf("quota: the child that had no table saw %s\n",
               WIFEXITED(ws) ? "the parent's later write" : "itself killed");
    _exit(ok ? 0 : 1);
}

static int quota(void)
{
    pid_t a = fork();
    if (a == 0)
        quota_parent();
    return a > 0 && reap(a) == 0;
}

/* As the first program (init=swaptest PAGES initexec): init replaces its
 * image, then a child pages through PAGES pages while init waits.  init
 * is never paged out (a disk error must not take the process that gives
 * the verdict), and its new image no more than its first. */
static int init_exec(int argc, char **argv)
{
    if (getpid() != 1) {
        printf("initexec: only as the first program (init=swaptest)\n");
        return 2;
    }
    if (argc < 4) {
        const char *again[] = { "swaptest", argv[1], argv[2], "again" };
        int64_t r = kine_exec(4, again);
        printf("initexec: exec failed: error %ld\n", (long)-r);
        return 1;
    }
    pid_t c = fork();
    if (c == 0)
        _exit(grow(TAG_CHILD) && check_all("initexec child", 0, npages, TAG_CHILD) ? 0 : 1);
    struct kine_procinfo pi;
    int ok = c > 0 && reap(c) == 0 && kine_procinfo(1, &pi) == 0 && pi.swapped == 0;
    printf("initexec: %s: %lu of init's pages paged out\n", ok ? "ok" : "FAILED",
           (unsigned long)pi.swapped);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const struct kine_scenario all[] = {
        { "cowwrite", cowwrite }, { "cowfront", cowfront }, { "ptecheck", ptecheck }, { "shrink", shrink },
        { "kill", kill_mid }, { "exec", exec_mid },
        { "spawn", spawn_full }, { "shrinkrace", shrinkrace }, { "orphan", orphan },
        { "quota", quota },
    };
    enum { NALL = sizeof(all) / sizeof(all[0]) };
    struct kine_scenario chosen[NALL];
    int n = 0;
    if (argc < 2) {
        printf("usage: swaptest PAGES [SCENARIO ...], or as init: swaptest PAGES initexec\n");
        return 2;
    }
    npages = strtoull(argv[1], NULL, 0);
    if (argc > 2 && strcmp(argv[2], "initexec") == 0)
        return init_exec(argc, argv);
    for (int i = 2; i < argc; i++) {
        int found = 0;
        for (int j = 0; j < NALL && n < NALL; j++)
            if (strcmp(argv[i], all[j].name) == 0) {
                chosen[n++] = all[j];
                found = 1;
            }
        if (!found) {
            printf("no scenario %s\n", argv[i]);
            return 2;
        }
    }
    int failed = n ? kine_run_scenarios(chosen, n) : kine_run_scenarios(all, NALL);
    printf(failed ? "%d SWAP TESTS FAILED\n" : "ALL SWAP TESTS PASSED\n", failed);
    return failed ? 1 : 0;
}
