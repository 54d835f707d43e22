/* threadtest: threads in one process (kine_thread_create, join, exit).
 * Threads share the heap and take turns on a shared counter by yielding;
 * two of them talk by IPC; each has its own errno and its own stdout
 * lines; a thread that ends early does not stop the others; every wrong
 * request gets its error; the process's end (exit from main or from a
 * thread, a kill, a thread's fault, an exec from a thread) ends all its
 * threads; fork from a thread copies only that thread.  After every
 * scenario the threads and
 * the kernel memory set aside for them are back where they were (the
 * ledger's threads and kmem_reserved), as the frames are
 * (kine_run_scenarios). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define NTHREADS        4
#define PAGES_EACH      8          /* heap pages each thread owns */
#define ROUNDS          200        /* turns each thread takes on the counter */
#define PINGS           100        /* IPC round trips between two threads */
#define ERRNO_ROUNDS    50
#define CHURN           60         /* threads made and joined one after another */
#define FOREVER_TICKS   (3600 * KINE_TICK_HZ)
#define EXIT_CODE       7
#define THREAD_EXIT     9
#define EXEC_CODE       5
#define VALUE_BASE      1000
#define WORD_STRIDE     64         /* words apart the checked words are */
#define UNMAPPED_VA     0x40000000UL   /* far above this program's heap */
#define GIVE_UP_MS      10000      /* a partner that could not be made is not coming */

static volatile uint64_t counter;  /* the turn: counter % NTHREADS */
static volatile int stop;          /* threads that run until told to stop */
static volatile int go;            /* every worker was made: start */
static uint64_t *heap;             /* NTHREADS * PAGES_EACH pages, shared */

static uint64_t pattern(unsigned who, unsigned page, unsigned word)
{
    return ((uint64_t)who << 48) ^ ((uint64_t)page << 24) ^ word ^ 0x5eed;
}

static uint64_t *page_of(unsigned who, unsigned page)
{
    return heap + ((uint64_t)who * PAGES_EACH + page) * (KINE_PAGE_SIZE / sizeof(uint64_t));
}

static void fill_pages(unsigned who)
{
    for (unsigned p = 0; p < PAGES_EACH; p++)
        for (unsigned w = 0; w < KINE_PAGE_SIZE / sizeof(uint64_t); w += WORD_STRIDE)
            page_of(who, p)[w] = pattern(who, p, w);
}

static int pages_hold(unsigned who)
{
    for (unsigned p = 0; p < PAGES_EACH; p++)
        for (unsigned w = 0; w < KINE_PAGE_SIZE / sizeof(uint64_t); w += WORD_STRIDE)
            if (page_of(who, p)[w] != pattern(who, p, w))
                return 0;
    return 1;
}

/* The kernel objects threads hold, from the ledger. */
struct baseline { uint64_t threads, kmem; };

static struct baseline now(void)
{
    struct kine_ledger l;
    struct baseline b = { 0, 0 };
    if (kine_ledger(&l) >= 0) {
        b.threads = l.threads;
        b.kmem = l.kmem_reserved;
    }
    return b;
}

/* Run a scenario and check that threads and reservations came back. */
static int with_baseline(const char *name, int (*run)(void))
{
    struct baseline before = now();
    int ok = run();
    struct baseline after = now();
    if (after.threads != before.threads || after.kmem != before.kmem) {
        printf("%s: KERNEL OBJECTS: %lu threads and %lu pages reserved before, %lu and %lu after\n",
               name, (unsigned long)before.threads, (unsigned long)before.kmem,
               (unsigned long)after.threads, (unsigned long)after.kmem);
        ok = 0;
    }
    return ok;
}

/* ---- pages: own pages of a shared heap, a shared counter, join values ---- */

static void *worker(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    while (!go)
        if (stop)
            return NULL;             /* a sibling could not be made: no turns */
        else
            kine_yield();
    fill_pages(me);
    for (unsigned r = 0; r < ROUNDS; r++) {
        while (counter % NTHREADS != me)
            kine_yield();            /* not our turn: let the others run */
        counter++;
        if (!pages_hold(me))
            return (void *)(uintptr_t)0;
    }
    printf("thread %u says hello world %u\n", me, me);   /* a line no other tears */
    return (void *)(uintptr_t)(VALUE_BASE + me);
}

