/* ipcpaths: the kernel's fast paths (kernel/fastpath.S) are a cache over
 * its general path: every case here must give the same results whichever
 * path the kernel takes, and the tests run it with kernel.fastpath=off
 * (and pager.fastfault=off) too.  The cases the fast paths leave to the
 * general path on purpose are all driven here, so the general path stays
 * tested with the fast paths on: queued senders, IPC-buffer payloads,
 * receive deadlines, stale tids, partners that entered the kernel on the
 * other path (a call that went the general way answered the fast way and
 * back), and, for page faults, a pager that waits with a deadline, a page
 * whose leaf table does not exist yet, a shared COW page and one held
 * alone.  And the register convention (kine/syscall.h) is checked on every
 * way back to user mode: after an ecall the kept registers (s0..s11, sp,
 * gp, tp) are intact and every other one holds a result or zero; after a
 * page fault, every register is as it was. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

enum {
    LABEL_ECHO = 1,       /* MRs + 1 back, registers only */
    LABEL_FILL,           /* MR0 words of the IPC buffer back, word i = MR1 + i */
    LABEL_SUM,            /* the sum of the payload words back in MR0, registers only */
    LABEL_DEADLINE,       /* echo, then receive with a deadline MR0 ms away */
    LABEL_TIMEOUTS,       /* how many receives timed out so far, in MR0 */
    LABEL_SPLIT,          /* echo with REPLY, then a plain RECV next */
    LABEL_HOLD,           /* ack, then call the sender and wait for its answer */
    LABEL_STALE,          /* REPLY_RECV to tid MR0: its status back in MR0 */
    LABEL_QUIT,
};

#define CLIENTS      3    /* queued behind a held server */
#define HOLD_TICKS   5    /* long enough for every client to call and block */
#define FILL_WORDS   100
#define PATTERN      0x5a5a000000000000UL   /* register n holds PATTERN + n */

static struct kine_tally tally;

static void expect(const char *what, int64_t got, int64_t want)
{
    kine_expect(&tally, what, got, want);
}

/* ---- the server ---- */

static int server(void)
{
    struct kine_msg m = { 0 };
    kine_tid_t from = 0, reply_to = 0;
    uint64_t deadline = 0, timeouts = 0;
    int plain = 0;                      /* the next receive is a plain RECV */
    for (;;) {
        int64_t r = plain ? kine_recv(&m, 0, &from) : kine_reply_recv(reply_to, &m, deadline, &from);
        reply_to = 0;
        deadline = 0;
        plain = 0;
        if (r == -KINE_ETIMEDOUT)
            timeouts++;
        if (r < 0)
            continue;
        uint64_t *b = kine_ipcbuf(), len = kine_tag_len(m.tag), sum = 0;
        switch (kine_tag_label(m.tag)) {
        case LABEL_ECHO:
        case LABEL_DEADLINE:
        case LABEL_SPLIT:
            for (int i = 0; i < KINE_MSG_REGS; i++)
                m.mr[i] += 1;
            if (kine_tag_label(m.tag) == LABEL_DEADLINE)
                deadline = kine_deadline_ms(m.mr[0] - 1);
            if (kine_tag_label(m.tag) == LABEL_SPLIT) {
                m.tag = kine_tag(LABEL_SPLIT, 0);
                kine_reply(from, &m);
                plain = 1;
                continue;
            }
            m.tag = kine_tag(kine_tag_label(m.tag), 0);
            break;
        case LABEL_FILL:
            len = m.mr[0] < KINE_IPC_BUF_WORDS ? m.mr[0] : KINE_IPC_BUF_WORDS;
            for (uint64_t i = 0; i < len; i++)
                b[i] = m.mr[1] + i;
            m.tag = kine_tag(LABEL_FILL, len);
            break;
        case LABEL_SUM:
            for (uint64_t i = 0; i < len; i++)
                sum += b[i];
            m.tag = kine_tag(LABEL_SUM, 0);
            m.mr[0] = sum;
            break;
        case LABEL_TIMEOUTS:
            m.tag = 0;
            m.mr[0] = timeouts;
            break;
        case LABEL_HOLD: {
            struct kine_msg hold = { kine_tag(LABEL_HOLD, 0), { 0 } };
            m.tag = 0;
            kine_reply(from, &m);
            kine_call(from, &hold);             /* meanwhile clients queue up */
            continue;
        }
        case LABEL_STALE: {
            struct kine_msg s = { 0 };
            kine_tid_t f = 0;
            m.mr[0] = (uint64_t)kine_reply_recv(m.mr[0], &s, 0, &f);
            m.tag = 0;
            break;
        }
        case LABEL_QUIT:
            m.tag = 0;
            kine_reply(from, &m);
            return 0;
        default:
            continue;
        }
        reply_to = from;
    }
}

