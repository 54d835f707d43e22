/* fuzz SEED COUNT [KIND...]: random system calls and malformed pager messages, and
 * valid traffic checked end to end.  Every batch runs in forked children,
 * one per kind, so the parent counts children the pager killed:
 * calls:    random system calls, every number, valid or not, with arguments
 *           from interesting values (0, -1, kernel addresses, unmapped,
 *           misaligned, huge, other threads, stale ids), and random or
 *           malformed pager messages;
 * ipc:      a forked pair exchanges CALL/REPLY, SEND/RECV and REPLY_RECV
 *           with random lengths and payloads, each side checking every
 *           message against a plan both follow;
 * deferred: requests whose answer may wait (read, fdwrite, wait, sleep)
 *           sent with SEND, which nobody waits on, each followed by
 *           ordinary calls that must still work;
 * pipes:    a forked writer and reader with random write and read sizes,
 *           around a pipe's capacity too, closing at random points; the
 *           reader checks the byte stream, the writer EPIPE;
 * threads:  threads of one process making random calls at once (thread
 *           requests with wrong arguments among them), made and joined
 *           with their values checked, some left running at the end.
 * Blocking is always bounded: receives carry a deadline, sleeps are short,
 * and pipes are only waited on where the other end will move.  At the end:
 * a tally per kind; exit 0 only if nothing valid went wrong, the kernel and
 * pager still answer and the ledger is back where it started.
 * COUNT sets the scale: per batch of BATCH random calls, the other kinds do
 * a fixed share of work (see *_PER_CALLS).  Naming kinds runs only those. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define BATCH 500
#define MAX_ERR 128
#define TIMEBASE_HZ 10000000UL      /* QEMU virt's time CSR; only a scale here */
#define WORD_BYTES 8
#define IPC_BYTES (KINE_IPC_BUF_WORDS * WORD_BYTES)
#define LABEL_MASK 0xffffUL         /* labels the pair messages carry */
#define PAD_PREFILL 0xff            /* our IPC buffer before a read's reply */
#define PIPE_BYTES 4096             /* a pipe's capacity (the pager's, not ABI) */
#define CONSOLE_FDS 3
#define MAX_FDS_GUESS 16            /* descriptor numbers worth trying */

#define IPC_PER_CALLS 2             /* one pair message per 2 random calls */
#define DEFER_PER_CALLS 10          /* one deferred-request round per 10 */
#define PIPE_WRITES_PER_CALLS 10    /* one pipe write per 10 */
#define PAIR_DEADLINE (2 * TIMEBASE_HZ)   /* a pair's message is lost after this */

static __thread uint64_t state;     /* each thread its own stream */
static __thread int in_thread;      /* a created thread, not the main one */
static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* splitmix64: the shared plans of the pair kinds are functions of a seed */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static __thread kine_tid_t self;    /* each thread's own: a call to self is refused */
static kine_tid_t parent_tid;
static int report_fd = -1;          /* where a kind's children send their report */

/* Tallies of the kinds beyond random calls. */
enum tally {
    T_IPC_MSGS, T_IPC_CALLS, T_IPC_SENDS, T_IPC_REPLY_RECV, T_IPC_BAD,
    T_DEF_READ, T_DEF_FDWRITE, T_DEF_WAIT, T_DEF_SLEEP, T_DEF_CHECKS, T_DEF_BAD,
    T_DEF_BAD_READ, T_DEF_BAD_FDWRITE, T_DEF_BAD_WAIT, T_DEF_BAD_SLEEP,   /* by what was sent */
    T_PIPE_PAIRS, T_PIPE_WRITES, T_PIPE_BYTES, T_PIPE_EPIPE, T_PIPE_EARLY, T_PIPE_BAD,
    T_THR_MADE, T_THR_JOINED, T_THR_BAD,
    T_PADDING,                      /* a read's reply carried bytes past its data */
    T_KILLED,                       /* a child doing only valid things was killed */
    T_COUNT
};

