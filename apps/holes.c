/* holes [NAME...]: regression tests for holes an adversarial review found,
 * one scenario each.  Without arguments it runs every scenario that holds
 * under every policy; with names, just those (sbrkrefused only makes sense
 * where sbrk allocates: cow and eager).
 * forge:       only the pager may start init; a program asking gets EPERM.
 * toomany:     a spawn with more than KINE_ARGV_MAX arguments is refused
 *              with E2BIG, never cut short.
 * stalebytes:  a reply carries only bytes the pager put there: the padding
 *              of a read's last word is zero, not what the pager printed.
 * pipesteal:   a read sent with SEND (nobody waits for its answer) is
 *              dropped; it does not lie in wait for whoever reuses the pipe.
 * stackclash:  a big stack frame near the bottom of the stack faults in the
 *              gap below it; it never lands in the heap.
 * sbrkrefused: an sbrk larger than free memory is refused before a single
 *              frame is allocated.
 * lostwakeup:  a writer blocked on a full pipe is woken when a reader in a
 *              later process slot drains it (a hang here: run last). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>
#include <kine/layout.h>

#define PAGE         KINE_PAGE_SIZE
#define WORD         sizeof(uint64_t)
#define PIPE_BYTES   4096      /* a pipe's capacity (the pager's choice, not ABI) */

#define LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int exited_ok(pid_t pid)
{
    int ws = 0;
    return pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
}

/* ---- forge ---- */

static int forge(void)
{
    /* if it starts, the rogue init finds nothing to run and exits */
    const char *args[] = { "init", "no-such-program" };
    int64_t pid = kine_spawn(LEN(args), args, NULL);
    if (pid > 0) {
        int ws;
        printf("forge: a program started init as pid %ld\n", (long)pid);
        kine_wait(pid, &ws);
    }
    return pid == -KINE_EPERM;
}

/* ---- toomany ---- */

static int toomany(void)
{
    const char *args[KINE_ARGV_MAX + 1];
    args[0] = "retcode";                      /* exits with atoi(argv[1]) = 0 */
    for (int i = 1; i < LEN(args); i++)
        args[i] = "0";
    int ws = -1;
    int64_t pid = kine_spawn(KINE_ARGV_MAX, args, NULL);      /* the limit itself */
    int ok = pid > 0 && kine_wait(pid, &ws) == pid && ws == 0;
    pid = kine_spawn(KINE_ARGV_MAX + 1, args, NULL);
    if (pid > 0)
        kine_wait(pid, &ws);
    if (pid != -KINE_E2BIG)
        printf("toomany: kine_spawn of %d arguments: %ld\n", KINE_ARGV_MAX + 1, (long)pid);
    ok &= pid == -KINE_E2BIG;
    /* the same request by hand, past libsys's own check */
    char *buf = (char *)kine_ipcbuf();
    size_t used = 0;
    for (int i = 0; i < LEN(args); i++) {
        memcpy(buf + used, args[i], strlen(args[i]) + 1);
        used += strlen(args[i]) + 1;
    }
    struct kine_msg m = { kine_tag(PGR_SPAWN, (used + WORD - 1) / WORD),
                          { used, (uint64_t)LEN(args) } };
    int64_t r = kine_call(kine_pager_tid(), &m);
    if (r == 0 && (int64_t)m.mr[0] > 0)
        kine_wait((int64_t)m.mr[0], &ws);
    if (r != 0 || (int64_t)m.mr[0] != -KINE_E2BIG)
        printf("toomany: PGR_SPAWN of %d arguments: %ld\n", LEN(args), (long)m.mr[0]);
    return ok && r == 0 && (int64_t)m.mr[0] == -KINE_E2BIG;
}

/* ---- stalebytes ---- */

#define STALE_LEN   9          /* not a whole number of words */
#define STALE_READ  64
#define MARKER_LINE 256
#define MARKER      '#'        /* what the pager's own IPC buffer last held */
#define PREFILL     '~'        /* what ours held before the reply */

static void print_marker_line(void)
{
    char line[MARKER_LINE + 1];
    memset(line, MARKER, MARKER_LINE);
    line[MARKER_LINE] = '\0';
    printf("%s\n", line);
}

/* Nine bytes through the pipe, after someone printed a marker line; the
 * two-word reply must pad with zeros. */
