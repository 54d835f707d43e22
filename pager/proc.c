/* Processes: spawning a program from the boot image, exit and kill (every
 * frame comes back), wait, and the heap break.  A process is one address
 * space with one thread; the kernel knows neither pids nor parents. */
#include <string.h>
#include "pager.h"
#include "image.h"
#include "lib/elf.h"

#define PAGE KINE_PAGE_SIZE
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))
#define PAGE_DOWN(x) ((x) & ~(PAGE - 1))
#define STACK_BOTTOM (KINE_STACK_TOP - KINE_STACK_SIZE)
#define HEAP_LIMIT (STACK_BOTTOM - PAGE)         /* keep a guard page */

struct proc *proc_by_tid(kine_tid_t tid)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (pg.procs[i].state == P_LIVE && pg.procs[i].tid == tid)
            return &pg.procs[i];
    return NULL;
}

struct proc *proc_by_pid(int pid)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (pg.procs[i].state != P_FREE && pg.procs[i].pid == pid)
            return &pg.procs[i];
    return NULL;
}

static int release_one(uint64_t va, uint32_t frame, uint32_t flags, void *ctx)
{
    (void)va; (void)flags; (void)ctx;
    if (frame_unref(&pg.frames, frame) < 0)
        pager_log("BUG: release of free frame %u", frame);
    return 0;
}

/* Give back everything the process holds: kernel objects, then frames. */
static void teardown(struct proc *p)
{
    if (p->as)
        kine_as_destroy(p->as);      /* destroys its thread too */
    p->as = 0;
    p->tid = 0;
    pm_foreach(&p->pm, release_one, NULL);
    pm_destroy(&p->pm);
    memset(&p->regions, 0, sizeof(p->regions));
    p->waiting = false;
    p->sleep_until = 0;
}

void proc_release_page(struct proc *p, uint64_t va)
{
    uint32_t f;
    if (pm_clear(&p->pm, va, &f))
        release_one(va, f, 0, NULL);
}

/* Allocate, fill and record one page of a new program. */
static int load_page(struct proc *p, struct map_batch *b, uint64_t va, unsigned rights,
                     const uint8_t *src, uint64_t src_off, uint64_t src_len)
{
    int64_t f = frame_alloc(&pg.frames);
    if (f < 0)
        return (int)f;
    uint8_t *dst = frame_ptr((uint32_t)f);
    memset(dst, 0, PAGE);
    if (src_len)
        memcpy(dst + src_off, src, src_len);
    int err = pm_set(&p->pm, va, (uint32_t)f, 0);
    if (err) {
        frame_unref(&pg.frames, (uint32_t)f);
        return err;
    }
    return batch_add(b, va, rights, (uint32_t)f);
}

static int load_segments(struct proc *p, struct map_batch *b, const uint8_t *elf,
                         const struct elf_program *prog)
{
    for (unsigned i = 0; i < prog->nseg; i++) {
        const struct elf_segment *sg = &prog->seg[i];
        uint64_t start = PAGE_DOWN(sg->vaddr), end = PAGE_UP(sg->vaddr + sg->memsz);
        int err = region_add(&p->regions, start, end, sg->rights,
                             (sg->rights & KINE_RIGHT_X) ? REGION_TEXT : REGION_DATA);
        if (err)
            return err;
        for (uint64_t va = start; va < end; va += PAGE) {
            /* the bytes of the file that land in this page */
            uint64_t lo = va > sg->vaddr ? va : sg->vaddr;
            uint64_t fend = sg->vaddr + sg->filesz;
            uint64_t hi = va + PAGE < fend ? va + PAGE : fend;
            uint64_t n = hi > lo ? hi - lo : 0;
            err = load_page(p, b, va, sg->rights, elf + sg->offset + (lo - sg->vaddr), lo - va, n);
            if (err)
                return err;
        }
        if (end > p->heap_start)
            p->heap_start = end;
    }
    return 0;
}

/* Build the top stack page: argument strings, argv[], then the startinfo
 * that a0 points at.  Returns the startinfo address (the initial sp). */
