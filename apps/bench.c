/* bench: kernel and pager paths in guest instructions (rdinstret).  Run it
 * under QEMU with -icount shift=0 on one hart (tools/bench does), where the
 * counts are exact and repeat run after run.  Each benchmark repeats and
 * prints one line per measurement for tools/bench to tabulate:
 *     RESULT <name> <policy> <N> <min> <median>
 * "bench quick" does few repetitions (the smoke test); "bench only NAME"
 * runs one group (null_syscall, ipc_rtt, fault_rtt, page_ops, cow_fault,
 * zero_fault, fork, map), for tools/profile.  The fork group also times
 * exit (a child's exit and the parent's wait) and fork_exec_wait. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>
#include <kine/profile.h>

#define MAX_REPS 64
#define LABEL_PING 1
#define LABEL_QUIT 2

static int reps = 21;
static char policy[KINE_POLICY_NAME_MAX];
static uint64_t overhead;       /* two back-to-back rdinstret reads */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *name, uint64_t n, uint64_t *s, int k)
{
    if (k <= 0)
        return;
    qsort(s, (size_t)k, sizeof(*s), cmp_u64);
    printf("RESULT %s %s %lu %lu %lu\n", name, policy, (unsigned long)n,
           (unsigned long)s[0], (unsigned long)s[k / 2]);
}

/* A timed window, bracketed for tools/profile (kine/profile.h): the markers
 * lie outside the two reads, so they never count in a figure. */
static inline uint64_t window_open(void)
{
    kine_profile_open();
    return kine_rdinstret();
}

static inline uint64_t window_close(void)
{
    uint64_t t = kine_rdinstret();
    kine_profile_close();
    return t;
}

static void measure_overhead(void)
{
    uint64_t s[MAX_REPS];
    for (int i = 0; i < reps; i++) {
        uint64_t t0 = kine_rdinstret();
        uint64_t t1 = kine_rdinstret();
        s[i] = t1 - t0;
    }
    qsort(s, (size_t)reps, sizeof(*s), cmp_u64);
    overhead = s[0];
}

static void null_syscall(void)
{
    uint64_t s[MAX_REPS];
    for (int i = 0; i < reps; i++) {
        uint64_t t0 = window_open();
        kine_self();
        uint64_t t1 = window_close();
        s[i] = t1 - t0 - overhead;
    }
    report("null_syscall", 0, s, reps);
}

static int ipc_server(void)
{
    struct kine_msg m = { 0 };
    kine_tid_t from = 0, reply_to = 0;
    for (;;) {
        int64_t r = kine_reply_recv(reply_to, &m, 0, &from);
        uint64_t now = kine_rdinstret();
        reply_to = 0;
        if (r < 0)
            continue;
        if (kine_tag_label(m.tag) == LABEL_QUIT) {
            m.tag = 0;
            kine_reply(from, &m);
            return 0;
        }
        m.tag = 0;
        m.mr[0] = now;
        reply_to = from;
    }
}

static void ipc_rtt(void)
{
    const char *args[] = { "bench", "ipcserver" };
    kine_tid_t srv;
    int64_t pid = kine_spawn(2, args, &srv);
    if (pid < 0)
        return;
    uint64_t rtt[MAX_REPS], call[MAX_REPS], reply[MAX_REPS];
    for (int i = -3; i < reps; i++) {           /* three warm-up calls */
        struct kine_msg m = { kine_tag(LABEL_PING, 0), { 1, 2, 3, 4 } };
        uint64_t t0 = window_open();
        kine_call(srv, &m);
        uint64_t t1 = window_close();
        if (i < 0)
            continue;
        rtt[i] = t1 - t0 - overhead;
        call[i] = m.mr[0] - t0;
        reply[i] = t1 - m.mr[0];
    }
    struct kine_msg q = { kine_tag(LABEL_QUIT, 0), { 0 } };
    kine_call(srv, &q);
    kine_wait(pid, NULL);
    report("ipc_rtt", 0, rtt, reps);
    report("ipc_call_oneway", 0, call, reps);
    report("ipc_reply_oneway", 0, reply, reps);
}

/* n pages of fresh heap, each written once. */
static char *heap_pages(uint64_t n)
{
    char *p = sbrk((intptr_t)(n * KINE_PAGE_SIZE));
    if (p == (char *)-1)
        return NULL;
    for (uint64_t i = 0; i < n; i++)
        p[i * KINE_PAGE_SIZE] = 1;
    return p;
}

