/* cowtest: copy-on-write fork, served by the user-level pager.
 *
 * simple: take more than half of the free frames, write every page, fork.
 *         The child checks it sees every page, the parent gives its share up
 *         and tells the child, which then writes all of it in place (each
 *         page is now held once: no copy).  Run twice.  Without COW the fork
 *         itself cannot succeed ("fork() failed").
 * three:  three processes share a region and each writes its own pages,
 *         checking it sees only its own writes and the original elsewhere.
 * file:   a child reads from a pipe into a buffer in a COW-shared page; the
 *         parent's copy of the buffer is unchanged.
 * After each scenario the pager's ledger must be consistent and the free
 * frame count back where it was. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>


/* After a scenario: every child reaped, memory given back, ledger sound. */
static int ledger_back(const char *name, uint64_t before)
{
    int ok;
    uint64_t after = kine_others_frames(&ok);
    if (!ok || after != before) {
        printf("%s: LEDGER: %lu frames held by others before, %lu after%s\n", name,
               (unsigned long)before, (unsigned long)after, ok ? "" : ", inconsistent");
        return 0;
    }
    return 1;
}

static int child_ok(pid_t pid)
{
    int ws = 0;
    return waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
}

static int simple(void)
{
    struct kine_ledger l;
    uint64_t before = kine_others_frames(NULL);
    kine_ledger(&l);
    uint64_t pages = l.frames_free / 2 + l.frames_free / 20;   /* 55% of what is free */
    uint64_t size = pages * KINE_PAGE_SIZE;
    char *p = sbrk((intptr_t)size);
    if (p == (char *)-1) {
        printf("simple: sbrk of %lu pages failed\n", (unsigned long)pages);
        return 0;
    }
    for (uint64_t i = 0; i < pages; i++)
        ((uint64_t *)(p + i * KINE_PAGE_SIZE))[0] = i;
    int go[2];
    if (pipe(go) != 0)
        return 0;
    pid_t pid = fork();
    if (pid < 0) {
        printf("fork() failed\n");
        close(go[0]);
        close(go[1]);
        sbrk(-(intptr_t)size);
        return 0;
    }
    if (pid == 0) {
        for (uint64_t i = 0; i < pages; i++)
            if (((uint64_t *)(p + i * KINE_PAGE_SIZE))[0] != i)
                _exit(1);
        char c;
        if (read(go[0], &c, 1) != 1)                    /* parent has let go */
            _exit(2);
        for (uint64_t i = 0; i < pages; i++)
            ((uint64_t *)(p + i * KINE_PAGE_SIZE))[1] = ~i;
        for (uint64_t i = 0; i < pages; i++)
            if (((uint64_t *)(p + i * KINE_PAGE_SIZE))[0] != i || ((uint64_t *)(p + i * KINE_PAGE_SIZE))[1] != ~i)
                _exit(3);
        _exit(0);
    }
    sbrk(-(intptr_t)size);                              /* drop our share */
    int ok = write(go[1], "g", 1) == 1;
    ok &= child_ok(pid);
    close(go[0]);
    close(go[1]);
    return ledger_back("simple", before) && ok;
}

static int three(void)
{
    uint64_t before = kine_others_frames(NULL);
    enum { PAGES = 3000 };
    char *p = sbrk(PAGES * KINE_PAGE_SIZE);
    if (p == (char *)-1)
        return 0;
    for (int i = 0; i < PAGES; i++)
        memset(p + i * KINE_PAGE_SIZE, 'o', KINE_PAGE_SIZE);
    pid_t kids[2] = { -1, -1 };
    int me = 0;                                         /* 0 parent, 1 and 2 children */
    for (int k = 0; k < 2 && me == 0; k++) {
        kids[k] = fork();
        if (kids[k] < 0)
            return 0;
        if (kids[k] == 0)
            me = k + 1;
    }
    /* each process writes the pages i % 3 == me, then checks all pages */
    for (int i = me; i < PAGES; i += 3)
        memset(p + i * KINE_PAGE_SIZE, 'a' + me, KINE_PAGE_SIZE);
    kine_sleep_ticks(2);                                /* let the others write too */
    int good = 1;
    for (int i = 0; i < PAGES && good; i++) {
        char want = i % 3 == me ? (char)('a' + me) : 'o';
        good = p[i * KINE_PAGE_SIZE] == want && p[i * KINE_PAGE_SIZE + KINE_PAGE_SIZE - 1] == want;
    }
    if (me)
        _exit(good ? 0 : 1);
    good &= child_ok(kids[0]);
    good &= child_ok(kids[1]);
    sbrk(-PAGES * KINE_PAGE_SIZE);
    return ledger_back("three", before) && good;
}

static char file_buf[3 * KINE_PAGE_SIZE] __attribute__((aligned(KINE_PAGE_SIZE)));

static int file(void)
{
    uint64_t before = kine_others_frames(NULL);
    static const char msg[] = "the quick brown fox jumps over the copy-on-write page";
    memset(file_buf, 'P', sizeof(file_buf));
    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        close(fds[1]);
        char *dst = file_buf + KINE_PAGE_SIZE + 100;              /* lies in a COW page */
        size_t got = 0;
        ssize_t n;
        while ((n = read(fds[0], dst + got, sizeof(msg) - got)) > 0)
            got += (size_t)n;
        _exit(got == sizeof(msg) && memcmp(dst, msg, sizeof(msg)) == 0 && n == 0 ? 0 : 1);
    }
    close(fds[0]);
    int ok = write(fds[1], msg, sizeof(msg)) == (ssize_t)sizeof(msg);
    close(fds[1]);                                      /* child sees end of file */
    ok &= child_ok(pid);
    for (size_t i = 0; i < sizeof(file_buf); i++)
        ok &= file_buf[i] == 'P';
    return ledger_back("file", before) && ok;
}

int main(void)
{
    struct kine_memstats s0, s1;
    int failed = 0;
    kine_memstats(&s0);
    for (int run = 1; run <= 2; run++) {
        int ok = simple();
        printf("simple: %s (run %d)\n", ok ? "ok" : "FAILED", run);
        failed += !ok;
    }
    int ok = three();
    printf("three: %s\n", ok ? "ok" : "FAILED");
    failed += !ok;
    ok = file();
    printf("file: %s\n", ok ? "ok" : "FAILED");
    failed += !ok;
    kine_memstats(&s1);
    printf("policy %s: %lu forks, %lu pages shared at fork, %lu copied at fork, "
           "%lu COW copies, %lu refcount-1 reuses, %lu zero fills\n", s1.policy,
           (unsigned long)(s1.forks - s0.forks),
           (unsigned long)(s1.pages_shared_at_fork - s0.pages_shared_at_fork),
           (unsigned long)(s1.pages_copied_at_fork - s0.pages_copied_at_fork),
           (unsigned long)(s1.faults_cow_copy - s0.faults_cow_copy),
           (unsigned long)(s1.faults_cow_reuse - s0.faults_cow_reuse),
           (unsigned long)(s1.pages_zero_filled - s0.pages_zero_filled));
    if (failed) {
        printf("%d COW TESTS FAILED\n", failed);
        return 1;
    }
    printf("ALL COW TESTS PASSED\n");
    return 0;
}