#define REPORT_MAGIC 0x66757a7a7265706fULL

/* What a child sends home: counts[k] = results equal to -k (0: success). */
struct report { uint64_t magic; uint64_t counts[MAX_ERR]; uint64_t t[T_COUNT]; };

static void send_report(struct report *rep)
{
    rep->magic = REPORT_MAGIC;
    write(report_fd, rep, sizeof(*rep));
}

/* ---- calls: random system calls ---- */

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
    uint64_t label = PGR_WRITE + rnd() % (PGR_THREAD_JOIN - PGR_WRITE + 8);   /* valid ones and beyond */
    if (rnd() % 8 == 0)
        label = rnd() & 0xffff;
    if (label == PGR_WAIT || label == PGR_READ || label == PGR_PIPE)
        label = 0x7777;                           /* could wait forever */
    if (label == PGR_EXIT && rnd() % 64)
        label = PGR_GETPID;                       /* keep most batches going */
    if (label == PGR_THREAD_EXIT && in_thread)
        label = PGR_GETPID;                       /* its joiner checks its value */
    m->tag = kine_tag(label, rnd() % 600);        /* lengths past 512 too */
    for (int i = 0; i < KINE_MSG_REGS; i++)
        m->mr[i] = interesting();
    if (label == PGR_SLEEP)
        m->mr[0] &= 3;
    if (label == PGR_WRITE || label == PGR_FDWRITE)
        m->mr[rnd() % 2] &= 0x7;                  /* keep console noise small */
    if (label == PGR_FORK || label == PGR_THREAD_CREATE)
        m->mr[label == PGR_FORK ? 1 : 0] |= 1;    /* never a real entry point */
    if (label == PGR_THREAD_JOIN)
        m->mr[0] |= 1UL << 40;                    /* never a handle: joins are the owner's */
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

static void count_result(struct report *rep, int64_t r)
{
    uint64_t k = r >= 0 ? 0 : (uint64_t)-r < MAX_ERR ? (uint64_t)-r : MAX_ERR - 1;
    rep->counts[k]++;
}

static void random_calls(int calls, struct report *rep)
{
    for (int i = 0; i < calls; i++)
        count_result(rep, one_call());
}

/* ---- ipc: a pair following one plan ---- */

/* Message i of a plan is a function of mix(plan + 2i); the reply to it, if
 * it is a call, of mix(plan + 2i + 1). */
struct spec { uint64_t seed, label; uint32_t len; int call; };

static void spec_of(uint64_t plan, int i, int reply, struct spec *s)
{
    s->seed = mix(plan + 2 * (uint64_t)i + (uint64_t)reply);
    s->label = mix(s->seed ^ 1) & LABEL_MASK;
    s->len = (uint32_t)(mix(s->seed ^ 2) % (KINE_IPC_BUF_WORDS + 1));
    s->call = (int)(mix(s->seed ^ 3) & 1);
}

/* Word k of the payload; the message registers follow the buffer words. */
static uint64_t spec_word(const struct spec *s, uint64_t k) { return mix(s->seed + 4 + k); }

static void spec_load(const struct spec *s, struct kine_msg *m)
{
    uint64_t *buf = kine_ipcbuf();
    for (uint32_t k = 0; k < s->len; k++)
        buf[k] = spec_word(s, k);
    m->tag = kine_tag(s->label, s->len);
    for (int j = 0; j < KINE_MSG_REGS; j++)
        m->mr[j] = spec_word(s, KINE_IPC_BUF_WORDS + (uint64_t)j);
}

/* The word after the payload, before a receive: it must not change. */
static uint64_t spec_canary(const struct spec *s)
{
    return s->len < KINE_IPC_BUF_WORDS ? kine_ipcbuf()[s->len] : 0;
}