/* Time the first store to each of n pages, with the fault's three legs
 * from the pager's timestamps.  Returns how many faults of each kind the
 * pager counted meanwhile (in *delta, as memstats after minus before). */
struct store_times {
    uint64_t total[MAX_REPS], to_pager[MAX_REPS], in_pager[MAX_REPS], to_thread[MAX_REPS];
};

static void time_stores(char *p, int n, struct store_times *st, struct kine_memstats *delta)
{
    struct kine_memstats before, ms;
    /* Touch everything the loop writes (results, both snapshots, this
     * stack) first: after a fork those pages are copy-on-write too, and
     * their faults must not land among the ones being counted. */
    memset(st, 0, sizeof(*st));
    kine_memstats(&ms);
    kine_memstats(&before);
    for (int i = 0; i < n; i++) {
        uint64_t t0 = window_open();
        p[i * KINE_PAGE_SIZE] = 2;
        uint64_t t1 = window_close();
        kine_memstats(&ms);
        st->total[i] = t1 - t0 - overhead;
        st->to_pager[i] = ms.fault_received - t0;
        st->in_pager[i] = ms.fault_answered - ms.fault_received;
        st->to_thread[i] = t1 - ms.fault_answered;
    }
    delta->faults_cow_copy = ms.faults_cow_copy - before.faults_cow_copy;
    delta->faults_cow_reuse = ms.faults_cow_reuse - before.faults_cow_reuse;
    delta->faults_write = ms.faults_write - before.faults_write;
}

/* A timing counts only if each store was the fault it claims to time: the
 * pager received exactly one write fault per store, answered as expected.
 * Otherwise the run is rejected, loudly (a policy that prefaults or maps
 * ahead must not show up as a fast fault). */
static int faulted_as_expected(const char *name, uint64_t writes, uint64_t answered)
{
    if (writes == (uint64_t)reps && answered == (uint64_t)reps)
        return 1;
    printf("REJECT %s: %lu write faults received and %lu answered as measured, for %d stores\n",
           name, (unsigned long)writes, (unsigned long)answered, reps);
    return 0;
}

static void report_stores(const char *name, const char *legs, struct store_times *st)
{
    char leg[48];
    report(name, 0, st->total, reps);
    snprintf(leg, sizeof(leg), "%s_leg_to_pager", legs);
    report(leg, 0, st->to_pager, reps);
    snprintf(leg, sizeof(leg), "%s_leg_in_pager", legs);
    report(leg, 0, st->in_pager, reps);
    snprintf(leg, sizeof(leg), "%s_leg_to_thread", legs);
    report(leg, 0, st->to_thread, reps);
}

static void fault_rtt(void)
{
    /* after a fork whose child is gone, our pages are COW held once:
     * each first store is a fault the pager answers with a remap only */
    char *p = heap_pages((uint64_t)reps);
    if (!p)
        return;
    pid_t c = fork();
    if (c == 0)
        _exit(0);
    waitpid(c, NULL, 0);
    static struct store_times st;
    struct kine_memstats d;
    time_stores(p, reps, &st, &d);
    if (faulted_as_expected("fault_rtt", d.faults_write, d.faults_cow_reuse))
        report_stores("fault_rtt", "fault", &st);
    sbrk(-(intptr_t)reps * KINE_PAGE_SIZE);
}

/* The pager's own page copy and fill (PGR_BENCH_PAGEOPS: its memcpy and
 * memset of a frame, timed inside the pager), the routines its COW copies
 * and zero fills run: RVV when the harts have V, and then the scalar ones
 * too for comparison.  Measured once; the minima of the routines in use
 * are what cow_fault_minus_copy and zero_fault_minus_zero subtract. */
static struct {
    int known, vector;
    uint64_t copy, zero;
} page_costs;

/* reps timings of one kind (0 scalar, 1 RVV); 0 or the pager's error */
static int64_t time_pageops(uint64_t vector, uint64_t *copy, uint64_t *zero)
{
    for (int i = 0; i < reps; i++) {
        struct kine_msg m = { kine_tag(PGR_BENCH_PAGEOPS, 0), { vector } };
        int64_t r = kine_call(kine_pager_tid(), &m);
        if (r < 0 || (int64_t)m.mr[0] < 0)
            return r < 0 ? r : (int64_t)m.mr[0];
        copy[i] = m.mr[1] - overhead;
        zero[i] = m.mr[2] - overhead;
    }
    return 0;
}