static int64_t build_stack(struct proc *p, struct map_batch *b, int argc, char *argv[])
{
    uint8_t page[PAGE];
    uint64_t top = KINE_STACK_TOP, pos = PAGE;
    uint64_t argv_va[KINE_ARGV_MAX + 1];
    memset(page, 0, sizeof(page));
    for (int i = argc - 1; i >= 0; i--) {
        size_t l = strlen(argv[i]) + 1;
        pos -= l;
        memcpy(page + pos, argv[i], l);
        argv_va[i] = top - PAGE + pos;
    }
    argv_va[argc] = 0;
    pos &= ~15UL;
    pos = (pos - (uint64_t)(argc + 1) * 8) & ~15UL;
    memcpy(page + pos, argv_va, (uint64_t)(argc + 1) * 8);
    uint64_t argv_addr = top - PAGE + pos;
    pos = (pos - sizeof(struct kine_startinfo)) & ~15UL;
    struct kine_startinfo si = {
        .argc = (uint64_t)argc, .argv = argv_addr, .pager_tid = pg.bi->self_tid,
        .self_tid = p->tid, .pid = (uint64_t)p->pid, .ipcbuf_va = KINE_IPCBUF_VA,
    };
    memcpy(page + pos, &si, sizeof(si));
    int err = load_page(p, b, top - PAGE, KINE_RIGHT_R | KINE_RIGHT_W, page, 0, PAGE);
    return err ? err : (int64_t)(top - PAGE + pos);
}

int64_t proc_spawn(struct proc *parent, int argc, char *argv[], kine_tid_t *tid_out)
{
    const void *elf;
    uint64_t size;
    struct elf_program prog;
    const char *why = "";
    struct map_batch b;

    if (strcmp(argv[0], "pager") == 0 ||
        image_find((const void *)pg.bi->image_va, pg.bi->image_size, argv[0], &elf, &size))
        return -KINE_ENOENT;
    if (elf_check(elf, size, KINE_USER_BASE, HEAP_LIMIT, &prog, &why)) {
        pager_log("cannot load %s: %s", argv[0], why);
        return -KINE_ENOEXEC;
    }
    struct proc *p = NULL;
    for (int i = 0; i < MAX_PROCS && !p; i++)
        if (pg.procs[i].state == P_FREE)
            p = &pg.procs[i];
    if (!p)
        return -KINE_EAGAIN;
    memset(p, 0, sizeof(*p));
    int64_t as = kine_as_create();
    if (as < 0)
        return as;
    p->as = (kine_as_t)as;
    int64_t tid = kine_thread_create(p->as, KINE_IPCBUF_VA);
    if (tid < 0) {
        teardown(p);
        return tid;
    }
    p->tid = (kine_tid_t)tid;
    p->pid = pg.next_pid++;
    p->ppid = parent ? parent->pid : 0;
    strncpy(p->name, argv[0], KINE_NAME_MAX);
    p->state = P_LIVE;

    batch_begin(&b, p->as);
    int64_t err = load_segments(p, &b, elf, &prog);
    if (!err)
        err = region_add(&p->regions, STACK_BOTTOM, KINE_STACK_TOP,
                         KINE_RIGHT_R | KINE_RIGHT_W, REGION_STACK);
    if (!err)
        err = region_add(&p->regions, p->heap_start, p->heap_start,
                         KINE_RIGHT_R | KINE_RIGHT_W, REGION_HEAP);
    p->brk = p->heap_start;
    int64_t sp = err ? err : build_stack(p, &b, argc, argv);
    if (sp >= 0)
        err = batch_flush(&b);
    else
        err = sp;
    if (!err)
        err = kine_thread_start(p->tid, prog.entry, (uint64_t)sp, (uint64_t)sp, 0);
    if (err) {
        teardown(p);
        p->state = P_FREE;
        return err;
    }
    if (tid_out)
        *tid_out = p->tid;
    return p->pid;
}

