/* robust: exhaustion, kill semantics and isolation.
 * forkbomb:  fork until the pager refuses; fork fails with -1, nothing
 *            panics, and after the children exit the ledger is back.
 * stack:     unbounded recursion hits the guard page; only that child dies.
 * server:    a client calling a server that exits without replying gets an
 *            error instead of waiting forever.
 * client:    a server replying to a client that is gone gets an error.
 * pipes:     end of file when the only writer is killed; EPIPE when no
 *            reader is left.
 * forge:     the pager refuses to start a fork with a context in someone
 *            else's memory (text, the kernel window): EFAULT.
 * threadbomb: processes each make threads until refused, and fork until
 *            that is refused: both answer EAGAIN (a process's
 *            KINE_THREADS_MAX, or the kernel memory set aside for
 *            processes), and once they end every thread and every
 *            reservation is back (the ledger's threads, kmem_reserved). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

static int killed(pid_t pid)
{
    int ws = 0;
    return waitpid(pid, &ws, 0) == pid && WIFSIGNALED(ws) && WTERMSIG(ws) == KINE_WSTATUS_KILLED;
}

/* Close the pipe the n children wait on, so that they end, and reap them:
 * 1 if every one exited with status 0. */
static int release_and_reap(int hold[2], const pid_t *kids, int n)
{
    close(hold[0]);
    close(hold[1]);
    int all = 1;
    for (int i = 0; i < n; i++) {
        int ws = 0;
        all &= waitpid(kids[i], &ws, 0) == kids[i] && ws == 0;
    }
    return all;
}

static int forkbomb(void)
{
    enum { MAX = 256 };
    pid_t kids[MAX];
    int n = 0, hold[2];
    if (pipe(hold) != 0)
        return 0;
    for (; n < MAX; n++) {
        kids[n] = fork();
        if (kids[n] == 0) {
            char c;
            close(hold[1]);
            read(hold[0], &c, 1);
            _exit(0);
        }
        if (kids[n] < 0)
            break;
    }
    int refused = n < MAX && (errno == EAGAIN || errno == ENOMEM);
    int all = release_and_reap(hold, kids, n);
    printf("forkbomb: %d children before fork failed with %s\n", n,
           errno == EAGAIN ? "EAGAIN" : errno == ENOMEM ? "ENOMEM" : "?");
    return refused && all;
}

/* Recurses until the stack runs out (the limit defeats the compiler's
 * infinite-recursion check; it is never reached with a 1 MiB stack). */
static int __attribute__((noinline)) recurse(int depth)
{
    volatile char pad[1024];
    pad[0] = (char)depth;
    if (depth > 1000000)
        return pad[0];
    return recurse(depth + 1) + pad[0];
}

static int stack(void)
{
    pid_t c = fork();
    if (c == 0)
        _exit(recurse(0));
    return killed(c);
}

static int server_dies(void)
{
    /* the child receives one call and exits without answering */
    const char *args[] = { "robust", "mute-server" };
    kine_tid_t srv;
    int64_t pid = kine_spawn(2, args, &srv);
    if (pid < 0)
        return 0;
    struct kine_msg m = { kine_tag(1, 0), { 0 } };
    int64_t r = kine_call(srv, &m);
    int ws;
    kine_wait(pid, &ws);
    return r == -KINE_ESRCH;
}

#define SENDER_WAIT_MS 5000

static int client_gone(void)
{
    /* a child sends us one message (no reply expected) and exits; then our
     * reply to it must fail, not go astray */
    kine_tid_t me = kine_self(), from = 0;
    char arg[32];
    snprintf(arg, sizeof(arg), "%llu", (unsigned long long)me);
    const char *args[] = { "robust", "sender", arg };
    int64_t pid = kine_spawn(3, args, NULL);
    if (pid < 0)
        return 0;
    struct kine_msg m = { 0 };
    /* a deadline: a sender that dies before sending must not hang us */
    int64_t r = kine_recv(&m, kine_deadline_ms(SENDER_WAIT_MS), &from);
    int ws;
    kine_wait(pid, &ws);
    m.tag = 0;
    return r == 0 && kine_reply(from, &m) == -KINE_ESRCH;
}

static int pipes(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    pid_t w = fork();
    if (w == 0) {                                 /* the only writer, then killed */
        close(fds[0]);
        write(fds[1], "x", 1);
        *(volatile int *)0 = 1;
        _exit(0);
    }
    close(fds[1]);
    char buf[8];
    ssize_t a = read(fds[0], buf, sizeof(buf));   /* "x" */
    ssize_t b = read(fds[0], buf, sizeof(buf));   /* end of file: writer gone */
    int ok = a == 1 && b == 0 && killed(w);
    close(fds[0]);
    int p2[2];
    if (pipe(p2) != 0)
        return 0;
    close(p2[0]);
    errno = 0;
    ok &= write(p2[1], "y", 1) == -1 && errno == EPIPE;
    close(p2[1]);
    return ok;
}