static void page_ops(void)
{
    uint64_t copy[MAX_REPS], zero[MAX_REPS], scopy[MAX_REPS], szero[MAX_REPS];
    if (page_costs.known)
        return;
    page_costs.vector = time_pageops(1, copy, zero) == 0;
    if (time_pageops(0, scopy, szero) != 0)
        return;                                 /* bench calls off in this pager */
    if (!page_costs.vector) {
        memcpy(copy, scopy, sizeof(copy));
        memcpy(zero, szero, sizeof(zero));
    }
    report("copy_4k", 0, copy, reps);           /* sorted: [0] is the minimum */
    report("zero_4k", 0, zero, reps);
    if (page_costs.vector) {
        report("copy_4k_scalar", 0, scopy, reps);
        report("zero_4k_scalar", 0, szero, reps);
    }
    page_costs.copy = copy[0];
    page_costs.zero = zero[0];
    page_costs.known = 1;
}

static void cow_fault(void)
{
    page_ops();
    char *p = heap_pages((uint64_t)reps);
    int hold[2];
    if (!p || pipe(hold) != 0)
        return;
    pid_t c = fork();
    if (c == 0) {                               /* keep every page shared */
        char x;
        close(hold[1]);
        read(hold[0], &x, 1);
        _exit(0);
    }
    close(hold[0]);
    uint64_t net[MAX_REPS];
    static struct store_times st;
    struct kine_memstats d;
    time_stores(p, reps, &st, &d);
    close(hold[1]);
    waitpid(c, NULL, 0);
    if (faulted_as_expected("cow_fault", d.faults_write, d.faults_cow_copy)) {
        report_stores("cow_fault", "cow", &st);
        if (page_costs.known) {
            for (int i = 0; i < reps; i++)
                net[i] = st.total[i] - page_costs.copy;
            report("cow_fault_minus_copy", 0, net, reps);
        }
    }
    sbrk(-(intptr_t)reps * KINE_PAGE_SIZE);
}

static void zero_fault(void)
{
    struct kine_memstats ms0, ms1;
    page_ops();
    char *p = sbrk(reps * KINE_PAGE_SIZE);
    if (p == (char *)-1)
        return;
    uint64_t s[MAX_REPS];
    kine_memstats(&ms0);
    for (int i = 0; i < reps; i++) {
        uint64_t t0 = window_open();
        p[i * KINE_PAGE_SIZE] = 1;
        uint64_t t1 = window_close();
        s[i] = t1 - t0 - overhead;
    }
    kine_memstats(&ms1);
    /* only where sbrk reserves: elsewhere the pages are there already */
    if (ms1.pages_zero_filled - ms0.pages_zero_filled == 0) {
        printf("zero_fault: not measured, the policy fills the heap at sbrk\n");
    } else if (faulted_as_expected("zero_fault", ms1.faults_write - ms0.faults_write,
                                   ms1.pages_zero_filled - ms0.pages_zero_filled)) {
        uint64_t net[MAX_REPS];
        for (int i = 0; i < reps && page_costs.known; i++)
            net[i] = s[i] - page_costs.zero;
        report("zero_fault", 0, s, reps);
        if (page_costs.known)
            report("zero_fault_minus_zero", 0, net, reps);
    }
    sbrk(-(intptr_t)reps * KINE_PAGE_SIZE);
}

/* A child's exit and the parent's wait, the fork left out: the child has
 * run up to a read of a pipe (its stack pages copied) and told the parent
 * so; the window opens as the parent closes the pipe, which ends the
 * child's read and so the child, and closes when waitpid returns. */
