/* init: the first program.  With arguments, runs that one program and exits
 * with its status (so QEMU does too).  Without, runs the default programs.
 * Around each run it checks the pager's frame ledger: the same number of
 * free frames after the program is reaped as before it started. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <kinesys.h>

static const char *const default_programs[][2] = {
    { "hello", NULL },
    { "memtouch", NULL },
    { "ipcping", NULL },
};

static int exit_code(int ws)
{
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* Frames held by processes, and the free count, from one ledger call. */
static uint64_t process_frames(int *consistent, uint64_t *free_frames)
{
    struct kine_ledger l;
    int64_t r = kine_ledger(&l);
    *consistent = r == 0;
    *free_frames = l.frames_free;
    return r < 0 ? 0 : kine_ledger_process_frames(&l);
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
        return 127;
    }
    /* wait for any child: orphans handed to init are reaped on the way */
    int64_t got;
    while ((got = kine_wait(-1, &ws)) != pid) {
        if (got < 0) {
            printf("wait for %s failed\n", argv[0]);
            return 127;
        }
    }
    uint64_t after = process_frames(&ok_after, &free_after);
    if (WIFEXITED(ws))
        printf("%s (pid %d) exited with status %d\n", argv[0], (int)pid, WEXITSTATUS(ws));
    else
        printf("%s (pid %d) was killed\n", argv[0], (int)pid);
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
        return code < 0 ? 125 : code;
    }
    int failed = 0;
    for (size_t i = 0; i < sizeof(default_programs) / sizeof(default_programs[0]); i++)
        if (run(1, default_programs[i]) != 0)
            failed++;
    printf("%s: %d of %d default programs failed\n", failed ? "FAIL" : "PASS", failed,
           (int)(sizeof(default_programs) / sizeof(default_programs[0])));
    return failed ? 1 : 0;
}