static int pages(void)
{
    int64_t h[NTHREADS];
    int ok = 1;
    heap = malloc(NTHREADS * PAGES_EACH * KINE_PAGE_SIZE);
    if (!heap)
        return 0;
    counter = 0;
    go = stop = 0;
    for (unsigned i = 0; i < NTHREADS; i++) {
        h[i] = kine_thread_create(worker, (void *)(uintptr_t)i, NULL);
        ok &= h[i] > 0;
    }
    if (ok)
        go = 1;
    else
        stop = 1;                    /* (fault injection) the others give up */
    for (unsigned i = 0; i < NTHREADS; i++) {
        void *v = NULL;
        ok &= h[i] > 0 && kine_thread_join(h[i], &v) == 0 && v == (void *)(uintptr_t)(VALUE_BASE + i);
    }
    ok &= counter == (uint64_t)NTHREADS * ROUNDS;
    for (unsigned i = 0; i < NTHREADS; i++)
        ok &= pages_hold(i);
    free(heap);
    return ok;
}

/* ---- ipc: two threads of one process call and reply ---- */

static volatile kine_tid_t server_tid;

static void *server(void *arg)
{
    (void)arg;
    struct kine_msg m = { 0 };
    kine_tid_t from = 0;
    server_tid = kine_self();
    /* deadlines only end a wait for a client that could not be made */
    if (kine_recv(&m, kine_deadline_ms(GIVE_UP_MS), &from) < 0)
        return (void *)1;
    for (unsigned i = 1; i < PINGS; i++) {   /* answer one, take the next */
        m.mr[0]++;
        m.tag = 0;
        if (kine_reply_recv(from, &m, kine_deadline_ms(GIVE_UP_MS), &from) < 0)
            return (void *)2;
    }
    m.mr[0]++;
    m.tag = 0;
    return kine_reply(from, &m) < 0 ? (void *)3 : NULL;
}

static void *client(void *arg)
{
    (void)arg;
    for (uint64_t i = 0; i < PINGS; i++) {
        struct kine_msg m = { .tag = 0, .mr = { i * 2 } };
        if (kine_call(server_tid, &m) < 0 || m.mr[0] != i * 2 + 1)
            return (void *)4;
    }
    return (void *)0;
}

static int ipc(void)
{
    server_tid = 0;
    int64_t s = kine_thread_create(server, NULL, NULL);
    while (s > 0 && !server_tid)
        kine_yield();                /* the client calls it by its tid */
    int64_t c = s > 0 ? kine_thread_create(client, NULL, NULL) : -1;
    void *vs = (void *)-1, *vc = (void *)-1;
    int ok = s > 0 && c > 0 && kine_thread_join(c, &vc) == 0 && vc == NULL;
    return ok && kine_thread_join(s, &vs) == 0 && vs == NULL;
}

/* ---- errno: each thread's own ---- */

static void *errno_keeper(void *arg)
{
    int mine = (int)(uintptr_t)arg;
    for (unsigned i = 0; i < ERRNO_ROUNDS; i++) {
        errno = mine;
        kine_yield();
        if (close(-1) != -1 || errno != EBADF)       /* a failed call sets our own */
            return (void *)1;
        errno = mine;
        kine_yield();
        if (errno != mine)
            return (void *)2;
    }
    return (void *)0;
}

static int per_thread_errno(void)
{
    int64_t h[NTHREADS];
    int ok = 1;
    errno = 0;
    for (unsigned i = 0; i < NTHREADS; i++)
        h[i] = kine_thread_create(errno_keeper, (void *)(uintptr_t)(ERANGE + i), NULL);
    for (unsigned i = 0; i < NTHREADS; i++) {
        void *v = (void *)-1;
        ok &= h[i] > 0 && kine_thread_join(h[i], &v) == 0 && v == NULL;
    }
    return ok && errno == 0;         /* nobody else's errno reached the main thread */
}

/* ---- early: a thread ends while others run; join after the end ---- */

static void *until_stopped(void *arg)
{
    while (!stop)
        kine_yield();
    return arg;
}

static void *ends_at_once(void *arg)
{
    kine_thread_exit(arg);           /* as returning: the value is the joiner's */
}

static int early_exit(void)
{
    int64_t runners[2];
    stop = 0;
    runners[0] = kine_thread_create(until_stopped, (void *)1, NULL);
    int64_t early = kine_thread_create(ends_at_once, (void *)42, NULL);
    runners[1] = kine_thread_create(until_stopped, (void *)2, NULL);
    for (int i = 0; i < 20; i++)
        kine_yield();                /* the early one is over, surely, but join waits if not */
    void *v = NULL;
    int ok = early > 0 && kine_thread_join(early, &v) == 0 && v == (void *)42;
    ok &= runners[0] > 0 && runners[1] > 0;
    stop = 1;
    for (int i = 0; i < 2; i++) {
        v = NULL;
        ok &= kine_thread_join(runners[i], &v) == 0 && v == (void *)(uintptr_t)(i + 1);
    }
    return ok;
}