static int spec_check(const struct spec *s, const struct kine_msg *m, uint64_t canary)
{
    const uint64_t *buf = kine_ipcbuf();
    if (kine_tag_label(m->tag) != s->label || kine_tag_len(m->tag) != s->len)
        return 0;
    for (int j = 0; j < KINE_MSG_REGS; j++)
        if (m->mr[j] != spec_word(s, KINE_IPC_BUF_WORDS + (uint64_t)j))
            return 0;
    for (uint32_t k = 0; k < s->len; k++)
        if (buf[k] != spec_word(s, k))
            return 0;
    return s->len == KINE_IPC_BUF_WORDS || buf[s->len] == canary;
}

static void ipc_client(kine_tid_t server, uint64_t plan, int n, struct report *rep)
{
    for (int i = 0; i < n; i++) {
        struct spec s, r;
        struct kine_msg m;
        spec_of(plan, i, 0, &s);
        spec_load(&s, &m);
        if (!s.call) {
            rep->t[T_IPC_BAD] += kine_send(server, &m) != 0;
            continue;
        }
        spec_of(plan, i, 1, &r);
        uint64_t canary = spec_canary(&r);
        rep->t[T_IPC_BAD] += kine_call(server, &m) != 0 || !spec_check(&r, &m, canary);
    }
}

/* Receives the plan's messages in order, answering each call either with
 * REPLY and a RECV or with REPLY_RECV.  0 if a message never came. */
static int ipc_server(uint64_t plan, int n, struct report *rep)
{
    kine_tid_t client = 0, from = 0;
    struct spec answer;
    struct kine_msg m = { 0 };
    int pending = 0;                     /* the last message was a call */
    for (int i = 0; i < n; i++) {
        struct spec s;
        int64_t r;
        spec_of(plan, i, 0, &s);
        if (pending)
            spec_load(&answer, &m);
        uint64_t canary = spec_canary(&s), deadline = kine_rdtime() + PAIR_DEADLINE;
        if (pending && rnd() % 2) {
            r = kine_reply_recv(client, &m, deadline, &from);
            rep->t[T_IPC_REPLY_RECV]++;
        } else {
            if (pending)
                rep->t[T_IPC_BAD] += kine_reply(client, &m) != 0;
            r = kine_recv(&m, deadline, &from);
        }
        if (r != 0) {
            rep->t[T_IPC_BAD]++;
            return 0;
        }
        if (!client)
            client = from;
        rep->t[T_IPC_BAD] += from != client || !spec_check(&s, &m, canary);
        rep->t[T_IPC_MSGS]++;
        rep->t[s.call ? T_IPC_CALLS : T_IPC_SENDS]++;
        pending = s.call;
        if (pending)
            spec_of(plan, i, 1, &answer);
    }
    if (pending) {
        spec_load(&answer, &m);
        rep->t[T_IPC_BAD] += kine_reply(client, &m) != 0;
    }
    return 1;
}

/* Waits for the partner of a pair; it may only have ended normally. */
static void reap_partner(pid_t c, struct report *rep)
{
    int ws = 0;
    if (c > 0 && (waitpid(c, &ws, 0) != c || !WIFEXITED(ws)))
        rep->t[T_KILLED]++;
}

static void ipc_pairs(int calls, struct report *rep)
{
    int n = calls / IPC_PER_CALLS;
    uint64_t plan = rnd();
    kine_tid_t server = kine_self();
    pid_t c = fork();
    if (c == 0) {
        static struct report mine;
        ipc_client(server, plan, n, &mine);
        send_report(&mine);
        _exit(0);
    }
    if (c < 0) {
        rep->t[T_IPC_BAD]++;
        return;
    }
    if (ipc_server(plan, n, rep))
        reap_partner(c, rep);        /* else it is stuck on us: our exit frees it */
}

/* ---- deferred: requests that may wait, sent with SEND ---- */

/* read() that also checks the reply's padding: the bytes after the data,
 * to the end of its last word, are zero (the pager put nothing else there). */
static ssize_t read_padded(int fd, void *buf, size_t n, struct report *rep)
{
    uint8_t *ipc = (uint8_t *)kine_ipcbuf();
    memset(ipc, PAD_PREFILL, IPC_BYTES);
    ssize_t r = read(fd, buf, n);
    for (ssize_t i = r; r > 0 && i % WORD_BYTES; i++)
        if (ipc[i]) {
            rep->t[T_PADDING]++;
            break;
        }
    return r;
}

