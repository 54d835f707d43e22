/* bigsbrk: ask for more heap than there is RAM.  Under lazy the sbrk only
 * reserves address space and succeeds; a child that then touches every page
 * runs out of frames and is killed, alone.  Under eager and cow the sbrk
 * itself fails cleanly with ENOMEM. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>


int main(void)
{
    struct kine_ledger l;
    kine_ledger(&l);
    uint64_t pages = l.frames_total + l.frames_total / 2;    /* 1.5x all of RAM */
    char *p = sbrk((intptr_t)(pages * KINE_PAGE_SIZE));
    if (p == (char *)-1) {
        printf("sbrk of %lu MiB refused: %s\n", (unsigned long)(pages >> 8),
               errno == ENOMEM ? "ENOMEM" : "other error");
        return errno == ENOMEM ? 0 : 1;
    }
    printf("sbrk of %lu MiB reserved\n", (unsigned long)(pages >> 8));
    pid_t c = fork();
    if (c == 0) {
        for (uint64_t i = 0; i < pages; i++)
            p[i * KINE_PAGE_SIZE] = 1;
        _exit(0);
    }
    int ws = 0;
    waitpid(c, &ws, 0);
    sbrk(-(intptr_t)(pages * KINE_PAGE_SIZE));
    if (WIFSIGNALED(ws)) {
        printf("the child touching it all was killed; the parent goes on\n");
        return 0;
    }
    return 1;
}