/* ---- the register probe ---- */

/* probe_ecall(p): x1 and x3..x31 from p->in (x2, sp, stays the caller's),
 * ecall, then every register into p->out (sp too), and back; the C
 * caller's kept registers are saved around it.  probe_store does a store
 * of t5 to the address in t6 instead of the ecall: a page fault there is
 * answered by the pager and must leave every register as it was. */
struct probe {
    uint64_t in[32];
    uint64_t out[32];
    uint64_t sp;              /* sp at the ecall or store */
};

#define PROBE_SAVE 16         /* ra, s0..s11, gp, tp, p */

__asm__(
    ".macro PROBE name, op\n"
    "    .text\n"
    "    .globl \\name\n"
    "\\name:\n"
    "    addi sp, sp, -8 * 16\n"
    "    sd ra, 0(sp)\n"
    "    sd gp, 8(sp)\n"
    "    sd tp, 16(sp)\n"
    "    sd s0, 24(sp)\n"
    "    sd s1, 32(sp)\n"
    "    .irp n, 2,3,4,5,6,7,8,9,10,11\n"
    "    sd s\\n, (24 + 8 * \\n)(sp)\n"
    "    .endr\n"
    "    sd a0, 120(sp)\n"
    "    sd sp, 8 * 64(a0)\n"
    "    ld x1, 8(a0)\n"
    "    .irp n, 3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "    ld x\\n, (8 * \\n)(a0)\n"
    "    .endr\n"
    "    ld a0, 80(a0)\n"
    "    \\op\n"
    "    addi sp, sp, -8 * 32\n"          /* out, before anything is touched */
    "    sd x1, 8(sp)\n"
    "    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "    sd x\\n, (8 * \\n)(sp)\n"
    "    .endr\n"
    "    addi t0, sp, 8 * 32\n"
    "    sd t0, 16(sp)\n"                 /* sp as it was at the op */
    "    ld a0, (8 * 32 + 120)(sp)\n"
    "    li t1, 0\n"
    "1:  add t2, sp, t1\n"
    "    ld t3, 0(t2)\n"
    "    add t2, a0, t1\n"
    "    sd t3, 8 * 32(t2)\n"
    "    addi t1, t1, 8\n"
    "    li t2, 8 * 32\n"
    "    bltu t1, t2, 1b\n"
    "    addi sp, sp, 8 * 32\n"
    "    ld ra, 0(sp)\n"
    "    ld gp, 8(sp)\n"
    "    ld tp, 16(sp)\n"
    "    ld s0, 24(sp)\n"
    "    ld s1, 32(sp)\n"
    "    .irp n, 2,3,4,5,6,7,8,9,10,11\n"
    "    ld s\\n, (24 + 8 * \\n)(sp)\n"
    "    .endr\n"
    "    addi sp, sp, 8 * 16\n"
    "    ret\n"
    ".endm\n"
    "PROBE probe_ecall, ecall\n"
    "PROBE probe_store, \"sd t5, 0(t6)\"\n");

void probe_ecall(struct probe *p);
void probe_store(struct probe *p);

enum { X_RA = 1, X_SP = 2, X_GP = 3, X_TP = 4, X_T0 = 5, X_T2 = 7, X_S0 = 8, X_S1 = 9,
       X_A0 = 10, X_A1 = 11, X_A6 = 16, X_A7 = 17, X_S2 = 18, X_S11 = 27, X_T3 = 28, X_T6 = 31 };

