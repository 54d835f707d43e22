/* Processes: spawning a program from the boot image, fork, exit and kill
 * (every frame comes back), wait, and the heap break.  A process is one
 * address space with one thread or more (thread.c); the kernel knows
 * neither pids nor parents.
 * What memory a process gets, and when, is the policy's business, except
 * for driver tasks (driver.c): pid 0, no parent, a small stack, and every
 * page filled before they run, whatever the policy, so they never fault. */
#include <string.h>
#include "pager.h"
#include "image.h"
#include <kinelib/elf.h>
#include <stdlib.h>
#include <kine/status.h>

/* Page-table pages a process may hold by default: enough to map the whole
 * pool in 2 MiB pieces, plus the upper levels and some slack. */
#define TABLE_SLACK 16
#define PAGES_PER_TABLE (KINE_PAGE_SIZE / sizeof(uint64_t))
#define WSTATUS_SIGNAL_MASK 0x7f

static const struct pager_ops *const ops = &pager_ops;

/* Every message carries its sender's tid, which may be any of a process's
 * threads (thread.c finds it). */
struct proc *proc_by_tid(kine_tid_t tid)
{
    struct thread *t = thread_by_tid(tid);
    return t ? t->proc : NULL;
}

struct proc *proc_by_pid(int pid)
{
    for_each_proc(p)
        if (p->state != P_FREE && p->pid == pid)
            return p;
    return NULL;
}

/* How many processes can exist is set by memory, not a table: each one
 * reserves, out of the kernel's free object memory, what its thread, its
 * address space and its page tables may ever take.  The kernel holds each
 * space to its table quota, so a process that spreads its pages too thin
 * fails alone, and the reservations guarantee that nobody else can. */
void proc_limits_init(void)
{
    int64_t free_pages = kine_kmem_info();
    uint64_t pager_tables = pg.bi->pool_frames / PAGES_PER_TABLE + TABLE_SLACK;
    if (!pg.table_limit)
        pg.table_limit = pg.bi->pool_frames / PAGES_PER_TABLE + TABLE_SLACK;
    if (pg.table_limit > KINE_AS_TABLES_MAX)
        pg.table_limit = KINE_AS_TABLES_MAX;
    /* keep back what the pager's own heap may need in page tables */
    pg.kmem_budget = (uint64_t)free_pages > pager_tables ? (uint64_t)free_pages - pager_tables : 0;
}