/* One PGR_FDWRITE of n <= IPC_BYTES bytes: the bytes taken or -KINE_E*.
 * Unlike write() it never tries again, so a stray "try again" from a stale
 * request shows up here instead of blocking on a pipe only we read. */
static int64_t fdwrite_once(int fd, const void *buf, size_t n)
{
    struct kine_msg m = { kine_tag(PGR_FDWRITE, (n + WORD_BYTES - 1) / WORD_BYTES),
                          { (uint64_t)fd, n, 0, 0 } };
    memcpy(kine_ipcbuf(), buf, n);
    int64_t r = kine_call(kine_pager_tid(), &m);
    return r < 0 ? r : (int64_t)m.mr[0];
}

/* A fresh pipe gives back exactly what was written into it. */
static int pipe_round_trip(struct report *rep)
{
    static uint8_t out[PIPE_BYTES], in[PIPE_BYTES + 1];
    int q[2];
    if (pipe(q) != 0)
        return 0;
    size_t k = 1 + rnd() % PIPE_BYTES, got = 0;
    for (size_t i = 0; i < k; i++)
        out[i] = (uint8_t)rnd();
    int ok = fdwrite_once(q[1], out, k) == (int64_t)k;
    close(q[1]);
    ssize_t r;
    while (got < sizeof(in) && (r = read_padded(q[0], in + got, sizeof(in) - got, rep)) > 0)
        got += (size_t)r;
    close(q[0]);
    return ok && got == k && memcmp(in, out, k) == 0;
}

static void deferred_round(pid_t me, struct report *rep)
{
    static const uint64_t labels[] = { PGR_READ, PGR_FDWRITE, PGR_WAIT, PGR_SLEEP };
    int fds[2] = { -1, -1 };
    if (rnd() % 4 && pipe(fds) == 0 && rnd() % 2) {
        static uint8_t fill[PIPE_BYTES];        /* some data, or a full pipe */
        fdwrite_once(fds[1], fill, rnd() % 3 ? rnd() % 64 : PIPE_BYTES);
    }
    int which = (int)(rnd() % 4);
    uint64_t fd = rnd() % 3 ? (uint64_t)fds[rnd() % 2] : rnd() % 2 ? rnd() % MAX_FDS_GUESS
                                                                    : interesting();
    uint64_t len = rnd() % (KINE_IPC_BUF_WORDS + 1);
    struct kine_msg m = { kine_tag(labels[which], len), { fd, interesting(), 0, 0 } };
    switch (labels[which]) {
    case PGR_READ:    m.mr[1] = rnd() % 2 ? rnd() % (IPC_BYTES + WORD_BYTES) : interesting(); break;
    case PGR_FDWRITE: m.mr[1] = fd < CONSOLE_FDS ? rnd() % WORD_BYTES : rnd() % ((len + 1) * WORD_BYTES); break;
    case PGR_WAIT:    m.mr[0] = rnd() % 2 ? (uint64_t)-1 : interesting(); break;
    case PGR_SLEEP:   m.mr[0] = rnd() % 2 ? rnd() % 4 : interesting(); break;
    }
    uint64_t *buf = kine_ipcbuf();
    for (uint64_t k = 0; k < len; k++)
        buf[k] = rnd();
    rep->t[T_DEF_BAD] += kine_send(kine_pager_tid(), &m) != 0;   /* always delivered */
    rep->t[T_DEF_READ + which]++;
    /* ordinary calls must still work: closing (early, so the slot may be
     * reused at once, or late), getpid, a pipe of our own */
    int open = fds[0] >= 0, early = open && rnd() % 2, bad = 0, checks = 2;
    if (early)
        bad += (close(fds[0]) != 0) + (close(fds[1]) != 0);
    bad += getpid() != me;
    bad += !pipe_round_trip(rep);
    if (open && !early)
        bad += (close(fds[0]) != 0) + (close(fds[1]) != 0);
    rep->t[T_DEF_CHECKS] += (uint64_t)(checks + 2 * open);
    rep->t[T_DEF_BAD] += (uint64_t)bad;
    rep->t[T_DEF_BAD_READ + which] += bad > 0;
}