static int stale_round(const int fds[2], int by_child)
{
    static const char data[STALE_LEN] = { '1', '2', '3', '4', '5', '6', '7', '8', '9' };
    char buf[STALE_READ];
    if (write(fds[1], data, STALE_LEN) != STALE_LEN)
        return 0;
    if (!by_child) {
        print_marker_line();
    } else {
        pid_t c = fork();
        if (c == 0) {
            print_marker_line();
            _exit(0);
        }
        if (!exited_ok(c))
            return 0;
    }
    uint8_t *ipc = (uint8_t *)kine_ipcbuf();
    memset(ipc, PREFILL, STALE_READ);
    if (read(fds[0], buf, STALE_READ) != STALE_LEN || memcmp(buf, data, STALE_LEN) != 0)
        return 0;
    int ok = 1;
    size_t padded = (STALE_LEN + WORD - 1) / WORD * WORD;
    for (size_t i = STALE_LEN; i < STALE_READ; i++)
        ok &= ipc[i] != MARKER && (i >= padded || ipc[i] == 0);
    if (!ok) {
        printf("stalebytes: the reply's padding (bytes %d..%d) held", STALE_LEN, (int)padded - 1);
        for (size_t i = STALE_LEN; i < padded; i++)
            printf(" %02x", ipc[i]);
        printf("\n");
    }
    return ok;
}

static int stalebytes(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    int ok = stale_round(fds, 0);
    ok &= stale_round(fds, 1);
    close(fds[0]);
    close(fds[1]);
    return ok;
}

/* ---- pipesteal ---- */

#define STEAL_ASK 64
static const char hello[] = "hello";
#define HELLO_LEN (sizeof(hello) - 1)

/* A new pipe gives back what was written into it. */
static int victim(void)
{
    int fds[2];
    char buf[STEAL_ASK];
    if (pipe(fds) != 0)
        return 0;
    int ok = write(fds[1], hello, HELLO_LEN) == (ssize_t)HELLO_LEN;
    close(fds[1]);
    ssize_t n = read(fds[0], buf, sizeof(buf));
    ok &= n == (ssize_t)HELLO_LEN && memcmp(buf, hello, HELLO_LEN) == 0;
    ok &= read(fds[0], buf, sizeof(buf)) == 0;
    close(fds[0]);
    if (n != (ssize_t)HELLO_LEN)
        printf("pipesteal: the victim read %ld bytes, not %d\n", (long)n, (int)HELLO_LEN);
    return ok;
}

/* Sends a read it will never wait for, closes the pipe, then lets a child
 * use a new one.  Waits for the child's verdict in an open receive, so no
 * pager request of its own can replace the stale one.  Exit 0 = all well. */
static int thief(void)
{
    kine_tid_t me = kine_self();
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    struct kine_msg m = { kine_tag(PGR_READ, 0), { (uint64_t)fds[0], STEAL_ASK } };
    if (kine_send(kine_pager_tid(), &m) != 0)
        return 2;
    close(fds[0]);
    close(fds[1]);
    if (getpid() <= 0)
        return 3;
    pid_t v = fork();
    if (v == 0) {
        struct kine_msg verdict = { 0, { (uint64_t)victim() } };
        kine_send(me, &verdict);
        _exit(0);
    }
    struct kine_msg verdict = { 0 };
    if (v < 0 || kine_recv(&verdict, 0, NULL) != 0)
        return 4;
    return exited_ok(v) && verdict.mr[0] == 1 ? 0 : 5;
}

static int pipesteal(void)
{
    pid_t t = fork();
    if (t == 0)
        _exit(thief());
    return exited_ok(t);
}

/* ---- stackclash ---- */

#define BIG_FRAME      (2 * PAGE)  /* reaches over a one-page guard */
#define DESCEND_FRAME  256
#define STACK_MARGIN   1024        /* stop descending this close to the bottom */
#define HEADROOM_PAGES 512         /* left free where sbrk allocates (cow, eager) */
#define HEAP_PATTERN   0x5c

static int __attribute__((noinline)) big_frame(void)
{
    volatile char big[BIG_FRAME];
    big[0] = ~HEAP_PATTERN;        /* its lowest byte first: the furthest reach */
    return big[0];
}

static int __attribute__((noinline)) descend(void)
{
    volatile char pad[DESCEND_FRAME];
    pad[0] = 1;
    if ((uintptr_t)pad - KINE_STACK_BOTTOM < STACK_MARGIN) {
        return big_frame() + pad[0];
    }
    return descend() + pad[0];
}

/* The heap as high as it goes, its top page patterned, then the stack down
 * to its bottom and a big frame.  Exit 0 if the pattern survived. */
static int clash_child(void)
{
    uintptr_t brk = (uintptr_t)sbrk(0);
    struct kine_ledger before, after;
    if (sbrk((intptr_t)(((brk + PAGE - 1) & ~(PAGE - 1)) - brk)) == (void *)-1 ||
        kine_ledger(&before) < 0)
        return 1;
    for (uint64_t step = KINE_USER_LIMIT / 2; step >= PAGE; step /= 2)
        while (sbrk((intptr_t)step) != (void *)-1)
            ;
    if (kine_ledger(&after) < 0)
        return 1;
    if (before.frames_free > after.frames_free + HEADROOM_PAGES)
        sbrk(-(intptr_t)(HEADROOM_PAGES * PAGE));   /* it took memory: leave the stack some */
    uint8_t *top = (uint8_t *)sbrk(0) - PAGE;
    memset(top, HEAP_PATTERN, PAGE);
    descend();
    for (int i = 0; i < (int)PAGE; i++)
        if (top[i] != HEAP_PATTERN) {
            printf("stackclash: heap byte at %p overwritten by the stack\n", (void *)&top[i]);
            return 1;
        }
    return 0;
}