/* Forget p; what it counted stays in the core's figures (retired). */
static void proc_free(struct proc *p)
{
    mm_counters_add(&pg.retired, &p->mm.stats);
    if (pg.serving == p)
        pg.serving = NULL;
    if (pg.serving_thread && pg.serving_thread->proc == p)
        pg.serving_thread = NULL;
    for (struct proc **pp = &pg.procs; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    free(p);
}

uint64_t proc_kmem_pages(void)
{
    return pg.table_limit + KINE_KMEM_SPACE_PAGES + KINE_KMEM_THREAD_PAGES;
}

/* p's first thread, the head of its list: handle 1, nothing awaited. */
static void main_thread_init(struct proc *p)
{
    p->main = (struct thread){ .proc = p, .tid = p->tid, .handle = KINE_THREAD_MAIN };
    p->nthreads = 1;
    p->thread_slots = 0;
    p->next_handle = KINE_THREAD_MAIN + 1;
}

/* Give p a new address space (under its table quota) and a stopped
 * thread, with the kernel memory they may take reserved.  Every process
 * but init and the drivers is subject to kernel fault injection. */
static int64_t make_kernel_objects(struct proc *p, bool inject)
{
    uint64_t kmem = proc_kmem_pages();
    if (pg.kmem_reserved + kmem > pg.kmem_budget)
        return -KINE_EAGAIN;
    int64_t as = kine_as_create(pg.table_limit, inject ? KINE_AS_INJECT : 0);
    int64_t tid = as < 0 ? as : kine_sys_thread_create((kine_as_t)as, KINE_IPCBUF_VA);
    if (tid < 0) {
        if (as >= 0)
            kine_as_destroy((kine_as_t)as);
        return tid;
    }
    bool pinned = p->mm.pinned;      /* set by proc_alloc: init and drivers stay resident */
    memset(&p->mm, 0, sizeof(p->mm));
    p->mm.pinned = pinned;
    p->mm.as = (kine_as_t)as;
    p->mm.pm.alloc = &pm_frame_alloc;
    p->tid = (kine_tid_t)tid;
    p->kmem_pages = kmem;
    main_thread_init(p);
    pg.kmem_reserved += kmem;
    return 0;
}

/* Destroy p's address space (its thread with it) and give the reservation
 * back; its pages are the policy's to release. */
static void drop_kernel_objects(struct proc *p)
{
    if (p->mm.as)
        kine_as_destroy(p->mm.as);
    p->mm.as = 0;
    p->tid = 0;
    pg.kmem_reserved -= p->kmem_pages;
    p->kmem_pages = 0;
}

/* May parent have one child more (CHILDREN_MAX)? */
static bool room_for_child(int ppid)
{
    int n = 0;
    if (ppid == 0 || ppid == INIT_PID)
        return true;
    for_each_proc(q)
        n += q->ppid == ppid;
    return n < CHILDREN_MAX;
}

/* A fresh process with its address space and stopped thread, or an error. */
static int64_t proc_new(struct proc **out, const char *name, int ppid, bool driver)
{
    if (!room_for_child(ppid))
        return -KINE_EAGAIN;
    struct proc *p = calloc(1, sizeof(*p));
    if (!p)
        return -KINE_ENOMEM;
    int64_t err = make_kernel_objects(p, !driver && pg.next_pid != INIT_PID);
    if (err) {
        free(p);
        return err;
    }
    thread_insert(&p->main);
    p->driver = driver;
    p->pid = driver ? DRIVER_PID : pg.next_pid++;
    /* never paged out: a driver never faults, and init reaps everyone and
     * gives the verdict, so no disk error may take it */
    p->mm.pinned = driver || p->pid == INIT_PID;
    p->ppid = ppid;
    strncpy(p->name, name, KINE_NAME_MAX);
    p->state = P_LIVE;
    struct proc **tail = &pg.procs;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
    *out = p;
    return 0;
}

static void set_policy(struct proc *p, const struct policy *pol)
{
    p->policy = pol;
    p->env = policy_env(pol);
}

/* The end of every policy hook: what it queued is sent to the kernel if it
 * succeeded, rolled back if it failed (mm.c).  0 or the error. */
static int settle_hook(int err)
{
    if (err) {
        mm_abort(ops);
        return err;
    }
    return mm_commit(ops);
}

/* Give back everything the process holds: kernel objects (every thread
 * goes with the address space), frames, pipes. */
static void teardown(struct proc *p)
{
    if (p->driver && p->tid)
        driver_exited(p);
    if (p->main.tid)
        thread_remove(&p->main);
    thread_unblock(&p->main);        /* before closing: nothing to answer here */
    threads_drop_others(p);
    drop_kernel_objects(p);
    p->main.tid = 0;
    policy_release(p->policy, p->env, &p->mm);
    memset(&p->mm.regions, 0, sizeof(p->mm.regions));
    fds_close_all(p);
}

/* Abandon a process that never ran. */
static int64_t discard(struct proc *p, int64_t err)
{
    teardown(p);
    proc_free(p);
    return err;
}

/* A region for each segment, backed by the program file; the policy decides
 * when its pages are filled (grow), as for every other region. */
static int add_segments(struct proc *p, const uint8_t *elf, const struct elf_program *prog)
{
    for (unsigned i = 0; i < prog->nseg; i++) {
        const struct elf_segment *sg = &prog->seg[i];
        uint64_t start = KINE_PAGE_DOWN(sg->vaddr), end = KINE_PAGE_UP(sg->vaddr + sg->memsz);
        struct region *r;
        int err = region_add(&p->mm.regions, start, end, sg->rights,
                             (sg->rights & KINE_RIGHT_X) ? REGION_TEXT : REGION_DATA, &r);
        if (err)
            return err;
        r->file = elf + sg->offset;
        r->file_va = sg->vaddr;
        r->file_len = sg->filesz;
        if (end > p->heap_start)
            p->heap_start = end;
    }
    return 0;
}

/* The top stack page, which only the core can fill: argument strings,
 * argv[], then the startinfo a0 points at.  Returns the startinfo address
 * (the initial sp), or an error. */
static int64_t build_stack(struct proc *p, int argc, char *argv[])
{
    uint64_t base = KINE_STACK_TOP - KINE_PAGE_SIZE, pos = KINE_PAGE_SIZE;
    uint64_t argv_va[KINE_ARGV_MAX + 1];
    int64_t f = ops->alloc();
    if (f < 0)
        return f;
    uint8_t *page = frame_ptr((uint32_t)f);
    memset(page, 0, KINE_PAGE_SIZE);
    for (int i = argc - 1; i >= 0; i--) {
        size_t l = strlen(argv[i]) + 1;
        pos -= l;
        memcpy(page + pos, argv[i], l);
        argv_va[i] = base + pos;
    }
    argv_va[argc] = 0;
    pos = ((pos & ~15UL) - (uint64_t)(argc + 1) * 8) & ~15UL;
    memcpy(page + pos, argv_va, (uint64_t)(argc + 1) * 8);
    uint64_t argv_addr = base + pos;
    pos = (pos - sizeof(struct kine_startinfo)) & ~15UL;
    struct kine_startinfo si = {
        .argc = (uint64_t)argc, .argv = argv_addr, .pager_tid = pg.bi->self_tid,
        .self_tid = p->tid, .pid = (uint64_t)p->pid, .ipcbuf_va = KINE_IPCBUF_VA,
        .timebase_hz = pg.bi->timebase_hz,
    };
    memcpy(page + pos, &si, sizeof(si));
    int err = mm_install(p->env, &p->mm, base, (uint32_t)f,
                         KINE_RIGHT_R | KINE_RIGHT_W, 0);
    return err ? err : (int64_t)(base + pos);
}

/* Region r is new (old_end == r->start) or grew from old_end: the policy
 * fills what it wants filled now; for a driver, everything is. */
static int grow(struct proc *p, const struct region *r, uint64_t old_end)
{
    if (p->driver)
        return settle_hook(mm_populate(p->env, &p->mm, r, old_end));
    return settle_hook(p->policy->grow(p->env, &p->mm, r, old_end));
}

/* Lay out a new program: its segments, a stack holding its arguments and
 * an empty heap; then each region grows into place. */
static int64_t load_program(struct proc *p, const uint8_t *elf, const struct elf_program *prog,
                            int argc, char *argv[])
{
    struct region *stack, *heap;
    uint64_t stack_bottom = KINE_STACK_TOP - (p->driver ? DRIVER_STACK_SIZE : KINE_STACK_SIZE);
    int err = add_segments(p, elf, prog);
    if (!err)
        err = region_add(&p->mm.regions, stack_bottom, KINE_STACK_TOP,
                         KINE_RIGHT_R | KINE_RIGHT_W, REGION_STACK, &stack);
    if (!err)
        err = region_add(&p->mm.regions, p->heap_start, p->heap_start,
                         KINE_RIGHT_R | KINE_RIGHT_W, REGION_HEAP, &heap);
    p->brk = p->heap_start;
    int64_t sp = err ? err : build_stack(p, argc, argv);
    for (unsigned i = 0; sp >= 0 && i < p->mm.regions.n; i++) {
        const struct region *r = &p->mm.regions.r[i];
        int e2 = grow(p, r, r->start);
        if (e2)
            sp = e2;
    }
    return sp;
}

/* The program argv[0] names, checked: 0, or why it cannot be run for a
 * request from `by` (NULL: the pager itself, starting init). */
static int64_t find_program(const struct proc *by, int argc, char *argv[], const uint8_t **elf,
                            struct elf_program *prog)
{
    const void *image;
    uint64_t size;
    const char *why = "";
    if (argc > KINE_ARGV_MAX)
        return -KINE_E2BIG;
    if (by && (strcmp(argv[0], "init") == 0 || driver_name(argv[0])))
        return -KINE_EPERM;                  /* only the pager starts init and drivers */
    if (strcmp(argv[0], "pager") == 0 ||
        image_find((const void *)pg.bi->image_va, pg.bi->image_size, argv[0], &image, &size))
        return -KINE_ENOENT;
    if (elf_check(image, size, KINE_USER_BASE, KINE_HEAP_LIMIT, prog, &why)) {
        pager_log("cannot load %s: %s", argv[0], why);
        return -KINE_ENOEXEC;
    }
    *elf = image;
    return 0;
}

/* Page-map nodes (pagemap.h) over `pages` pages of one region, at most:
 * a leaf per 2 MiB they touch, and a mid above them. */
#define PM_LEAF_PAGES 512
static uint64_t region_nodes(uint64_t pages)
{
    return (pages + PM_LEAF_PAGES - 1) / PM_LEAF_PAGES + 2;
}

uint64_t proc_image_frames(const char *name)
{
    const uint8_t *elf;
    struct elf_program prog;
    char *argv[] = { (char *)name };
    if (find_program(NULL, 1, argv, &elf, &prog))
        return 0;
    uint64_t stack = KINE_STACK_SIZE / KINE_PAGE_SIZE, frames = stack + region_nodes(stack);
    for (unsigned i = 0; i < prog.nseg; i++) {
        const struct elf_segment *sg = &prog.seg[i];
        uint64_t pages = (KINE_PAGE_UP(sg->vaddr + sg->memsz) - KINE_PAGE_DOWN(sg->vaddr)) /
                         KINE_PAGE_SIZE;
        frames += pages + region_nodes(pages);
    }
    return frames;
}

/* Start argv[0] for parent (NULL: the pager); setup, if given, prepares it
 * before its thread runs. */
static int64_t spawn(struct proc *parent, int argc, char *argv[], const struct policy *pol,
                     bool driver, int64_t (*setup)(struct proc *, void *), void *ctx,
                     kine_tid_t *tid_out)
{
    const uint8_t *elf;
    struct elf_program prog;
    struct proc *p;
    int64_t err = find_program(parent, argc, argv, &elf, &prog);
    if (err)
        return err;
    err = proc_new(&p, argv[0], parent ? parent->pid : 0, driver);
    if (err)
        return err;
    set_policy(p, pol ? pol : parent ? parent->policy : pg.policy);
    p->ignore_intr = parent && parent->ignore_intr;
    fds_init(p);
    int64_t sp = load_program(p, elf, &prog, argc, argv);
    err = sp < 0 ? sp : setup ? setup(p, ctx) : 0;
    if (!err)
        err = kine_sys_thread_start(p->tid, prog.entry, (uint64_t)sp, (uint64_t)sp, 0);
    if (err)
        return discard(p, err);
    if (tid_out)
        *tid_out = p->tid;
    return p->pid;
}

int64_t proc_spawn(struct proc *parent, int argc, char *argv[], const struct policy *pol,
                   kine_tid_t *tid_out)
{
    return spawn(parent, argc, argv, pol, false, NULL, NULL, tid_out);
}

int64_t proc_spawn_driver(int argc, char *argv[], int64_t (*setup)(struct proc *, void *),
                          void *ctx, kine_tid_t *tid_out)
{
    return spawn(NULL, argc, argv, pg.policy, true, setup, ctx, tid_out);
}

/* Replace p's image.  The new one is built beside the old, in an address
 * space of its own; until it is complete any error leaves p as it was.
 * Then (the point of no return) the old space goes and the new one takes
 * its place under the same pid, parent, descriptors and policy. */
int64_t proc_exec(struct proc *p, int argc, char *argv[])
{
    const uint8_t *elf;
    struct elf_program prog;
    struct proc next = { .pid = p->pid, .driver = p->driver };
    set_policy(&next, p->policy);
    int64_t err = find_program(p, argc, argv, &elf, &prog);
    if (!err)
        err = make_kernel_objects(&next, !p->driver && p->pid != INIT_PID);
    if (err)
        return err;
    next.mm.pinned = p->mm.pinned;   /* init stays resident in its new image too */
    next.mm.stats = p->mm.stats;     /* its counters go on, the work of a failed try included */
    int64_t sp = load_program(&next, elf, &prog, argc, argv);
    p->mm.stats = next.mm.stats;
    if (sp < 0) {
        drop_kernel_objects(&next);
        policy_release(next.policy, next.env, &next.mm);
        return sp;
    }
    /* the point of no return: every thread of the old image goes with its
     * space, the caller's included; the new image runs one thread */
    thread_remove(&p->main);
    thread_unblock(&p->main);
    threads_drop_others(p);
    drop_kernel_objects(p);
    policy_release(p->policy, p->env, &p->mm);
    p->mm = next.mm;
    p->tid = next.tid;
    main_thread_init(p);
    p->kmem_pages = next.kmem_pages;
    p->heap_start = next.heap_start;
    p->brk = next.brk;
    strncpy(p->name, argv[0], KINE_NAME_MAX);
    thread_insert(&p->main);
    if (kine_sys_thread_start(p->tid, prog.entry, (uint64_t)sp, (uint64_t)sp, 0) < 0)
        proc_kill(p, "cannot start the new image", prog.entry);
    return 0;
}

/* True if a is d or one of d's ancestors. */
static bool ancestor_or_self(const struct proc *a, const struct proc *d)
{
    for (const struct proc *q = d; q; q = q->ppid ? proc_by_pid(q->ppid) : NULL)
        if (q == a)
            return true;
    return false;
}

int64_t proc_signal(struct proc *by, int64_t pid, uint64_t sig)
{
    if (sig != KINE_SIGKILL && sig != KINE_SIGTERM && sig != KINE_SIGNONE)
        return -KINE_EINVAL;
    struct proc *t = pid > 0 && pid <= INT32_MAX ? proc_by_pid((int)pid) : NULL;
    if (!t)
        return -KINE_ESRCH;
    if (!ancestor_or_self(by, t))
        return -KINE_EPERM;
    if (t->state == P_LIVE && sig != KINE_SIGNONE)   /* 0: may it be signalled? */
        proc_exit(t, KINE_WSTATUS_SIGNALED(sig));
    return 0;
}

int64_t proc_fork(struct proc *parent, uint64_t ctx_va, uint64_t entry)
{
    const struct region *rc = region_find(&parent->mm.regions, ctx_va);
    const struct region *re = region_find(&parent->mm.regions, entry);
    if (!rc || !(rc->rights & KINE_RIGHT_W) || (ctx_va & 15) ||
        !re || !(re->rights & KINE_RIGHT_X))
        return -KINE_EFAULT;
    struct proc *c;
    int64_t err = proc_new(&c, parent->name, parent->pid, false);
    if (err)
        return err;
    set_policy(c, parent->policy);
    c->ignore_intr = parent->ignore_intr;
    c->heap_start = parent->heap_start;
    c->brk = parent->brk;
    err = settle_hook(c->policy->fork(c->env, &parent->mm, &c->mm));
    if (err)
        return discard(c, err);
    fds_inherit(c, parent);
    err = kine_sys_thread_start(c->tid, entry, ctx_va, ctx_va, 0);
    if (err)
        return discard(c, err);
    return c->pid;
}

static uint64_t exit_code(uint64_t wstatus)
{
    return (wstatus & WSTATUS_SIGNAL_MASK) ? KINE_EXIT_SIGNALED + (wstatus & WSTATUS_SIGNAL_MASK)
                                           : (wstatus >> 8) & 0xff;
}

static bool wait_matches(const struct thread *w, const struct proc *child)
{
    return w->blocked == B_WAIT && child->ppid == w->proc->pid &&
           (w->wait_pid == -1 || w->wait_pid == child->pid);
}

/* The thread of parent waiting for child, if one is. */
static struct thread *waiter_for(struct proc *parent, const struct proc *child)
{
    for (struct thread *w = &parent->main; w; w = w->next)
        if (wait_matches(w, child))
            return w;
    return NULL;
}

static void reply_wait(struct thread *w, struct proc *child)
{
    struct kine_msg m;
    reply_status(&m, child->pid);
    m.mr[1] = child->wstatus;
    w->blocked = B_NONE;
    reply_later(w->tid, &m);
    proc_free(child);                    /* reaped */
}

static void power_off_after_init(uint64_t wstatus)
{
    struct kine_ledger l;
    struct kine_memstats ms;
    uint64_t pages, procs;
    int bad = ledger_fill(&l);
    uint64_t pte_bad = pte_check(&pages, &procs);
    memstats_fill(&ms);
    pager_log("init exited (status %lu); frames: %lu free, %lu used, %lu pager heap; ledger %s; "
              "page tables %s",
              (unsigned long)exit_code(wstatus), (unsigned long)l.frames_free,
              (unsigned long)l.frames_used, (unsigned long)l.pager_frames,
              bad ? "INCONSISTENT" : "consistent", pte_bad ? "DISAGREE" : "agree");
    pager_log("policy %s: %lu forks, %lu pages shared and %lu copied at fork, %lu COW copies, "
              "%lu COW reuses, %lu zero fills, %lu loaded, %lu killed, peak %lu frames",
              ms.policy, (unsigned long)ms.forks, (unsigned long)ms.pages_shared_at_fork,
              (unsigned long)ms.pages_copied_at_fork, (unsigned long)ms.faults_cow_copy,
              (unsigned long)ms.faults_cow_reuse, (unsigned long)ms.pages_zero_filled,
              (unsigned long)ms.pages_loaded, (unsigned long)ms.procs_killed,
              (unsigned long)ms.frames_peak);
    if (pg.fail_every)
        pager_log("fault injection: %lu frame allocations failed", (unsigned long)pg.injected);
    kine_sys_poweroff(bad || pte_bad ? KINE_EXIT_LEDGER_BAD : (int)exit_code(wstatus));
}

void proc_exit(struct proc *p, uint64_t wstatus)
{
    teardown(p);
    p->state = P_ZOMBIE;
    p->wstatus = wstatus;
    if (p->pid == INIT_PID)
        power_off_after_init(wstatus);
    struct proc *init = proc_by_pid(INIT_PID);
    for (struct proc *c = pg.procs, *next; c && !p->driver; c = next) {
        next = c->next;                  /* c may be reaped below */
        if (c->ppid != p->pid)
            continue;
        c->ppid = init ? INIT_PID : 0;   /* orphans go to init */
        struct thread *w = c->state == P_ZOMBIE && init ? waiter_for(init, c) : NULL;
        if (w)
            reply_wait(w, c);
        else if (c->state == P_ZOMBIE && !init)
            proc_free(c);
    }
    struct proc *parent = p->ppid ? proc_by_pid(p->ppid) : NULL;
    struct thread *w = parent && parent->state == P_LIVE ? waiter_for(parent, p) : NULL;
    if (!parent || parent->state != P_LIVE)
        proc_free(p);                    /* nobody will wait for it */
    else if (w)
        reply_wait(w, p);
}

void proc_kill(struct proc *p, const char *why, uint64_t addr)
{
    pager_log("killed %s pid %d: %s 0x%lx", p->name, p->pid, why, (unsigned long)addr);
    pg.stats.procs_killed++;
    proc_exit(p, KINE_WSTATUS_KILLED);
}

int64_t proc_wait(struct thread *t, int64_t pid, bool nohang, bool *deferred, uint64_t *wstatus)
{
    bool any = false;
    *deferred = false;
    if (pid < -1 || pid == 0)
        return -KINE_EINVAL;
    t->wait_pid = pid;
    t->blocked = B_WAIT;
    for_each_proc(c) {
        if (!wait_matches(t, c))
            continue;
        if (c->state == P_ZOMBIE) {
            int64_t cpid = c->pid;
            *wstatus = c->wstatus;
            proc_free(c);
            t->blocked = B_NONE;
            return cpid;
        }
        any = true;
    }
    if (!any || nohang) {
        t->blocked = B_NONE;
        return any ? 0 : -KINE_ECHILD;
    }
    *deferred = true;
    return 0;
}

int64_t proc_sbrk(struct proc *p, int64_t incr)
{
    struct region *h = region_of_kind(&p->mm.regions, REGION_HEAP);
    uint64_t old = p->brk;
    if (!h)
        return -KINE_ENOMEM;
    if (incr > (int64_t)KINE_USER_LIMIT || incr < -(int64_t)KINE_USER_LIMIT)
        return -KINE_ENOMEM;
    if (incr < 0 && (uint64_t)-incr > old - p->heap_start)
        return -KINE_EINVAL;                 /* below the start of the heap */
    uint64_t nbrk = old + (uint64_t)incr;
    uint64_t old_end = h->end, new_end = KINE_PAGE_UP(nbrk);
    struct policy_env *e = p->env;
    int err = region_set_end(&p->mm.regions, h, new_end, KINE_HEAP_LIMIT);
    if (err)
        return err;
    if (new_end > old_end) {
        err = grow(p, h, old_end);
        if (err) {
            /* what was sent before the failure goes too */
            mm_uninstall(e, &p->mm, old_end, new_end);
            region_set_end(&p->mm.regions, h, old_end, KINE_HEAP_LIMIT);   /* back: cannot fail */
            return err;
        }
    } else if (new_end < old_end) {
        policy_shrink(p->policy, e, &p->mm, h, old_end);
    }
    p->brk = nbrk;
    return (int64_t)old;
}