static void deferred(int calls, struct report *rep)
{
    pid_t me = getpid();
    for (int i = 0; i < calls / DEFER_PER_CALLS; i++)
        deferred_round(me, rep);
}

/* ---- pipes: a writer and a reader following one plan ---- */

#define MAX_PIPE_WRITES 64
#define MAX_WRITE (2 * PIPE_BYTES + IPC_BYTES)

struct pipe_plan {
    uint64_t seed;
    int writes;                 /* the writer closes after this many */
    int64_t reader_stops;       /* the reader closes after this many bytes; -1: at EOF */
    int writer_is_parent;       /* the parent usually holds the lower process slot */
    uint64_t end[MAX_PIPE_WRITES];   /* stream offset where write i ends */
    int sync[MAX_PIPE_WRITES];  /* after write i the writer sends a token */
};

/* Write sizes cluster around the pipe's capacity. */
static size_t write_size(uint64_t x)
{
    size_t small = (size_t)(mix(x) % 16);
    switch ((x >> 8) % 6) {
    case 0:  return small;
    case 1:  return PIPE_BYTES - small;
    case 2:  return PIPE_BYTES;
    case 3:  return PIPE_BYTES + small;
    case 4:  return (size_t)(mix(x ^ 1) % (2 * PIPE_BYTES + 2));
    default: return (size_t)(mix(x ^ 2) % MAX_WRITE);
    }
}

static void plan_pipe(int calls, struct pipe_plan *p)
{
    int n = calls / PIPE_WRITES_PER_CALLS + 1;
    uint64_t off = 0;
    p->seed = rnd();
    p->writes = n < MAX_PIPE_WRITES ? n : MAX_PIPE_WRITES;
    if (rnd() % 4 == 0)
        p->writes = (int)(rnd() % (uint64_t)p->writes);     /* stops early */
    for (int i = 0; i < p->writes; i++) {
        off += write_size(rnd());
        p->end[i] = off;
        p->sync[i] = rnd() % 4 == 0;
    }
    p->reader_stops = rnd() % 4 == 0 ? (int64_t)(rnd() % (off + 1)) : -1;
    p->writer_is_parent = (int)(rnd() % 2);
}

/* Byte k of the stream is byte k % WORD_BYTES of word mix(seed + k / WORD_BYTES). */
static uint8_t stream_byte(uint64_t seed, uint64_t k)
{
    return (uint8_t)(mix(seed + k / WORD_BYTES) >> (8 * (k % WORD_BYTES)));
}

static void pipe_writer(const struct pipe_plan *p, int data, int sync, struct report *rep)
{
    static uint8_t buf[MAX_WRITE];
    uint64_t off = 0;
    int broken = 0;
    for (int i = 0; i < p->writes; i++) {
        size_t s = p->end[i] - off;
        for (size_t k = 0; k < s; k++)
            buf[k] = stream_byte(p->seed, off + k);
        errno = 0;
        ssize_t r = write(data, buf, s);
        rep->t[T_PIPE_WRITES]++;
        if (r == (ssize_t)s && (!broken || s == 0)) {
            off += s;
        } else if (p->reader_stops >= 0 && ((r == -1 && errno == EPIPE) ||
                                            (!broken && r >= 0 && (size_t)r < s))) {
            rep->t[T_PIPE_EPIPE] += r == -1;
            broken = 1;                  /* the reader has gone: EPIPE from now on */
            off = p->end[i];
        } else {
            rep->t[T_PIPE_BAD]++;
            off = p->end[i];
        }
        if (p->sync[i])
            write(sync, "s", 1);         /* fails once the reader has gone */
    }
    close(data);
    close(sync);
}

