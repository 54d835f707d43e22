/* exectest: exec and kill.  exec replaces a process's image in place (same
 * pid, parent and descriptors, the old memory given back), and an exec
 * that fails leaves the caller exactly as it was; kill ends the caller or
 * a descendant (and nobody else), its waiter sees the signal, and the
 * other end of its pipes sees end of file or EPIPE. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define HEAP_PAGES   256
#define SLEEP_TICKS  (10 * KINE_TICK_HZ)  /* far longer than any scenario takes */
#define MARK         0x5a

static int wait_for(pid_t pid, int *ws)
{
    return waitpid(pid, ws, 0) == pid;
}

/* The image exec'ed into: check the pid it was promised, write "ok" to the
 * descriptor it inherited. */
static int as_new_image(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    int fd = atoi(argv[2]);
    int pid_ok = getpid() == atoi(argv[3]);
    if (write(fd, pid_ok ? "ok" : "no", 2) != 2)
        return 3;
    return pid_ok ? 7 : 4;
}

static int same_pid_and_fds(void)
{
    int p[2];
    if (pipe(p) != 0)
        return 0;
    pid_t c = fork();
    if (c < 0)
        return 0;
    if (c == 0) {
        char fd[16], pid[16];
        char *heap = sbrk(HEAP_PAGES * KINE_PAGE_SIZE);   /* memory the new image must not keep */
        memset(heap, MARK, HEAP_PAGES * KINE_PAGE_SIZE);
        snprintf(fd, sizeof(fd), "%d", p[1]);
        snprintf(pid, sizeof(pid), "%d", getpid());
        char *const args[] = { "exectest", "image", fd, pid, NULL };
        execv("exectest", args);
        _exit(99);                                   /* not reached */
    }
    close(p[1]);
    char buf[4] = { 0 };
    int ws = 0, ok = read(p[0], buf, 2) == 2 && memcmp(buf, "ok", 2) == 0;
    close(p[0]);
    return wait_for(c, &ws) && ok && WIFEXITED(ws) && WEXITSTATUS(ws) == 7;
}

static int failed_exec_untouched(void)
{
    char *heap = sbrk(KINE_PAGE_SIZE);
    heap[0] = MARK;
    pid_t before = getpid();
    char *const none[] = { "no-such-program", NULL };
    int e1 = execv("no-such-program", none) == -1 ? errno : 0;
    static char *many[KINE_ARGV_MAX + 2];
    for (int i = 0; i <= KINE_ARGV_MAX; i++)
        many[i] = "x";
    many[KINE_ARGV_MAX + 1] = NULL;
    int e2 = execv("hello", many) == -1 ? errno : 0;
    char *const init[] = { "init", NULL };
    int e3 = execv("init", init) == -1 ? errno : 0;
    int ok = e1 == ENOENT && e2 == E2BIG && e3 == EPERM && heap[0] == MARK && getpid() == before;
    sbrk(-KINE_PAGE_SIZE);
    return ok;
}

static pid_t sleeper(void)
{
    pid_t c = fork();
    if (c == 0) {
        kine_sleep_ticks(SLEEP_TICKS);
        _exit(0);
    }
    return c;
}

/* Under fault injection a fork may fail: end what was started and fail. */
static int give_up(pid_t a, pid_t b)
{
    int ws;
    if (a > 0 && kill(a, SIGKILL) == 0)
        wait_for(a, &ws);
    if (b > 0 && kill(b, SIGKILL) == 0)
        wait_for(b, &ws);
    return 0;
}

static int kill_child(void)
{
    int ws1 = 0, ws2 = 0;
    pid_t a = sleeper(), b = sleeper();
    if (a < 0 || b < 0)
        return give_up(a, b);
    int ok = kill(a, SIGKILL) == 0 && kill(b, SIGTERM) == 0;
    ok &= wait_for(a, &ws1) && WIFSIGNALED(ws1) && WTERMSIG(ws1) == SIGKILL;
    ok &= wait_for(b, &ws2) && WIFSIGNALED(ws2) && WTERMSIG(ws2) == SIGTERM;
    return ok;
}

static int kill_rules(void)
{
    pid_t a = sleeper();
    if (a < 0)
        return 0;
    int ok = kill(a, 0) == 0 && kill(getpid(), 0) == 0;      /* 0: it exists, may I */
    ok &= kill(a, SIGHUP) == -1 && errno == EINVAL;           /* only KILL and TERM end */
    ok &= kill(1, 0) == -1 && errno == EPERM;
    ok &= kill(1, SIGKILL) == -1 && errno == EPERM;           /* not our descendant */
    ok &= kill(getppid(), SIGKILL) == -1 && errno == EPERM;   /* nor our parent */
    ok &= kill(1 << 30, SIGKILL) == -1 && errno == ESRCH;
    pid_t c = fork();
    if (c < 0)
        return give_up(a, -1);
    if (c == 0)                                               /* a sibling may not */
        _exit(kill(a, SIGKILL) == -1 && errno == EPERM ? 0 : 1);
    int ws = 0;
    ok &= wait_for(c, &ws) && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    kill(a, SIGKILL);
    ok &= wait_for(a, &ws) && WIFSIGNALED(ws);
    return ok;
}

