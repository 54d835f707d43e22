/* spread: a process that spreads its pages thin must pay for the page
 * tables it makes, and die alone.  Under lazy, touching one byte in every
 * 2 MiB costs a frame, a kernel page table and a page-map node per touch;
 * without a charge for the tables, about a thousand touches used up the
 * kernel's object memory and innocent processes died.  The spreader here
 * must be killed at its own quota while an innocent process, started
 * before and working after, succeeds, and a new program still starts. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define MEGAPAGE (512 * KINE_PAGE_SIZE)
#define INNOCENT_PAGES 64

/* The largest heap increment that succeeds (lazy only reserves it). */
static char *grow_max(uint64_t *bytes)
{
    uint64_t lo = 0, hi = 1UL << 31;
    while (hi - lo > MEGAPAGE) {
        uint64_t mid = (lo + hi) / 2 & ~(KINE_PAGE_SIZE - 1);
        char *p = sbrk((intptr_t)mid);
        if (p == (char *)-1) {
            hi = mid;
        } else {
            sbrk(-(intptr_t)mid);
            lo = mid;
        }
    }
    *bytes = lo;
    return sbrk((intptr_t)lo);
}

static void spreader(void)
{
    uint64_t bytes;
    volatile char *p = (volatile char *)grow_max(&bytes);
    printf("spreader: %lu MiB reserved; touching one byte per 2 MiB\n", (unsigned long)(bytes >> 20));
    for (uint64_t off = 0; off < bytes; off += MEGAPAGE)
        p[off] = 1;
    _exit(0);                       /* survived: its quota is too loose */
}

/* Waits until the spreader is gone, then needs memory and a fork. */
static void innocent(int go, int go_writer)
{
    char c;
    close(go_writer);                   /* or it would never see end of file */
    read(go, &c, 1);
    volatile char *p = sbrk(INNOCENT_PAGES * KINE_PAGE_SIZE);
    if (p == (volatile char *)-1)
        _exit(2);
    for (uint64_t i = 0; i < INNOCENT_PAGES; i++)
        p[i * KINE_PAGE_SIZE] = (char)i;
    pid_t k = fork();
    if (k == 0)
        _exit(p[5 * KINE_PAGE_SIZE] == 5 ? 0 : 1);
    int ws = -1;
    waitpid(k, &ws, 0);
    _exit(k > 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? 0 : 3);
}

int main(void)
{
    int go[2];
    if (pipe(go) != 0)
        return 1;
    pid_t inno = fork();
    if (inno == 0)
        innocent(go[0], go[1]);
    pid_t spr = inno > 0 ? fork() : -1;
    if (spr == 0)
        spreader();
    int ws = 0, ok = 1;
    if (spr < 0) {                      /* a fork refused: release the innocent, fail */
        printf("FAIL: fork refused\n");
        close(go[1]);
        if (inno > 0)
            waitpid(inno, &ws, 0);
        return 1;
    }
    waitpid(spr, &ws, 0);
    if (WIFSIGNALED(ws)) {
        printf("the spreader was killed\n");
    } else {
        printf("FAIL: the spreader was not stopped\n");
        ok = 0;
    }
    write(go[1], "g", 1);
    waitpid(inno, &ws, 0);
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
        printf("the innocent process allocated and forked after it\n");
    } else {
        printf("FAIL: the innocent process failed (status %d)\n", ws);
        ok = 0;
    }
    const char *const hello[] = { "hello" };
    int64_t pid = kine_spawn(1, hello, NULL);
    if (pid > 0 && kine_wait(pid, &ws) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
        printf("a new program started and ran\n");
    } else {
        printf("FAIL: spawning hello failed (%ld)\n", (long)pid);
        ok = 0;
    }
    return ok ? 0 : 1;
}