static void probe_fill(struct probe *p)
{
    for (int n = 0; n < 32; n++)
        p->in[n] = PATTERN + (uint64_t)n;
}

static int kept(int n)
{
    return n == X_GP || n == X_TP || n == X_S0 || n == X_S1 || (n >= X_S2 && n <= X_S11);
}

/* After an ecall: the kept registers intact, sp too; a0 the result; a1..a6
 * the message received (msg, or zero when NULL); everything else zero. */
static void check_ecall(const char *what, const struct probe *p, int64_t result,
                        const uint64_t *msg)
{
    char name[96];
    int bad = 0;
    for (int n = 1; n < 32; n++) {
        uint64_t want = kept(n) ? p->in[n] : n == X_SP ? p->sp : n == X_A0 ? (uint64_t)result :
                        n >= X_A1 && n <= X_A6 ? (msg ? msg[n - X_A1] : 0) : 0;
        if (p->out[n] != want && bad++ < 3) {
            snprintf(name, sizeof(name), "%s: x%d", what, n);
            expect(name, (int64_t)p->out[n], (int64_t)want);
        }
    }
    snprintf(name, sizeof(name), "%s: every register as the convention says", what);
    expect(name, bad, 0);
}

/* A store of probe_store's t5 to *word faults; the pager answers it.
 * Every register must come back as it was and the store must land. */
static void fault_case(const char *what, volatile uint64_t *word)
{
    struct probe p;
    char name[64];
    probe_fill(&p);
    p.in[X_T6] = (uint64_t)word;
    probe_store(&p);
    int bad = 0;
    for (int n = 1; n < 32; n++)
        bad += n == X_SP ? p.out[n] != p.sp : p.out[n] != p.in[n];
    snprintf(name, sizeof name, "fault %s: every register kept", what);
    expect(name, bad, 0);
    snprintf(name, sizeof name, "fault %s: the store landed", what);
    expect(name, (int64_t)*word, (int64_t)p.in[X_T6 - 1]);
}

static void registers(kine_tid_t srv, kine_tid_t self)
{
    struct probe p;

    probe_fill(&p);                              /* same thread, straight back */
    p.in[X_A7] = KSYS_SELF;
    probe_ecall(&p);
    check_ecall("regs: self", &p, (int64_t)self, NULL);

    probe_fill(&p);                              /* through the scheduler */
    p.in[X_A7] = KSYS_YIELD;
    probe_ecall(&p);
    check_ecall("regs: yield", &p, 0, NULL);

    probe_fill(&p);                              /* an error from the general path */
    p.in[X_A0] = 0xdeadbeef;
    p.in[X_A1] = kine_tag(LABEL_ECHO, 0);
    p.in[X_A7] = KSYS_CALL;
    probe_ecall(&p);
    check_ecall("regs: call to nobody", &p, -KINE_ESRCH, NULL);

    probe_fill(&p);                              /* a call and reply, registers only */
    p.in[X_A0] = srv;
    p.in[X_A1] = kine_tag(LABEL_ECHO, 0);
    p.in[X_A6] = 0;
    p.in[X_A7] = KSYS_CALL;
    probe_ecall(&p);
    uint64_t echo[6] = { kine_tag(LABEL_ECHO, 0), p.in[12] + 1, p.in[13] + 1, p.in[14] + 1,
                         p.in[15] + 1, srv };
    check_ecall("regs: call", &p, 0, echo);

    uint64_t *b = kine_ipcbuf();                 /* with a payload: the general path */
    for (int i = 0; i < 4; i++)
        b[i] = (uint64_t)i + 1;
    probe_fill(&p);
    p.in[X_A0] = srv;
    p.in[X_A1] = kine_tag(LABEL_SUM, 4);
    p.in[X_A6] = 0;
    p.in[X_A7] = KSYS_CALL;
    probe_ecall(&p);
    uint64_t sum[6] = { kine_tag(LABEL_SUM, 0), 10, p.in[13], p.in[14], p.in[15], srv };
    check_ecall("regs: call with payload", &p, 0, sum);

    /* a page fault the pager answers: after a fork whose child is gone,
     * our pages are copy-on-write (under eager, nothing faults at all) */
    static volatile uint64_t page[KINE_PAGE_SIZE / sizeof(uint64_t)]
        __attribute__((aligned(KINE_PAGE_SIZE)));
    page[0] = 1;
    pid_t c = fork();
    if (c == 0)
        _exit(0);
    waitpid(c, NULL, 0);
    fault_case("after a fork whose child is gone", &page[1]);
}

