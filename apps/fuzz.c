/* fuzz SEED COUNT: random system calls and malformed pager messages.
 * Each batch of calls runs in a forked child, so the parent counts children
 * the pager killed.  Numbers cover every system call, valid or not;
 * arguments come from interesting values (0, -1, kernel addresses, unmapped,
 * misaligned, huge, other threads, stale ids).  Blocking is always bounded:
 * receives carry a deadline, sleeps are short, nothing waits on a pipe.
 * At the end: calls made, results by error code, children killed; exit 0
 * only if the kernel and pager still answer and the ledger is back where it
 * started. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define BATCH 500
#define MAX_ERR 128

static uint64_t state;
static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static kine_tid_t self, parent_tid;

static uint64_t interesting(void)
{
    static const uint64_t v[] = {
        0, 1, 2, 7, 8, 0xfff, 0x1000, 0x10000, 0x10001, 0x7fff0000, 0x7ffff000,
        0x80000000, 0x80200000, 0x2000000000, 0x2040000000, 0x3fffffffff,
        0x4000000000, 0xffffffc000000000, (uint64_t)-1, (uint64_t)-4096,
        (uint64_t)INT64_MAX, 0x12345000, 4096 * 256, 512, 513, 1UL << 40,
    };
    switch (rnd() % 6) {
    case 0: return rnd();
    case 1: return self;
    case 2: return self + (1UL << 16);            /* stale generation */
    case 3: return kine_pager_tid() ^ (rnd() & 0xff);
    default: return v[rnd() % (sizeof(v) / sizeof(v[0]))];
    }
}

/* Labels that would block the fuzzer for good on purpose are avoided or
 * made safe; everything else is fair game. */
static void pager_message(struct kine_msg *m)
{
    uint64_t label = PGR_WRITE + rnd() % 24;      /* valid ones and beyond */
    if (rnd() % 8 == 0)
        label = rnd() & 0xffff;
    if (label == PGR_WAIT || label == PGR_READ || label == PGR_PIPE)
        label = 0x7777;                           /* could wait forever */
    if (label == PGR_EXIT && rnd() % 64)
        label = PGR_GETPID;                       /* keep most batches going */
    m->tag = kine_tag(label, rnd() % 600);        /* lengths past 512 too */
    for (int i = 0; i < KINE_MSG_REGS; i++)
        m->mr[i] = interesting();
    if (label == PGR_SLEEP)
        m->mr[0] &= 3;
    if (label == PGR_WRITE || label == PGR_FDWRITE)
        m->mr[rnd() % 2] &= 0x7;                  /* keep console noise small */
    if (label == PGR_FORK)
        m->mr[1] |= 1;                            /* never a real entry point */
}

static int64_t one_call(void)
{
    uint64_t n = rnd() % (KSYS_COUNT + 8);
    uint64_t *buf = kine_ipcbuf();
    for (int i = 0; i < 8; i++)
        buf[rnd() % KINE_IPC_BUF_WORDS] = interesting();
    struct kine_msg m = { kine_tag(rnd() & 0xff, rnd() % 520), { interesting(), interesting(),
                          interesting(), interesting() } };
    uint64_t soon = kine_rdtime() + 20000;        /* 2 ms */
    switch (n) {
    case KSYS_CALL:
    case KSYS_SEND: {
        kine_tid_t dest = rnd() % 2 ? kine_pager_tid() : interesting();
        if (dest == parent_tid)
            dest = 0;                             /* the parent only waits */
        if (dest == kine_pager_tid())
            pager_message(&m);
        else if (n == KSYS_SEND || dest != self)
            dest = dest == kine_pager_tid() ? dest : (dest ^ (1UL << 40));   /* invalid */
        return kine_ipc(n, dest, &m, 0, NULL);
    }
    case KSYS_RECV:
        return kine_recv(&m, soon, NULL);
    case KSYS_REPLY_RECV:
        return kine_reply_recv(interesting(), &m, soon, NULL);
    case KSYS_EXIT:
        if (rnd() % 64)
            return 0;
        kine_syscall(KSYS_EXIT, interesting(), 0, 0, 0, 0);
        return 0;
    case KSYS_DEBUG_WRITE: {
        uint64_t len = interesting();
        return kine_syscall(n, len <= 4096 ? len & 7 : len, 0, 0, 0, 0);
    }
    case KSYS_POWEROFF:
    case KSYS_MAP_REPLY_RECV:
    default:
        return kine_syscall(n, interesting(), interesting(), interesting(), interesting(),
                            interesting());
    }
}