static void pipe_reader(const struct pipe_plan *p, int data, int sync, struct report *rep)
{
    static uint8_t buf[IPC_BYTES + PIPE_BYTES];
    uint64_t got = 0;
    int next = 0;                        /* the next write that sends a token */
    for (;;) {
        if (p->reader_stops >= 0 && got >= (uint64_t)p->reader_stops) {
            rep->t[T_PIPE_EARLY]++;
            break;
        }
        /* wait for write `next` once all of it fits in the pipe */
        for (; next < p->writes; next++) {
            char c;
            if (!p->sync[next])
                continue;
            if (got + PIPE_BYTES < p->end[next])
                break;
            if (read(sync, &c, 1) != 1)
                next = p->writes;        /* the writer has gone */
        }
        size_t want = 1 + rnd() % sizeof(buf);
        ssize_t r = read_padded(data, buf, want, rep);
        if (r <= 0) {
            rep->t[T_PIPE_BAD] += r < 0 || got != (p->writes ? p->end[p->writes - 1] : 0);
            break;
        }
        for (ssize_t k = 0; k < r; k++)
            if (buf[k] != stream_byte(p->seed, got + (uint64_t)k)) {
                rep->t[T_PIPE_BAD]++;
                break;
            }
        got += (uint64_t)r;
    }
    rep->t[T_PIPE_BYTES] += got;
    close(data);
    close(sync);
}

static void pipe_pairs(int calls, struct report *rep)
{
    static struct pipe_plan p;
    int data[2], sync[2];
    plan_pipe(calls, &p);
    if (pipe(data) != 0 || pipe(sync) != 0) {
        rep->t[T_PIPE_BAD]++;
        return;
    }
    rep->t[T_PIPE_PAIRS]++;
    pid_t c = fork();
    if (c < 0) {
        rep->t[T_PIPE_BAD]++;
        return;                          /* our exit closes the pipes */
    }
    static struct report mine;           /* the child's own tallies */
    struct report *out = c == 0 ? &mine : rep;
    int writer = (c == 0) != p.writer_is_parent;
    close(writer ? data[0] : data[1]);
    close(writer ? sync[0] : sync[1]);
    if (writer)
        pipe_writer(&p, data[1], sync[1], out);
    else
        pipe_reader(&p, data[0], sync[0], out);
    if (c == 0) {
        send_report(out);
        _exit(0);
    }
    reap_partner(c, rep);
}

/* ---- the driver ---- */

/* ---- threads: random calls from several threads of one process ---- */

#define FUZZ_THREADS 4
#define THREAD_VALUE(i, round) ((uint64_t)(round) * 0x10001 + (i) + 1)

struct fuzz_thread { uint64_t seed, value; int calls; struct report rep; };

static void *fuzz_thread(void *arg)
{
    struct fuzz_thread *ft = arg;
    in_thread = 1;
    self = kine_self();              /* never another thread's: it would wait for good */
    state = ft->seed | 1;
    random_calls(ft->calls, &ft->rep);
    return (void *)ft->value;
}

static void threads(int calls, struct report *rep)
{
    static struct fuzz_thread ft[FUZZ_THREADS];
    int64_t h[FUZZ_THREADS];
    int per = calls / (2 * FUZZ_THREADS) + 1;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < FUZZ_THREADS; i++) {
            memset(&ft[i], 0, sizeof(ft[i]));
            ft[i].seed = rnd();
            ft[i].value = THREAD_VALUE(i, round);
            ft[i].calls = per;
            h[i] = kine_thread_create(fuzz_thread, &ft[i], NULL);
            rep->t[T_THR_MADE] += h[i] > 0;
        }
        random_calls(per, rep);                   /* the main thread too, meanwhile */
        for (int i = 0; i < FUZZ_THREADS; i++) {
            void *v = NULL;
            if (h[i] <= 0)
                continue;                         /* refused (EAGAIN, ENOMEM): fine */
            if (round == 1 && i % 2)
                continue;                         /* left running: exit ends them */
            int64_t r = kine_thread_join(h[i], &v);
            rep->t[T_THR_JOINED] += r == 0;
            rep->t[T_THR_BAD] += r != 0 || (uint64_t)v != ft[i].value;
            for (int k = 0; k < MAX_ERR; k++)
                rep->counts[k] += ft[i].rep.counts[k];
        }
    }
}

