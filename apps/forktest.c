/* forktest: fork beyond cowtest.
 * chain:  parent -> child -> grandchild, each writing the same page, each
 *         seeing only its own value.
 * loop:   many live children at once, more than would fit in memory if each
 *         were a full copy; the ledger comes back to where it was.
 * oom:    a child that writes more shared pages than memory can copy is
 *         killed with "out of memory"; the parent and system carry on.
 * text:   a write to the text segment after fork still kills the child.
 * Each scenario ends with the ledger consistent and process frames back. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>


static uint64_t free_frames(void)
{
    struct kine_ledger l;
    kine_ledger(&l);
    return l.frames_free;
}

static int wait_status(pid_t pid)
{
    int ws = -1;
    return waitpid(pid, &ws, 0) == pid ? ws : -1;
}

static volatile uint64_t shared_word[KINE_PAGE_SIZE / 8] __attribute__((aligned(KINE_PAGE_SIZE)));

static int chain(void)
{
    shared_word[0] = 1;
    pid_t c = fork();
    if (c < 0)
        return 0;
    if (c == 0) {
        shared_word[0] = 2;
        pid_t g = fork();
        if (g < 0)
            _exit(10);
        if (g == 0) {
            shared_word[0] = 3;
            kine_sleep_ticks(1);
            _exit(shared_word[0] == 3 ? 0 : 11);
        }
        shared_word[0] = 22;
        int ws = wait_status(g);
        _exit(shared_word[0] == 22 && ws == 0 ? 0 : 12);
    }
    shared_word[0] = 111;
    int ws = wait_status(c);
    return ws == 0 && shared_word[0] == 111;
}

static int loop(void)
{
    enum { KIDS = 12 };
    uint64_t pages = free_frames() / 3;           /* each full copy: a third of memory */
    char *p = sbrk((intptr_t)(pages * KINE_PAGE_SIZE));
    if (p == (char *)-1)
        return 0;
    for (uint64_t i = 0; i < pages; i++)
        p[i * KINE_PAGE_SIZE] = (char)i;
    int hold[2];
    if (pipe(hold) != 0)
        return 0;
    static pid_t kids[KIDS];   /* static: fork() returns twice into this frame */
    int n = 0;
    for (; n < KIDS; n++) {
        pid_t pid = fork();
        kids[n] = pid;
        if (pid < 0)
            break;
        if (pid == 0) {
            close(hold[1]);
            p[n * KINE_PAGE_SIZE] = 'k';                     /* one private copy each */
            char c;
            read(hold[0], &c, 1);                  /* until the parent lets go */
            _exit(p[n * KINE_PAGE_SIZE] == 'k' && p[(n + 1) * KINE_PAGE_SIZE] == (char)(n + 1) ? 0 : 1);
        }
    }
    close(hold[0]);
    close(hold[1]);                                /* all children see end of file */
    int ok = n == KIDS;
    for (int i = 0; i < n; i++)
        ok &= wait_status(kids[i]) == 0;
    sbrk(-(intptr_t)(pages * KINE_PAGE_SIZE));
    printf("loop: %d children alive at once, each sharing %lu pages\n", n, (unsigned long)pages);
    return ok;
}

static int oom(void)
{
    uint64_t pages = free_frames() * 2 / 3;
    char *p = sbrk((intptr_t)(pages * KINE_PAGE_SIZE));
    if (p == (char *)-1)
        return 0;
    for (uint64_t i = 0; i < pages; i++)
        p[i * KINE_PAGE_SIZE] = 1;
    pid_t c = fork();
    if (c < 0) {
        sbrk(-(intptr_t)(pages * KINE_PAGE_SIZE));
        return 0;
    }
    if (c == 0) {
        for (uint64_t i = 0; i < pages; i++)       /* needs more copies than exist */
            p[i * KINE_PAGE_SIZE] = 2;
        _exit(0);
    }
    int ws = wait_status(c);
    int ok = WIFSIGNALED(ws) && WTERMSIG(ws) == KINE_WSTATUS_KILLED;
    for (uint64_t i = 0; i < pages; i++)           /* our copy is intact */
        ok &= p[i * KINE_PAGE_SIZE] == 1;
    sbrk(-(intptr_t)(pages * KINE_PAGE_SIZE));
    return ok;
}

int text_target(void) __attribute__((noinline));
int text_target(void) { return 7; }

static int text(void)
{
    pid_t c = fork();
    if (c < 0)
        return 0;
    if (c == 0) {
        *(volatile uint32_t *)(uintptr_t)text_target = 0;
        _exit(0);
    }
    int ws = wait_status(c);
    return WIFSIGNALED(ws) && text_target() == 7;
}

int main(void)
{
    static const struct kine_scenario tests[] = {
        { "chain", chain }, { "loop", loop }, { "oom", oom }, { "text", text },
    };
    int failed = kine_run_scenarios(tests, (int)(sizeof(tests) / sizeof(tests[0])));
    printf(failed ? "%d FORK TESTS FAILED\n" : "ALL FORK TESTS PASSED\n", failed);
    return failed ? 1 : 0;
}
