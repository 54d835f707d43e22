/* spin: preemption.  The child spins without any system call for 300 ms of
 * timer time; the parent sleeps one tick meanwhile.  The parent can only
 * wake before the child finishes if the timer preempts the spinning child. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kinesys.h>

#define SPIN_TICKS 30     /* 300 ms at 100 Hz */

int main(int argc, char **argv)
{
    uint64_t hz = 10000000;          /* QEMU virt timebase; only a scale here */
    if (argc > 2 && strcmp(argv[1], "child") == 0) {
        uint64_t until = (uint64_t)strtoull(argv[2], NULL, 10);
        while (kine_rdtime() < until)
            ;
        return 0;
    }
    char until[32];
    uint64_t deadline = kine_rdtime() + SPIN_TICKS * (hz / KINE_TICK_HZ);
    snprintf(until, sizeof(until), "%llu", (unsigned long long)deadline);
    const char *args[] = { "spin", "child", until };
    int64_t pid = kine_spawn(3, args, NULL);
    if (pid < 0)
        return 2;
    kine_sleep_ticks(1);
    uint64_t woke = kine_rdtime();
    int ws = -1;
    kine_wait(pid, &ws);
    if (woke < deadline && ws == 0) {
        printf("parent ran while the child was spinning: preemption works\n");
        return 0;
    }
    printf("FAIL: parent woke %s the child's spin ended (status %d)\n",
           woke < deadline ? "before" : "only after", ws);
    return 1;
}
