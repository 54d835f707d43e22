/* init: the first program.  With arguments, runs that one program and exits
 * with its status (so QEMU does too).  Without, runs the default programs.
 * Around each run it checks the pager's books: once the program and every
 * descendant it left behind are gone, processes must hold as many frames as
 * before it started, the ledger must be consistent, and the page tables of
 * everything still alive must agree with the pager's page maps. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <kinesys.h>
#include <kine/status.h>
#include <signal.h>
#include <unistd.h>

#define INIT_CHILDREN_FROM 2     /* pids after init's own */

static const char *const default_programs[][2] = {
    { "hello", NULL },
    { "memtouch", NULL },
    { "ipcping", NULL },
};

static int exit_code(int ws)
{
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : KINE_EXIT_SIGNALED + WTERMSIG(ws);
}

/* Frames held by the processes other than init, and the free count. */
static uint64_t process_frames(int *consistent, uint64_t *free_frames)
{
    struct kine_ledger l;
    int64_t r = kine_ledger(&l);
    *consistent = r == 0;
    *free_frames = l.frames_free;
    /* every process's but init's own, which may grow (a policy that loads
     * its text on first touch) */
    return r < 0 ? 0 : kine_ledger_others_frames(&l);
}

/* Orphans get this long after the program is gone, then init ends them:
 * one blocked for ever must not hang the system. */
#define ORPHAN_GRACE_MS  15000
#define POLL_TICKS       2

/* End every child init still has (orphans are handed to init); how many. */
static int kill_children(void)
{
    struct kine_procinfo pi;
    int n = 0;
    pid_t self = getpid();
    for (int64_t p = INIT_CHILDREN_FROM; kine_procinfo(p, &pi) >= 0; p = pi.pid + 1)
        if (pi.ppid == self && pi.state == KINE_PROC_LIVE && kill((pid_t)pi.pid, SIGKILL) == 0)
            n++;
    return n;
}

/* Wait for the program, then for every orphan it left: only once they are
 * all gone must the frames be back.  The program's wait status. */
static int reap_all(int64_t pid)
{
    int ws = 0, any_ws = 0;
    int64_t got;
    while ((got = kine_wait(-1, &any_ws)) >= 0 && got != pid)
        ;
    if (got == pid)
        ws = any_ws;
    uint64_t give_up = kine_deadline_ms(ORPHAN_GRACE_MS);
    int killed = 0;
    while ((got = kine_wait_flags(-1, KINE_WAIT_NOHANG, &any_ws)) >= 0) {
        if (got > 0)
            continue;
        if (!killed && kine_rdtime() >= give_up && (killed = kill_children()) > 0)
            printf("%d orphans of the program still ran after %d s: killed\n", killed,
                   ORPHAN_GRACE_MS / 1000);
        kine_sleep_ticks(POLL_TICKS);
    }
    return ws;
}

/* Run one program; return its exit code (128 + 9 if killed), or -1 if the
 * ledger does not come back to where it was. */
static int run(int argc, const char *const argv[])
{
    int ok_before, ok_after, ws = 0;
    uint64_t free_before, free_after;
    uint64_t before = process_frames(&ok_before, &free_before);
    int64_t pid = kine_spawn(argc, argv, NULL);
    if (pid < 0) {
        printf("cannot start %s: error %d\n", argv[0], (int)-pid);
        return KINE_EXIT_NOT_STARTED;
    }
    ws = reap_all(pid);
    uint64_t after = process_frames(&ok_after, &free_after);
    uint64_t pages = 0, procs = 0;
    int64_t pte_bad = kine_pte_check(&pages, &procs);
    if (WIFEXITED(ws))
        printf("%s (pid %d) exited with status %d\n", argv[0], (int)pid, WEXITSTATUS(ws));
    else
        printf("%s (pid %d) was killed\n", argv[0], (int)pid);
    if (pte_bad) {
        printf("PAGE TABLES DISAGREE with the pager's books: %ld entries\n", (long)pte_bad);
        return -1;
    }
    printf("page tables agree: %lu pages in %lu processes\n", (unsigned long)pages,
           (unsigned long)procs);
    if (before != after || !ok_before || !ok_after) {
        printf("LEDGER MISMATCH: %lu process frames before %s, %lu after%s\n",
               (unsigned long)before, argv[0], (unsigned long)after,
               ok_after ? "" : ", consistency check failed");
        return -1;
    }
    printf("ledger ok: %lu process frames before and after (free %lu -> %lu)\n",
           (unsigned long)after, (unsigned long)free_before, (unsigned long)free_after);
    return exit_code(ws);
}

int main(int argc, char **argv)
{
    int dummy;
    uint64_t dummy_free;
    process_frames(&dummy, &dummy_free);   /* warm up the calls we measure with */
    if (argc > 1) {
        int code = run(argc - 1, (const char *const *)argv + 1);
        return code < 0 ? KINE_EXIT_INIT_LEDGER : code;
    }
    int failed = 0;
    for (size_t i = 0; i < sizeof(default_programs) / sizeof(default_programs[0]); i++)
        if (run(1, default_programs[i]) != 0)
            failed++;
    printf("%s: %d of %d default programs failed\n", failed ? "FAIL" : "PASS", failed,
           (int)(sizeof(default_programs) / sizeof(default_programs[0])));
    return failed ? 1 : 0;
}