static uint64_t exit_code(uint64_t wstatus)
{
    return (wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff;
}

static void reply_wait(struct proc *parent, struct proc *child)
{
    struct kine_msg m = { .mr = { (uint64_t)child->pid, child->wstatus } };
    parent->waiting = false;
    kine_reply(parent->tid, &m);
    child->state = P_FREE;
}

static bool wait_matches(const struct proc *parent, const struct proc *child)
{
    return child->ppid == parent->pid &&
           (parent->wait_pid == -1 || parent->wait_pid == child->pid);
}

void proc_exit(struct proc *p, uint64_t wstatus)
{
    teardown(p);
    p->state = P_ZOMBIE;
    p->wstatus = wstatus;
    if (p->pid == INIT_PID) {
        struct kine_ledger l;
        int bad = ledger_fill(&l);
        pager_log("init exited (status %lu); frames: %lu free, %lu used, %lu pager heap; ledger %s",
                  (unsigned long)exit_code(wstatus), (unsigned long)l.frames_free,
                  (unsigned long)l.frames_used, (unsigned long)l.pager_frames,
                  bad ? "INCONSISTENT" : "consistent");
        kine_sys_poweroff(bad ? 253 : (int)exit_code(wstatus));
    }
    struct proc *init = proc_by_pid(INIT_PID);
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *c = &pg.procs[i];
        if (c->state == P_FREE || c->ppid != p->pid)
            continue;
        c->ppid = init ? INIT_PID : 0;     /* orphans go to init */
        if (c->state == P_ZOMBIE && init && init->waiting && wait_matches(init, c))
            reply_wait(init, c);
        else if (c->state == P_ZOMBIE && !init)
            c->state = P_FREE;
    }
    struct proc *parent = p->ppid ? proc_by_pid(p->ppid) : NULL;
    if (!parent || parent->state != P_LIVE)
        p->state = P_FREE;               /* nobody will wait for it */
    else if (parent->waiting && wait_matches(parent, p))
        reply_wait(parent, p);
}

void proc_kill(struct proc *p, const char *why, uint64_t addr)
{
    pager_log("killed %s pid %d: %s 0x%lx", p->name, p->pid, why, (unsigned long)addr);
    proc_exit(p, KINE_WSTATUS_KILLED);
}

int64_t proc_wait(struct proc *p, int64_t pid, bool *deferred, uint64_t *wstatus)
{
    bool any = false;
    *deferred = false;
    if (pid < -1 || pid == 0)
        return -KINE_EINVAL;
    p->wait_pid = pid;
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *c = &pg.procs[i];
        if (c->state == P_FREE || !wait_matches(p, c))
            continue;
        if (c->state == P_ZOMBIE) {
            int64_t cpid = c->pid;
            *wstatus = c->wstatus;
            c->state = P_FREE;
            return cpid;
        }
        any = true;
    }
    if (!any)
        return -KINE_ECHILD;
    p->waiting = true;
    *deferred = true;
    return 0;
}

int64_t proc_sbrk(struct proc *p, int64_t incr)
{
    struct region *h = region_of_kind(&p->regions, REGION_HEAP);
    uint64_t old = p->brk;
    if (!h)
        return -KINE_ENOMEM;
    if (incr > (int64_t)KINE_USER_LIMIT || incr < -(int64_t)KINE_USER_LIMIT)
        return -KINE_ENOMEM;
    if (incr < 0 && (uint64_t)-incr > old - p->heap_start)
        return -KINE_EINVAL;                 /* below the start of the heap */
    uint64_t nbrk = old + (uint64_t)incr;
    uint64_t old_end = h->end, new_end = PAGE_UP(nbrk);
    int err = region_set_end(&p->regions, h, new_end, HEAP_LIMIT);
    if (err)
        return err;
    if (new_end < old_end) {
        kine_unmap(p->as, new_end, (old_end - new_end) / PAGE);
        for (uint64_t va = new_end; va < old_end; va += PAGE)
            proc_release_page(p, va);
    }
    p->brk = nbrk;
    return (int64_t)old;
}