static int64_t exit_cost(void)
{
    int ready[2], go[2];
    char x = 0;
    if (pipe(ready) != 0)
        return -1;
    if (pipe(go) != 0) {
        close(ready[0]);
        close(ready[1]);
        return -1;
    }
    pid_t c = fork();
    if (c == 0) {
        close(ready[0]);
        close(go[1]);
        write(ready[1], &x, 1);
        read(go[0], &x, 1);                     /* 0: the parent closed it */
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    int64_t r = -1;
    if (c > 0 && read(ready[0], &x, 1) == 1) {
        uint64_t t0 = window_open();
        close(go[1]);
        waitpid(c, NULL, 0);
        uint64_t t1 = window_close();
        r = (int64_t)(t1 - t0 - overhead);
    } else {
        close(go[1]);
        if (c > 0)
            waitpid(c, NULL, 0);
    }
    close(ready[0]);
    return r;
}

static void fork_costs(uint64_t n)
{
    struct kine_ledger l;
    kine_ledger(&l);
    if (n + 1024 > l.frames_free)
        return;                                 /* would not fit even shared */
    char *p = n ? heap_pages(n) : sbrk(0);
    if (!p)
        return;
    int k = n >= 4096 ? (reps < 7 ? reps : 7) : reps;
    uint64_t f[MAX_REPS], few[MAX_REPS];
    int nf = 0, nfew = 0;
    for (int i = 0; i < k; i++) {
        uint64_t t0 = window_open();
        pid_t c = fork();
        if (c == 0)
            _exit(0);
        uint64_t t1 = window_close();
        if (c < 0)
            break;
        waitpid(c, NULL, 0);
        f[nf++] = t1 - t0 - overhead;
    }
    for (int i = 0; i < k && nf == k; i++) {
        uint64_t t0 = window_open();
        pid_t c = fork();
        if (c == 0)
            _exit(0);
        if (c < 0)
            break;
        waitpid(c, NULL, 0);
        uint64_t t1 = window_close();
        few[nfew++] = t1 - t0 - overhead;
    }
    uint64_t ex[MAX_REPS], fxw[MAX_REPS];
    int nex = 0, nfxw = 0;
    for (int i = 0; i < k && nf == k; i++) {
        int64_t t = exit_cost();
        if (t < 0)
            break;
        ex[nex++] = (uint64_t)t;
    }
    static const char *const exec_argv[] = { "retcode", "0", NULL };
    for (int i = 0; i < k && nf == k; i++) {
        uint64_t t0 = window_open();
        pid_t c = fork();
        if (c == 0)
            _exit((int)kine_exec(2, exec_argv));      /* returns only if exec failed */
        if (c < 0)
            break;
        int status = -1;
        waitpid(c, &status, 0);
        uint64_t t1 = window_close();
        if (status != 0)
            break;
        fxw[nfxw++] = t1 - t0 - overhead;
    }
    if (nf == k) {
        report("fork", n, f, nf);
        report("fork_exit_wait", n, few, nfew);
        report("exit", n, ex, nex);
        report("fork_exec_wait", n, fxw, nfxw);
    }
    if (n)
        sbrk(-(intptr_t)(n * KINE_PAGE_SIZE));
}

static void map_protect(uint64_t n)
{
    uint64_t map[MAX_REPS], ro[MAX_REPS], rw[MAX_REPS];
    int k = 0;
    for (int i = 0; i < reps; i++) {
        struct kine_msg m = { kine_tag(PGR_BENCH_MAP, 0), { n } };
        if (kine_call(kine_pager_tid(), &m) < 0 || (int64_t)m.mr[0] < 0)
            return;
        map[k] = m.mr[1];
        ro[k] = m.mr[2];
        rw[k] = m.mr[3];
        k++;
    }
    report("map", n, map, k);
    report("protect_ro", n, ro, k);
    report("protect_rw", n, rw, k);
}

static void forks(void)
{
    static const uint64_t sizes[] = { 0, 256, 4096, 16384 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        fork_costs(sizes[i]);
}

static void maps(void)
{
    static const uint64_t sizes[] = { 1, 512, 2048 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        map_protect(sizes[i]);
}

static const struct { const char *name; void (*run)(void); } groups[] = {
    { "null_syscall", null_syscall }, { "ipc_rtt", ipc_rtt }, { "fault_rtt", fault_rtt },
    { "page_ops", page_ops }, { "cow_fault", cow_fault }, { "zero_fault", zero_fault }, { "fork", forks }, { "map", maps },
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

int main(int argc, char **argv)
{
    const char *only = NULL;
    if (argc > 1 && strcmp(argv[1], "ipcserver") == 0)
        return ipc_server();
    if (argc > 1 && strcmp(argv[1], "quick") == 0)
        reps = 3;
    if (argc > 2 && strcmp(argv[1], "only") == 0)
        only = argv[2];
    struct kine_memstats ms;
    kine_memstats(&ms);
    memcpy(policy, ms.policy, sizeof(policy));
    measure_overhead();
    struct kine_msg probe = { kine_tag(PGR_BENCH_PAGEOPS, 0), { 1 } };
    int vector = kine_call(kine_pager_tid(), &probe) == 0 && probe.mr[0] == 0;
    printf("BEGIN policy %s reps %d rdinstret-overhead %lu pageops %s\n", policy, reps,
           (unsigned long)overhead, vector ? "rvv" : "scalar");
    int ran = 0;
    for (size_t i = 0; i < NGROUPS; i++)
        if (!only || strcmp(only, groups[i].name) == 0) {
            groups[i].run();
            ran++;
        }
    if (!ran)
        printf("no benchmark group %s\n", only);
    printf("END\n");
    return ran ? 0 : 2;
}