/* ---- page faults, fast and general ---- */

#define FAULT_PAGES   4
#define MEGAPAGE      (512 * KINE_PAGE_SIZE)   /* what one leaf table maps */
#define SLEEPER_TICKS 20  /* the sleeping child outlasts the faults below */

static volatile uint64_t fpages[FAULT_PAGES][KINE_PAGE_SIZE / sizeof(uint64_t)]
    __attribute__((aligned(KINE_PAGE_SIZE)));

static void faults(void)
{
    for (int i = 0; i < FAULT_PAGES; i++)
        fpages[i][0] = (uint64_t)i;     /* resident, then COW after fork */

    /* shared with a live child: the pager copies (the fast paths) */
    pid_t c = fork();
    if (c == 0) {
        kine_sleep_ticks(SLEEPER_TICKS);
        _exit(fpages[0][0] == 0 ? 0 : 1);   /* its copy is untouched */
    }
    fault_case("on a shared COW page", &fpages[0][1]);
    /* the child sleeps: the pager now receives with a deadline, and a fault
     * goes the general way (queued by ipc_kernel_send, then delivered) */
    kine_sleep_ticks(1);
    fault_case("while the pager waits with a deadline", &fpages[1][1]);
    int ws = -1;
    waitpid(c, &ws, 0);
    expect("fault: the child's copy kept its bytes", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, 0);
    /* the child is gone: the page is ours alone and is remapped writable */
    fault_case("on a COW page held alone", &fpages[2][1]);

    /* a page in a 2 MiB window nothing was ever mapped in: no leaf table
     * at the fault, so the answer maps it the general way (sys_map) */
    uint8_t *heap = sbrk(2 * MEGAPAGE);
    if (heap == (void *)-1) {
        expect("fault: sbrk for a fresh window", -1, 0);
        return;
    }
    uintptr_t fresh = ((uintptr_t)heap + MEGAPAGE - 1) & ~(uintptr_t)(MEGAPAGE - 1);
    fault_case("in a window without a leaf table", (volatile uint64_t *)fresh + 1);
    fault_case("next to it, with its leaf table", (volatile uint64_t *)(fresh + KINE_PAGE_SIZE) + 1);
}

/* ---- the cases ---- */

static int64_t call(kine_tid_t srv, uint64_t label, uint64_t len, struct kine_msg *m)
{
    m->tag = kine_tag(label, len);
    return kine_call(srv, m);
}

/* Calls that enter on one path and are answered on the other. */
static void crossing(kine_tid_t srv)
{
    struct kine_msg m = { 0, { 1, 2, 3, 4 } };
    uint64_t *b = kine_ipcbuf();
    for (int i = 0; i < 8; i++)
        b[i] = 100 + (uint64_t)i;
    /* a call with a payload (general) answered registers only (fast) */
    expect("payload call, register reply", call(srv, LABEL_SUM, 8, &m), 0);
    expect("payload call: the sum", (int64_t)m.mr[0], 8 * 100 + 28);
    /* a register call (fast) answered with a payload (general) */
    m.mr[0] = FILL_WORDS;
    m.mr[1] = 7000;
    expect("register call, payload reply", call(srv, LABEL_FILL, 0, &m), 0);
    expect("payload reply: its length", (int64_t)kine_tag_len(m.tag), FILL_WORDS);
    int good = 1;
    for (uint64_t i = 0; i < FILL_WORDS; i++)
        good &= b[i] == 7000 + i;
    expect("payload reply: its words", good, 1);
    /* a plain REPLY then a plain RECV in the server (general), then a call
     * to it (fast: it waits in a receive all the same) */
    m.mr[0] = 40;
    expect("split reply", call(srv, LABEL_SPLIT, 0, &m), 0);
    expect("split reply: echoed", (int64_t)m.mr[0], 41);
    m.mr[0] = 50;
    expect("call into a plain receive", call(srv, LABEL_ECHO, 0, &m), 0);
    expect("call into a plain receive: echoed", (int64_t)m.mr[0], 51);
}