static int kill_self_and_grandchild(void)
{
    int ws = 0, p[2];
    pid_t c = fork();
    if (c < 0)
        return 0;
    if (c == 0) {
        kill(getpid(), SIGKILL);
        _exit(1);                                             /* not reached */
    }
    int ok = wait_for(c, &ws) && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL;
    if (pipe(p) != 0)
        return 0;
    c = fork();
    if (c < 0)
        return 0;
    if (c == 0) {                                             /* child: makes a grandchild */
        pid_t g = sleeper();
        write(p[1], &g, sizeof(g));
        int gws = 0;
        _exit(wait_for(g, &gws) && WIFSIGNALED(gws) ? 0 : 1);
    }
    pid_t g = 0;
    close(p[1]);
    ok &= read(p[0], &g, sizeof(g)) == sizeof(g) && g > 0;
    ok &= g > 0 && kill(g, SIGKILL) == 0;                     /* our grandchild */
    ok &= wait_for(c, &ws) && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    close(p[0]);
    return ok;
}

static int killed_pipe_ends(void)
{
    int p[2], q[2], ws;
    char c;
    if (pipe(p) != 0 || pipe(q) != 0)
        return 0;
    pid_t w = fork();
    if (w < 0)
        return 0;
    if (w == 0) {                       /* holds the only write end, blocked reading q */
        close(p[0]);
        read(q[0], &c, 1);
        _exit(0);
    }
    close(p[1]);
    kill(w, SIGKILL);
    int ok = read(p[0], &c, 1) == 0;    /* end of file: the writer is gone */
    ok &= wait_for(w, &ws) && WIFSIGNALED(ws);
    close(p[0]);
    pid_t r = fork();
    if (r < 0)
        return 0;
    if (r == 0) {                       /* holds the only read end of q */
        close(q[1]);
        kine_sleep_ticks(SLEEP_TICKS);
        _exit(0);
    }
    close(q[0]);
    kill(r, SIGKILL);
    ok &= wait_for(r, &ws) && WIFSIGNALED(ws);
    ok &= write(q[1], "x", 1) == -1 && errno == EPIPE;
    close(q[1]);
    return ok;
}

/* A child in each way of being stuck: blocked writing a full pipe, blocked
 * in IPC (a receive with no deadline), and spinning.  Each is killed and
 * its waiter sees the signal; the full pipe's reader then finds the data
 * and end of file. */
#define PIPE_BYTES 4096            /* the pager's pipe buffer */
#define SETTLE_TICKS 5             /* for the children to get stuck */

/* A child that fills pipe p, says so on `full` (so that what the pipe
 * holds when it is killed does not depend on how fast it ran: a host with
 * fewer cores than harts can hold it back for longer than any wait), then
 * blocks writing one byte more. */
static pid_t stuck_writer(int p[2], int full[2])
{
    pid_t c = fork();
    if (c == 0) {
        static char block[PIPE_BYTES];
        close(p[0]);
        close(full[0]);
        if (write(p[1], block, sizeof(block)) == (ssize_t)sizeof(block))
            write(full[1], "", 1);
        write(p[1], block, 1);
        _exit(0);
    }
    return c;
}

static pid_t stuck_in_ipc(void)
{
    pid_t c = fork();
    if (c == 0) {
        struct kine_msg m = { 0 };
        kine_recv(&m, 0, NULL);                 /* nobody will send */
        _exit(0);
    }
    return c;
}

static pid_t spinning(void)
{
    pid_t c = fork();
    if (c == 0)
        for (volatile int forever = 1; forever;)
            ;
    return c;
}

static int kill_stuck(void)
{
    int p[2], full[2], ok = 1;
    char c;
    if (pipe(p) != 0 || pipe(full) != 0)
        return 0;
    pid_t kids[] = { stuck_writer(p, full), stuck_in_ipc(), spinning() };
    close(p[1]);
    close(full[1]);
    ok &= read(full[0], &c, 1) == 1;            /* the pipe is full */
    close(full[0]);
    kine_sleep_ticks(SETTLE_TICKS);
    for (int i = 0; i < 3; i++) {
        int ws = 0;
        if (kids[i] < 0) {
            ok = 0;
            continue;
        }
        ok &= kill(kids[i], SIGKILL) == 0;
        ok &= wait_for(kids[i], &ws) && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL;
    }
    static char got[PIPE_BYTES + 1];
    ssize_t n, total = 0;
    while ((n = read(p[0], got, sizeof(got))) > 0)
        total += n;
    close(p[0]);
    return ok && n == 0 && total == PIPE_BYTES;   /* what fitted, then end of file */
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "image") == 0)
        return as_new_image(argc, argv);
    static const struct kine_scenario tests[] = {
        { "exec", same_pid_and_fds }, { "execfail", failed_exec_untouched },
        { "kill", kill_child }, { "killrules", kill_rules },
        { "killself", kill_self_and_grandchild }, { "killpipes", killed_pipe_ends },
        { "killstuck", kill_stuck },
    };
    int failed = kine_run_scenarios(tests, (int)(sizeof(tests) / sizeof(tests[0])));
    printf(failed ? "%d EXEC/KILL TESTS FAILED\n" : "ALL EXEC/KILL TESTS PASSED\n", failed);
    return failed ? 1 : 0;
}