/* ---- errors: every wrong request gets its error ---- */

static int64_t raw_create(uint64_t pc, uint64_t sp, uint64_t arg)
{
    struct kine_msg m = { .tag = kine_tag(PGR_THREAD_CREATE, 0), .mr = { pc, sp, arg } };
    int64_t r = kine_call(kine_pager_tid(), &m);
    return r < 0 ? r : (int64_t)m.mr[0];
}

static volatile int64_t rival_target;
static volatile int64_t rival_res[2];  /* each rival's join of the target */
static volatile int rivals_left;        /* joins not returned yet */

/* Two rivals join one thread: whichever join comes second is refused
 * (EINVAL) at once, the other waits for the thread's end.  Which comes
 * first is the harts' choice (with several, either may be). */
static void *joins_rival_target(void *arg)
{
    int self = (int)(uintptr_t)arg;
    rival_res[self] = kine_thread_join(rival_target, NULL);
    __atomic_fetch_sub(&rivals_left, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *join_main(void *arg)
{
    (void)arg;
    return (void *)(uintptr_t)-kine_thread_join(KINE_THREAD_MAIN, NULL);
}

static volatile int64_t cyc_a, cyc_b;
static volatile int64_t cyc_res[2];  /* A's join of B, B's join of A */
static volatile int cyc_left;         /* joins not returned yet */

/* A joins B and B joins A: whichever join comes second closes the cycle
 * and gets EDEADLK; its thread ends, which ends the other join.  On one
 * hart A is first; on several either may be. */
static void *joins_other_of_pair(void *arg)
{
    int self = (int)(uintptr_t)arg;
    while (!cyc_a || !cyc_b)
        kine_yield();
    if (self == 1)
        for (int i = 0; i < 10; i++)
            kine_yield();            /* let A be first, where it can */
    cyc_res[self] = kine_thread_join(self == 0 ? cyc_b : cyc_a, NULL);
    __atomic_fetch_sub(&cyc_left, 1, __ATOMIC_SEQ_CST);
    return (void *)(intptr_t)cyc_res[self];
}

static int errors(void)
{
    struct kine_tally t = { 0, 0 };
    static char small[1024] __attribute__((aligned(16)));
    int64_t h[KINE_THREADS_MAX];
    unsigned n = 0;
    void *v;
    kine_expect(&t, "join self", kine_thread_join(KINE_THREAD_MAIN, NULL), -KINE_EDEADLK);
    kine_expect(&t, "join nobody", kine_thread_join(12345, NULL), -KINE_ESRCH);
    kine_expect(&t, "join 0", kine_thread_join(0, NULL), -KINE_ESRCH);
    kine_expect(&t, "join -1", kine_thread_join(-1, NULL), -KINE_ESRCH);
    kine_expect(&t, "no fn", kine_thread_create(NULL, NULL, NULL), -KINE_EINVAL);
    struct kine_stack tiny = { small, sizeof(small) };
    kine_expect(&t, "stack too small", kine_thread_create(until_stopped, NULL, &tiny), -KINE_EINVAL);
    struct kine_stack wrap = { (void *)~0xfffUL, KINE_THREAD_STACK_DEFAULT };
    kine_expect(&t, "wrapping stack", kine_thread_create(until_stopped, NULL, &wrap), -KINE_EINVAL);
    uint64_t text = (uint64_t)until_stopped, data = (uint64_t)(small + sizeof(small));
    kine_expect(&t, "stack in text", raw_create(text, KINE_PAGE_DOWN(text) + KINE_PAGE_SIZE, 0),
                -KINE_EFAULT);
    kine_expect(&t, "unmapped stack", raw_create(text, UNMAPPED_VA, 0), -KINE_EFAULT);
    kine_expect(&t, "stack in the gap", raw_create(text, KINE_STACK_BOTTOM, 0), -KINE_EFAULT);
    kine_expect(&t, "stack over IPC buffers", raw_create(text, KINE_IPCBUF_VA, 0), -KINE_EFAULT);
    kine_expect(&t, "pc in data", raw_create(data - 16, data, 0), -KINE_EFAULT);
    kine_expect(&t, "pc unmapped", raw_create(UNMAPPED_VA, data, 0), -KINE_EFAULT);
    kine_expect(&t, "pc odd", raw_create(text + 1, data, 0), -KINE_EFAULT);
    kine_expect(&t, "pc kernel", raw_create(KINE_KERNEL_BASE, data, 0), -KINE_EFAULT);
    kine_expect(&t, "sp misaligned", raw_create(text, data - 8, 0), -KINE_EFAULT);
    kine_expect(&t, "sp 0", raw_create(text, 0, 0), -KINE_EFAULT);
    kine_expect(&t, "sp huge", raw_create(text, ~0UL & ~15UL, 0), -KINE_EFAULT);
    {
        struct kine_msg m = { .tag = kine_tag(PGR_THREAD_EXIT, 0), .mr = { 0 } };
        int64_t r = kine_call(kine_pager_tid(), &m);
        kine_expect(&t, "main thread's exit", r < 0 ? r : (int64_t)m.mr[0], -KINE_EINVAL);
    }
    /* the quota: the main thread and KINE_THREADS_MAX - 1 more */
    stop = 0;
    for (n = 0; n < KINE_THREADS_MAX; n++) {
        h[n] = kine_thread_create(until_stopped, (void *)(uintptr_t)n, NULL);
        if (h[n] < 0)
            break;
    }
    kine_expect(&t, "threads before the quota", n, KINE_THREADS_MAX - 1);
    kine_expect(&t, "one too many", n < KINE_THREADS_MAX ? h[n] : 0, -KINE_EAGAIN);
    stop = 1;
    /* a thread ended but not joined still counts; joined, it does not */
    kine_expect(&t, "join first", kine_thread_join(h[0], &v), 0);
    kine_expect(&t, "its value", (int64_t)(uintptr_t)v, 0);
    kine_expect(&t, "join twice", kine_thread_join(h[0], &v), -KINE_ESRCH);
    int64_t again = kine_thread_create(ends_at_once, (void *)7, NULL);
    kine_expect(&t, "room again after a join", again > 0, 1);
    for (unsigned i = 1; i < n; i++)
        kine_expect(&t, "join the rest", kine_thread_join(h[i], NULL), 0);
    kine_expect(&t, "join one that ended long ago", kine_thread_join(again, &v), 0);
    kine_expect(&t, "its value", (int64_t)(uintptr_t)v, 7);
    /* a thread may not join main; a second joiner is refused; A joins B
     * joins A is a deadlock */
    int64_t jm = kine_thread_create(join_main, NULL, NULL);
    kine_expect(&t, "a thread joining main", kine_thread_join(jm, &v), 0);
    kine_expect(&t, "... gets EINVAL", (int64_t)(uintptr_t)v, KINE_EINVAL);
    stop = 0;
    rivals_left = 2;
    rival_target = kine_thread_create(until_stopped, NULL, NULL);
    int64_t rivals[2];
    for (int i = 0; i < 2; i++)
        rivals[i] = kine_thread_create(joins_rival_target, (void *)(uintptr_t)i, NULL);
    while (rival_target > 0 && rivals[0] > 0 && rivals[1] > 0 && rivals_left == 2)
        kine_yield();                /* the second join is refused at once */
    stop = 1;
    for (int i = 0; i < 2; i++)
        kine_expect(&t, "join the joiners", kine_thread_join(rivals[i], NULL), 0);
    int second = rival_res[0] == -KINE_EINVAL ? 0 : 1;
    kine_expect(&t, "second joiner", rival_res[second], -KINE_EINVAL);
    kine_expect(&t, "the first joiner's join", rival_res[!second], 0);
    kine_expect(&t, "joined by the first", kine_thread_join(rival_target, NULL), -KINE_ESRCH);
    /* A joins B and B joins A: the join that closes the cycle (B's on one
     * hart) gets EDEADLK and the other ends normally, joined */
    cyc_a = cyc_b = 0;
    cyc_left = 2;
    int64_t pair[2];
    pair[0] = kine_thread_create(joins_other_of_pair, (void *)0, NULL);
    cyc_a = pair[0];
    pair[1] = kine_thread_create(joins_other_of_pair, (void *)1, NULL);
    cyc_b = pair[1];
    while (pair[0] > 0 && pair[1] > 0 && cyc_left)
        kine_yield();
    int closer = cyc_res[0] == -KINE_EDEADLK ? 0 : 1;
    kine_expect(&t, "one join closes the cycle: EDEADLK", cyc_res[closer], -KINE_EDEADLK);
    kine_expect(&t, "the other join ends normally", cyc_res[!closer], 0);
    kine_expect(&t, "the thread that joined, joined by main", kine_thread_join(pair[!closer], &v), 0);
    kine_expect(&t, "... with its join's result", (int64_t)(intptr_t)v, 0);
    kine_expect(&t, "the closer was joined already", kine_thread_join(pair[closer], NULL),
                -KINE_ESRCH);
    if (t.failed)
        printf("errors: %d of %d checks failed\n", t.failed, t.failed + t.passed);
    return t.failed == 0;
}

/* ---- churn: threads come and go; with a stack of the caller's too ---- */

static void *say(void *arg)
{
    return arg;
}

static int churn(void)
{
    int ok = 1;
    static char stack[KINE_THREAD_STACK_DEFAULT] __attribute__((aligned(16)));
    struct kine_stack mine = { stack, sizeof(stack) };
    for (unsigned i = 0; i < CHURN && ok; i++) {
        void *v = NULL;
        int64_t h = kine_thread_create(say, (void *)(uintptr_t)i, i % 2 ? &mine : NULL);
        ok &= h > 0 && kine_thread_join(h, &v) == 0 && v == (void *)(uintptr_t)i;
    }
    return ok;
}

/* ---- the end of a process ends all its threads ---- */

/* Threads that never end by themselves: spinning, sleeping, reading a
 * pipe nobody writes, joining one that never ends. */
static int rd_fd = -1;

static void *spin(void *arg)
{
    for (;;)
        kine_yield();
    return arg;
}

static void *sleeper(void *arg)
{
    kine_sleep_ticks(FOREVER_TICKS);
    return arg;
}

static void *reader(void *arg)
{
    char c;
    (void)read(rd_fd, &c, 1);
    return arg;
}

static void *joiner(void *arg)
{
    kine_thread_join((int64_t)(uintptr_t)arg, NULL);
    return NULL;
}

static void *exits_process(void *arg)
{
    exit((int)(uintptr_t)arg);
}

static void *faults(void *arg)
{
    *(volatile uint64_t *)arg = 1;   /* unmapped: the pager kills the process */
    return NULL;
}

static int start_stuck_threads(void)
{
    int p[2];
    if (pipe(p) != 0)
        return 0;
    rd_fd = p[0];
    int64_t s = kine_thread_create(spin, NULL, NULL);
    int ok = s > 0 && kine_thread_create(sleeper, NULL, NULL) > 0 &&
             kine_thread_create(reader, NULL, NULL) > 0 &&
             kine_thread_create(joiner, (void *)(uintptr_t)s, NULL) > 0;
    for (int i = 0; i < 10; i++)
        kine_yield();                /* each is in its wait */
    return ok;
}

/* how: 0 main returns, 1 a thread calls exit, 2 killed by the parent,
 * 3 a thread's bad access */
static int process_end(int how)
{
    int ready[2];
    if (pipe(ready) != 0)
        return 0;
    pid_t c = fork();
    if (c < 0)
        return 0;
    if (c == 0) {
        close(ready[0]);
        int ok = start_stuck_threads();
        if (write(ready[1], ok ? "y" : "n", 1) != 1 || !ok)
            _exit(1);
        if (how == 1) {
            if (kine_thread_create(exits_process, (void *)(uintptr_t)THREAD_EXIT, NULL) < 0)
                _exit(1);
            kine_sleep_ticks(FOREVER_TICKS);
        }
        if (how == 2)
            kine_sleep_ticks(FOREVER_TICKS);
        if (how == 3) {
            if (kine_thread_create(faults, (void *)UNMAPPED_VA, NULL) < 0)
                _exit(1);
            kine_sleep_ticks(FOREVER_TICKS);
        }
        exit(EXIT_CODE);             /* threads still running */
    }
    close(ready[1]);
    char got = 0;
    int ws = 0, ok = read(ready[0], &got, 1) == 1 && got == 'y';
    close(ready[0]);
    if (how == 2)
        ok &= kill(c, SIGKILL) == 0;
    ok &= waitpid(c, &ws, 0) == c;
    if (how == 2)
        return ok && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL;
    if (how == 3)
        return ok && WIFSIGNALED(ws) && WTERMSIG(ws) == KINE_WSTATUS_KILLED;
    return ok && WIFEXITED(ws) && WEXITSTATUS(ws) == (how == 1 ? THREAD_EXIT : EXIT_CODE);
}

static int exit_from_main(void) { return process_end(0); }
static int exit_from_thread(void) { return process_end(1); }
static int killed(void) { return process_end(2); }
static int thread_fault(void) { return process_end(3); }

/* ---- fork from a thread: the child is a copy of that thread alone ---- */

#define FORK_MARK 0xf0f0
static volatile uint64_t shared_word;

static void *forker(void *arg)
{
    (void)arg;
    shared_word = FORK_MARK;
    pid_t c = fork();
    if (c < 0)
        return (void *)1;
    if (c == 0) {
        /* one thread here; libsys still works: IPC buffer, malloc, threads */
        int ok = shared_word == FORK_MARK && pages_hold(0);
        shared_word = 0;             /* never seen by the parent */
        fill_pages(1);
        void *v = NULL;
        int64_t h = kine_thread_create(say, (void *)3, NULL);
        ok &= h > 0 && kine_thread_join(h, &v) == 0 && v == (void *)3;
        char *p = malloc(100);
        ok &= p != NULL;
        free(p);
        _exit(ok ? EXIT_CODE : 1);
    }
    int ws = 0;
    if (waitpid(c, &ws, 0) != c || !WIFEXITED(ws) || WEXITSTATUS(ws) != EXIT_CODE)
        return (void *)2;
    return shared_word == FORK_MARK ? NULL : (void *)4;
}

static void *page_writer(void *arg)
{
    (void)arg;
    while (!stop) {
        fill_pages(0);               /* writing while the other thread forks */
        if (!pages_hold(0))
            return (void *)1;
        kine_yield();
    }
    return NULL;
}

static int fork_from_thread(void)
{
    heap = malloc(NTHREADS * PAGES_EACH * KINE_PAGE_SIZE);
    if (!heap)
        return 0;
    fill_pages(0);
    fill_pages(1);
    memset(page_of(1, 0), 0, KINE_PAGE_SIZE);    /* the child writes 1: the parent must not see it */
    stop = 0;
    int64_t w = kine_thread_create(page_writer, NULL, NULL);
    int64_t f = kine_thread_create(forker, NULL, NULL);
    void *vf = (void *)-1, *vw = (void *)-1;
    int ok = f > 0 && kine_thread_join(f, &vf) == 0 && vf == NULL;
    stop = 1;
    ok &= w > 0 && kine_thread_join(w, &vw) == 0 && vw == NULL;
    ok &= page_of(1, 0)[0] == 0 && pages_hold(0);
    free(heap);
    return ok;
}

/* ---- exec from a thread ends the others ---- */

static void *execer(void *arg)
{
    (void)arg;
    char *const args[] = { "threadtest", "image", NULL };
    execv("threadtest", args);
    _exit(1);                        /* the exec failed */
}

static int exec_from_thread(void)
{
    pid_t c = fork();
    if (c < 0)
        return 0;
    if (c == 0) {
        if (!start_stuck_threads())
            _exit(1);
        if (kine_thread_create(execer, NULL, NULL) < 0)
            _exit(1);
        kine_sleep_ticks(FOREVER_TICKS);
        _exit(2);
    }
    int ws = 0;
    return waitpid(c, &ws, 0) == c && WIFEXITED(ws) && WEXITSTATUS(ws) == EXEC_CODE;
}

#define SCENARIO(fn) static int s_##fn(void) { return with_baseline(#fn, fn); }
SCENARIO(pages)
SCENARIO(ipc)
SCENARIO(per_thread_errno)
SCENARIO(early_exit)
SCENARIO(errors)
SCENARIO(churn)
SCENARIO(exit_from_main)
SCENARIO(exit_from_thread)
SCENARIO(killed)
SCENARIO(thread_fault)
SCENARIO(fork_from_thread)
SCENARIO(exec_from_thread)

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "image") == 0)
        return EXEC_CODE;            /* the image a thread exec'ed: one thread again */
    static const struct kine_scenario tests[] = {
        { "pages", s_pages }, { "ipc", s_ipc }, { "errno", s_per_thread_errno },
        { "early", s_early_exit }, { "errors", s_errors }, { "churn", s_churn },
        { "exitmain", s_exit_from_main }, { "exitthread", s_exit_from_thread },
        { "kill", s_killed }, { "fault", s_thread_fault }, { "fork", s_fork_from_thread }, { "exec", s_exec_from_thread },
    };
    int failed = kine_run_scenarios(tests, (int)(sizeof(tests) / sizeof(tests[0])));
    printf(failed ? "%d THREAD TESTS FAILED\n" : "ALL THREAD TESTS PASSED\n", failed);
    return failed ? 1 : 0;
}
