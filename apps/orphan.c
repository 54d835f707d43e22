/* orphan: exits (status 7) while a child it never waits for still runs.
 * init must wait until that orphan, handed to it, is gone too before it
 * checks the ledger; QEMU then exits with 7. */
#include <unistd.h>
#include <kinesys.h>

#define STATUS       7
#define CHILD_TICKS  KINE_TICK_HZ      /* the orphan outlives us by a second */

int main(void)
{
    pid_t c = fork();
    if (c == 0) {
        kine_sleep_ticks(CHILD_TICKS);
        _exit(0);
    }
    return c > 0 ? STATUS : 1;
}