/* A reply whose receive has a deadline goes the general way; the receive
 * then times out, and the next call finds the server waiting again. */
static void deadlines(kine_tid_t srv)
{
    struct kine_msg m = { 0, { 2, 0, 0, 0 } };
    expect("deadline: reply", call(srv, LABEL_DEADLINE, 0, &m), 0);
    expect("deadline: echoed", (int64_t)m.mr[0], 3);
    kine_sleep_ticks(HOLD_TICKS);
    expect("deadline: asked", call(srv, LABEL_TIMEOUTS, 0, &m), 0);
    expect("deadline: the server's receive timed out once", (int64_t)m.mr[0], 1);
    expect("recv deadline passed", kine_recv(&m, 1, NULL), -KINE_ETIMEDOUT);
}

/* Stale and forged tids: nobody to deliver to, nothing received. */
static void stale(kine_tid_t srv, kine_tid_t self)
{
    struct kine_msg m = { 0 };
    expect("call a stale generation", kine_call(srv + (1UL << 16), &m), -KINE_ESRCH);
    m.mr[0] = self + (1UL << 16);
    expect("stale: asked", call(srv, LABEL_STALE, 0, &m), 0);
    expect("reply_recv to a stale tid", (int64_t)m.mr[0], -KINE_ESRCH);
    m.mr[0] = kine_pager_tid();     /* alive, but waits for nobody's reply */
    expect("stale: asked again", call(srv, LABEL_STALE, 0, &m), 0);
    expect("reply_recv to a thread not waiting", (int64_t)m.mr[0], -KINE_ESRCH);
}

/* The server is held (it waits for our answer) while clients call it:
 * they queue, and it serves them in turn from its queue. */
static void queued(kine_tid_t srv)
{
    struct kine_msg m = { 0 };
    kine_tid_t from = 0;
    expect("hold: acked", call(srv, LABEL_HOLD, 0, &m), 0);
    expect("hold: the server calls us", kine_recv(&m, kine_deadline_ms(5000), &from), 0);
    expect("hold: from the server", (int64_t)from, (int64_t)srv);
    pid_t kids[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            struct kine_msg c = { 0, { 10 * (uint64_t)i, 1, 2, 3 } };
            int64_t r = call(srv, LABEL_ECHO, 0, &c);
            _exit(r == 0 && c.mr[0] == 10 * (uint64_t)i + 1 && c.mr[3] == 4 ? 0 : 1);
        }
    }
    kine_sleep_ticks(HOLD_TICKS);   /* every client has called and waits */
    m.tag = 0;
    expect("hold: released", kine_reply(from, &m), 0);
    int good = 0;
    for (int i = 0; i < CLIENTS; i++) {
        int ws = -1;
        waitpid(kids[i], &ws, 0);
        good += kids[i] > 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    }
    expect("queued clients answered", good, CLIENTS);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "server") == 0)
        return server();
    const char *args[] = { "ipcpaths", "server" };
    kine_tid_t srv, self = kine_self();
    int64_t pid = kine_spawn(2, args, &srv);
    if (pid < 0) {
        printf("FAIL: cannot spawn the server\n");
        return 1;
    }
    registers(srv, self);
    crossing(srv);
    deadlines(srv);
    stale(srv, self);
    queued(srv);
    faults();
    struct kine_msg m = { 0 };
    call(srv, LABEL_QUIT, 0, &m);
    kine_wait(pid, NULL);
    expect("a call to a server that is gone", kine_call(srv, &m), -KINE_ESRCH);
    printf("%d checks passed, %d failed\n", tally.passed, tally.failed);
    return tally.failed ? 1 : 0;
}