#define REPORT_MAGIC 0x66757a7a7265706fULL

/* What a child sends home: counts[k] = results equal to -k (0: success). */
struct report { uint64_t magic; uint64_t counts[MAX_ERR]; };

static void batch(int calls, struct report *rep)
{
    for (int i = 0; i < calls; i++) {
        int64_t r = one_call();
        uint64_t k = r >= 0 ? 0 : (uint64_t)-r < MAX_ERR ? (uint64_t)-r : MAX_ERR - 1;
        rep->counts[k]++;
    }
}

/* Read everything the child wrote; its report is the last record (the
 * fuzzing itself may have written noise into the pipe before it). */
static int collect(int fd, struct report *out)
{
    static char buf[64 * 1024];
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0 && got + (size_t)n < sizeof(buf))
        got += (size_t)n;
    if (got < sizeof(*out))
        return 0;
    memcpy(out, buf + got - sizeof(*out), sizeof(*out));
    return out->magic == REPORT_MAGIC;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    long count = argc > 2 ? strtol(argv[2], NULL, 0) : 20000;
    static struct report total;
    state = seed * 0x9e3779b97f4a7c15ULL | 1;
    parent_tid = self = kine_self();
    int consistent0, consistent1;
    uint64_t base = kine_process_frames(&consistent0);
    uint64_t made = 0, killed = 0, batches = 0, reported = 0;
    for (long done = 0; done < count; done += BATCH, batches++) {
        int n = count - done < BATCH ? (int)(count - done) : BATCH;
        int fds[2];
        if (pipe(fds) != 0) {
            printf("FAIL: pipe refused at batch %lu\n", (unsigned long)batches);
            return 1;
        }
        pid_t c = fork();
        if (c == 0) {
            static struct report rep = { REPORT_MAGIC, { 0 } };
            close(fds[0]);
            self = kine_self();
            state = (seed * 0x9e3779b97f4a7c15ULL) ^ ((batches + 1) * 0xbf58476d1ce4e5b9ULL);
            state |= 1;                           /* an independent stream per child */
            for (int w = 0; w < 8; w++)
                rnd();
            batch(n, &rep);
            write(fds[1], &rep, sizeof(rep));
            _exit(0);
        }
        close(fds[1]);
        if (c < 0) {
            printf("FAIL: fork refused at batch %lu\n", (unsigned long)batches);
            return 1;
        }
        struct report rep;
        if (collect(fds[0], &rep)) {
            reported++;
            for (int k = 0; k < MAX_ERR; k++)
                total.counts[k] += rep.counts[k];
        }
        close(fds[0]);
        int ws = 0;
        waitpid(c, &ws, 0);
        killed += WIFSIGNALED(ws);
        made += (uint64_t)n;
    }
    int alive = getpid() > 0 && kine_self() == parent_tid;
    uint64_t now = kine_process_frames(&consistent1);
    printf("seed %lu: %lu calls in %lu children, %lu killed, %lu reported\n",
           (unsigned long)seed, (unsigned long)made, (unsigned long)batches,
           (unsigned long)killed, (unsigned long)reported);
    printf("results: %lu ok", (unsigned long)total.counts[0]);
    for (int k = 1; k < MAX_ERR; k++)
        if (total.counts[k])
            printf(", %lu x -%d", (unsigned long)total.counts[k], k);
    printf("\n");
    printf("kernel and pager %s; ledger %s; process frames %lu before, %lu after\n",
           alive ? "answering" : "NOT ANSWERING",
           consistent0 && consistent1 ? "consistent" : "INCONSISTENT",
           (unsigned long)base, (unsigned long)now);
    int ok = alive && consistent0 && consistent1 && now == base;
    printf(ok ? "FUZZ PASSED\n" : "FUZZ FAILED\n");
    return ok ? 0 : 1;
}