enum kind { K_CALLS, K_IPC, K_DEFERRED, K_PIPES, K_THREADS, K_COUNT };
static const struct { const char *name; void (*run)(int calls, struct report *rep); }
kinds[K_COUNT] = {
    { "calls", random_calls }, { "ipc", ipc_pairs }, { "deferred", deferred },
    { "pipes", pipe_pairs }, { "threads", threads },
};

/* Read everything the children wrote and add up the reports at its end
 * (random fuzzing may have written noise into the pipe before them). */
static int collect(int fd, struct report *total)
{
    static char buf[64 * 1024];
    size_t got = 0, found = 0;
    ssize_t n;
    while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0 && got + (size_t)n < sizeof(buf))
        got += (size_t)n;
    for (size_t end = got; end >= sizeof(struct report); end -= sizeof(struct report)) {
        struct report rep;
        memcpy(&rep, buf + end - sizeof(rep), sizeof(rep));
        if (rep.magic != REPORT_MAGIC)
            break;
        for (int k = 0; k < MAX_ERR; k++)
            total->counts[k] += rep.counts[k];
        for (int t = 0; t < T_COUNT; t++)
            total->t[t] += rep.t[t];
        found++;
    }
    return found > 0;
}

/* One child doing `n` calls' worth of kind k; 1 if it was killed, -1 if it
 * could not be started. */
static int run_kind(enum kind k, uint64_t seed, uint64_t batch, int n, struct report *total,
                    uint64_t *reported)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t c = fork();
    if (c == 0) {
        static struct report rep;
        close(fds[0]);
        report_fd = fds[1];
        self = kine_self();
        state = (seed * 0x9e3779b97f4a7c15ULL) ^ ((batch + 1) * 0xbf58476d1ce4e5b9ULL);
        state = (state ^ (uint64_t)k * 0x94d049bb133111ebULL) | 1;   /* a stream per child */
        for (int w = 0; w < 8; w++)
            rnd();
        kinds[k].run(n, &rep);
        send_report(&rep);
        _exit(0);
    }
    close(fds[1]);
    if (c < 0) {
        close(fds[0]);
        return -1;
    }
    *reported += collect(fds[0], total);
    close(fds[0]);
    int ws = 0;
    waitpid(c, &ws, 0);
    return WIFSIGNALED(ws);
}