extern char _start[];

static int forge(void)
{
    struct kine_msg m = { kine_tag(PGR_FORK, 0), { (uint64_t)(uintptr_t)_start,
                                                   (uint64_t)(uintptr_t)_start } };
    int ok = kine_call(kine_pager_tid(), &m) == 0 && (int64_t)m.mr[0] == -KINE_EFAULT;
    struct kine_msg k = { kine_tag(PGR_FORK, 0), { 0x80200000, (uint64_t)(uintptr_t)_start } };
    ok &= kine_call(kine_pager_tid(), &k) == 0 && (int64_t)k.mr[0] == -KINE_EFAULT;
    return ok;
}

#define BOMB_PROCS_MAX 128
#define BOMB_STACK     (16 * 1024)
static int hold_fd;

static void *held(void *arg)
{
    char c;
    read(hold_fd, &c, 1);                         /* until the parent lets go */
    return arg;
}

/* In a child: threads until refused; what refused them, to the parent. */
static void make_threads(int report)
{
    static char stacks[KINE_THREADS_MAX][BOMB_STACK] __attribute__((aligned(16)));
    int made = 0;
    int64_t r = 0;
    for (; made < KINE_THREADS_MAX; made++) {
        struct kine_stack st = { stacks[made], sizeof(stacks[made]) };
        if ((r = kine_thread_create(held, NULL, &st)) < 0)
            break;
    }
    /* q: the process's quota; k: the kernel memory; x: anything else */
    char verdict = r != -KINE_EAGAIN ? 'x' : made == KINE_THREADS_MAX - 1 ? 'q' : 'k';
    write(report, &verdict, 1);
}

static int threadbomb(void)
{
    pid_t kids[BOMB_PROCS_MAX];
    int n = 0, hold[2], rep[2], quota = 0, kmem = 0, other = 0;
    struct kine_ledger before, after;
    if (pipe(hold) != 0 || kine_ledger(&before) < 0)
        return 0;
    hold_fd = hold[0];
    for (; n < BOMB_PROCS_MAX; n++) {
        /* a pipe per child: end of file, not a wait, if it dies first */
        if (pipe(rep) != 0)
            break;
        kids[n] = fork();
        if (kids[n] == 0) {
            char c;
            close(hold[1]);
            close(rep[0]);
            make_threads(rep[1]);
            read(hold[0], &c, 1);
            _exit(0);                             /* its threads may still run */
        }
        close(rep[1]);
        char v = 0;
        if (kids[n] >= 0)
            read(rep[0], &v, 1);                  /* its threads are made: the next */
        close(rep[0]);
        if (kids[n] < 0)
            break;
        quota += v == 'q';
        kmem += v == 'k';
        other += v != 'q' && v != 'k';
    }
    int refused = n < BOMB_PROCS_MAX && (errno == EAGAIN || errno == ENOMEM);
    int all = release_and_reap(hold, kids, n);
    int back = kine_ledger(&after) >= 0 && after.threads == before.threads &&
               after.kmem_reserved == before.kmem_reserved;
    printf("threadbomb: %d processes; threads refused with EAGAIN at the quota %d times, "
           "short of kernel memory %d times, otherwise %d times; fork then failed with %s; "
           "threads and kernel memory %s\n", n, quota, kmem, other,
           errno == EAGAIN ? "EAGAIN" : errno == ENOMEM ? "ENOMEM" : "?",
           back ? "back" : "NOT BACK");
    return refused && all && quota > 0 && other == 0 && back;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "mute-server") == 0) {
        struct kine_msg m = { 0 };
        kine_recv(&m, 0, NULL);
        return 0;                                 /* exit holding the caller */
    }
    if (argc > 2 && strcmp(argv[1], "sender") == 0) {
        struct kine_msg m = { kine_tag(1, 0), { 0 } };
        kine_send((kine_tid_t)strtoull(argv[2], NULL, 10), &m);
        return 0;
    }
    static const struct kine_scenario tests[] = {
        { "forkbomb", forkbomb }, { "stack", stack }, { "server", server_dies },
        { "client", client_gone }, { "pipes", pipes }, { "forge", forge },
        { "threadbomb", threadbomb },
    };
    int failed = kine_run_scenarios(tests, (int)(sizeof(tests) / sizeof(tests[0])));
    printf(failed ? "%d ROBUSTNESS TESTS FAILED\n" : "ALL ROBUSTNESS TESTS PASSED\n", failed);
    return failed ? 1 : 0;
}