static int stackclash(void)
{
    pid_t c = fork();
    if (c == 0)
        _exit(clash_child());
    int ws = 0;
    return waitpid(c, &ws, 0) == c && (WIFSIGNALED(ws) || (WIFEXITED(ws) && WEXITSTATUS(ws) == 0));
}

/* ---- sbrkrefused ---- */

#define OVERSHOOT_PAGES 1000

static int sbrkrefused(void)
{
    struct kine_ledger l;
    struct kine_memstats before, after;
    if (kine_ledger(&l) < 0 || kine_memstats(&before) < 0)
        return 0;
    intptr_t incr = (intptr_t)((l.frames_free + OVERSHOOT_PAGES) * PAGE);
    errno = 0;
    void *p = sbrk(incr);
    int refused = p == (void *)-1 && errno == ENOMEM;
    if (p != (void *)-1)
        sbrk(-incr);
    if (kine_memstats(&after) < 0)
        return 0;
    if (!refused || after.frames_peak != before.frames_peak)
        printf("sbrkrefused: sbrk of %lu pages %s; peak frames %lu before, %lu after\n",
               (unsigned long)(incr / PAGE), refused ? "refused" : "NOT refused with ENOMEM",
               (unsigned long)before.frames_peak, (unsigned long)after.frames_peak);
    return refused && after.frames_peak == before.frames_peak;
}

/* ---- lostwakeup ---- */

#define TAIL          100
#define SETTLE_TICKS  (KINE_TICK_HZ / 10)   /* lets the writer fill the pipe and block */

static uint8_t stream_byte(size_t i) { return (uint8_t)(i * 7 + i / 251); }

/* Exit 0 if every byte arrived in order. */
static int lw_reader(int data, int done)
{
    static uint8_t in[PIPE_BYTES + TAIL];
    size_t got = 0;
    char c;
    kine_sleep_ticks(SETTLE_TICKS);
    ssize_t n;
    while (got < PIPE_BYTES && (n = read(data, in + got, PIPE_BYTES - got)) > 0)
        got += (size_t)n;                    /* normally one read */
    if (read(done, &c, 1) != 1)              /* the writer's write returned */
        return 1;
    while (got < sizeof(in) && (n = read(data, in + got, sizeof(in) - got)) > 0)
        got += (size_t)n;
    for (size_t i = 0; i < sizeof(in); i++)
        if (got != sizeof(in) || in[i] != stream_byte(i))
            return 1;
    return 0;
}

static int lostwakeup(void)
{
    static uint8_t out[PIPE_BYTES + TAIL];
    int data[2], done[2];
    if (pipe(data) != 0 || pipe(done) != 0)
        return 0;
    pid_t r = fork();                        /* the reader takes a later slot */
    if (r == 0) {
        close(data[1]);
        close(done[1]);
        _exit(lw_reader(data[0], done[0]));
    }
    close(data[0]);
    close(done[0]);
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = stream_byte(i);
    int ok = r > 0 && write(data[1], out, sizeof(out)) == (ssize_t)sizeof(out);
    ok &= write(done[1], "d", 1) == 1;
    close(data[1]);
    close(done[1]);
    return exited_ok(r) && ok;
}

/* Hangs come last: a lost wake-up stops everything after it. */
static const struct kine_scenario every_policy[] = {
    { "forge", forge }, { "toomany", toomany }, { "stalebytes", stalebytes },
    { "pipesteal", pipesteal }, { "stackclash", stackclash }, { "lostwakeup", lostwakeup },
};
static const struct kine_scenario by_name[] = {
    { "sbrkrefused", sbrkrefused },
};

int main(int argc, char **argv)
{
    struct kine_scenario chosen[LEN(every_policy) + LEN(by_name)];
    int n = 0;
    for (int a = 1; a < argc; a++) {
        for (int i = 0; i < LEN(every_policy) + LEN(by_name); i++) {
            const struct kine_scenario *s = i < LEN(every_policy) ? &every_policy[i]
                                                                  : &by_name[i - LEN(every_policy)];
            if (strcmp(argv[a], s->name) == 0 && n < LEN(chosen))
                chosen[n++] = *s;
        }
    }
    if (argc > 1 && n != argc - 1) {
        printf("usage: holes [SCENARIO...]\n");
        return 1;
    }
    int failed = argc > 1 ? kine_run_scenarios(chosen, n)
                          : kine_run_scenarios(every_policy, LEN(every_policy));
    printf(failed ? "%d HOLE TESTS FAILED\n" : "ALL HOLE TESTS PASSED\n", failed);
    return failed ? 1 : 0;
}