static void print_tallies(const struct report *t)
{
    const uint64_t *v = t->t;
    printf("ipc: %lu messages between pairs (%lu calls, %lu sends, %lu by reply_recv), "
           "%lu mismatched\n", (unsigned long)v[T_IPC_MSGS], (unsigned long)v[T_IPC_CALLS],
           (unsigned long)v[T_IPC_SENDS], (unsigned long)v[T_IPC_REPLY_RECV],
           (unsigned long)v[T_IPC_BAD]);
    printf("deferred: %lu requests sent with SEND (%lu read, %lu fdwrite, %lu wait, %lu sleep), "
           "%lu checks after them, %lu failed (after read %lu, fdwrite %lu, wait %lu, sleep %lu)\n",
           (unsigned long)(v[T_DEF_READ] + v[T_DEF_FDWRITE] + v[T_DEF_WAIT] + v[T_DEF_SLEEP]),
           (unsigned long)v[T_DEF_READ], (unsigned long)v[T_DEF_FDWRITE],
           (unsigned long)v[T_DEF_WAIT], (unsigned long)v[T_DEF_SLEEP],
           (unsigned long)v[T_DEF_CHECKS], (unsigned long)v[T_DEF_BAD],
           (unsigned long)v[T_DEF_BAD_READ], (unsigned long)v[T_DEF_BAD_FDWRITE],
           (unsigned long)v[T_DEF_BAD_WAIT], (unsigned long)v[T_DEF_BAD_SLEEP]);
    printf("pipes: %lu pairs, %lu writes, %lu bytes checked, %lu EPIPE, %lu readers closed "
           "early, %lu failed\n", (unsigned long)v[T_PIPE_PAIRS], (unsigned long)v[T_PIPE_WRITES],
           (unsigned long)v[T_PIPE_BYTES], (unsigned long)v[T_PIPE_EPIPE],
           (unsigned long)v[T_PIPE_EARLY], (unsigned long)v[T_PIPE_BAD]);
    printf("threads: %lu made, %lu joined with their values, %lu failed\n",
           (unsigned long)v[T_THR_MADE], (unsigned long)v[T_THR_JOINED],
           (unsigned long)v[T_THR_BAD]);
    printf("padding: %lu read replies carried bytes past their data\n",
           (unsigned long)v[T_PADDING]);
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    long count = argc > 2 ? strtol(argv[2], NULL, 0) : 20000;
    int chosen[K_COUNT] = { 0 }, any = 0;        /* KIND...: only these kinds */
    for (int a = 3; a < argc; a++)
        for (int k = 0; k < K_COUNT; k++)
            if (strcmp(argv[a], kinds[k].name) == 0)
                any = chosen[k] = 1;
    static struct report total;
    state = seed * 0x9e3779b97f4a7c15ULL | 1;
    parent_tid = self = kine_self();
    int consistent0, consistent1;
    uint64_t base = kine_others_frames(&consistent0);   /* ours may grow: lazy */
    uint64_t made = 0, killed = 0, batches = 0, reported = 0;
    for (long done = 0; done < count; done += BATCH, batches++) {
        int n = count - done < BATCH ? (int)(count - done) : BATCH;
        for (int k = 0; k < K_COUNT; k++) {
            if (any && !chosen[k])
                continue;
            int r = run_kind((enum kind)k, seed, batches, n, &total, &reported);
            if (r < 0) {
                printf("FAIL: pipe or fork refused at batch %lu\n", (unsigned long)batches);
                return 1;
            }
            if (k == K_CALLS)
                killed += (uint64_t)r;
            else
                total.t[T_KILLED] += (uint64_t)r;
        }
        made += (uint64_t)n;
    }
    int alive = getpid() > 0 && kine_self() == parent_tid;
    uint64_t now = kine_others_frames(&consistent1);
    printf("seed %lu: %lu calls in %lu children, %lu killed, %lu reported\n",
           (unsigned long)seed, (unsigned long)made, (unsigned long)batches,
           (unsigned long)killed, (unsigned long)reported);
    printf("results: %lu ok", (unsigned long)total.counts[0]);
    for (int k = 1; k < MAX_ERR; k++)
        if (total.counts[k])
            printf(", %lu x -%d", (unsigned long)total.counts[k], k);
    printf("\n");
    print_tallies(&total);
    uint64_t valid_bad = total.t[T_IPC_BAD] + total.t[T_DEF_BAD] + total.t[T_PIPE_BAD] +
                         total.t[T_THR_BAD] +
                         total.t[T_PADDING] + total.t[T_KILLED];
    printf("valid traffic: %lu failures, %lu of its children killed\n",
           (unsigned long)valid_bad, (unsigned long)total.t[T_KILLED]);
    printf("kernel and pager %s; ledger %s; frames of other processes %lu before, %lu after\n",
           alive ? "answering" : "NOT ANSWERING",
           consistent0 && consistent1 ? "consistent" : "INCONSISTENT",
           (unsigned long)base, (unsigned long)now);
    int ok = alive && consistent0 && consistent1 && now == base && valid_bad == 0;
    printf(ok ? "FUZZ PASSED\n" : "FUZZ FAILED\n");
    return ok ? 0 : 1;
}
