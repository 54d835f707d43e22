/* System calls: the tables entry.S dispatches through, and every call but
 * IPC's (ipc.c, fastpath.S).  Every argument is checked here before any
 * object is touched; a bad one returns -KINE_E* in a0.  The pager-only
 * calls (and the debug console, so no program can print an untagged line)
 * are in the table of the pager's threads only; everybody else's has
 * -KINE_EPERM in their place.  A call that leaves the caller running
 * answers straight in a0 (sysret_value); one that may not (YIELD, EXIT,
 * IPC) goes through the scheduler. */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "syscall.h"
#include "vm.h"
#include "tlb.h"
#include "device.h"
#include <kine/syscall.h>
#include <kine/ipc.h>

/* Past this many pages one flush of the whole ASID is cheaper than per-page. */
#define TLB_FLUSH_PAGES 16

static int64_t sys_debug_write(struct thread *t, uint64_t len)
{
    if (len > PAGE_SIZE)
        return -KINE_EINVAL;
    console_write((const char *)t->ipcbuf_pa, len);
    return (int64_t)len;
}

static int64_t sys_exit(struct thread *t, uint64_t status)
{
    uint64_t mr[KINE_MSG_REGS] = { status, 0, 0, 0 };
    if (!t->pager) {
        kprintf("kernel: pager exited with status %ld\n", (long)status);
        poweroff(KINE_EXIT_PAGER_DIED);
    }
    ipc_kernel_send(t, KINE_LABEL_EXIT, mr, true);
    return 0;
}

static int64_t sys_as_create(uint64_t table_limit, uint64_t flags)
{
    struct space *s;
    if (table_limit == 0 || table_limit > KINE_AS_TABLES_MAX || (flags & ~KINE_AS_INJECT))
        return -KINE_EINVAL;
    int err = space_create(false, table_limit, flags & KINE_AS_INJECT, &s);
    return err ? err : (int64_t)space_handle(s);
}

static int64_t sys_as_destroy(struct thread *t, uint64_t h)
{
    struct space *s = space_lookup(h);
    if (!s)
        return -KINE_ESRCH;
    if (s == t->space)
        return -KINE_EBUSY;
    space_destroy(s);
    return 0;
}

static int64_t sys_thread_create(struct thread *t, uint64_t h, uint64_t ipcbuf_va)
{
    struct space *s = space_lookup(h);
    struct thread *nt;
    if (!s)
        return -KINE_ESRCH;
    int err = thread_create(s, ipcbuf_va, t, &nt);
    return err ? err : (int64_t)thread_tid(nt);
}

static int64_t sys_thread_start(uint64_t tid, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1)
{
    struct thread *nt = thread_lookup(tid);
    if (!nt)
        return -KINE_ESRCH;
    if (nt->state != T_INACTIVE)
        return -KINE_EBUSY;
    if (!vm_user_range_ok(ALIGN_DOWN(pc, PAGE_SIZE), 1) || (pc & 1) ||
        sp == 0 || !vm_user_range_ok(ALIGN_DOWN(sp - 1, PAGE_SIZE), 1))
        return -KINE_EFAULT;                 /* sp is the top: its page is below it */
    nt->tf.sepc = pc;
    nt->tf.x[REG_SP] = sp;
    nt->tf.x[REG_A0] = a0;
    nt->tf.x[REG_A1] = a1;
    sched_ready(nt);
    return 0;
}

static int64_t sys_thread_destroy(struct thread *t, uint64_t tid)
{
    struct thread *victim = thread_lookup(tid);
    if (!victim)
        return -KINE_ESRCH;
    if (victim == t)
        return -KINE_EBUSY;
    thread_destroy(victim);
    return 0;
}

/* Entry i of a MAP: *first, then the caller's IPC buffer from 1 on. */
static inline const struct kine_map_entry *map_entry(const struct kine_map_entry *first,
                                                     const struct kine_map_entry *buf, uint64_t i)
{
    return i ? &buf[i] : first;
}

/* Map n entries: the first is *first, the others from the caller's IPC
 * buffer (at 1..n-1; MAP's first is the buffer's too, MAP_REPLY_RECV's
 * comes in registers).  Every entry is checked and every page table made
 * before the first PTE changes, so the call maps all n pages or changes
 * nothing (-KINE_ENOMEM leaves only empty tables).  A batch is usually
 * sorted, so one table walk serves each 2 MiB run. */
static int64_t sys_map(struct thread *t, uint64_t h, uint64_t n, const struct kine_map_entry *first)
{
    struct space *s = space_lookup(h);
    const struct kine_map_entry *buf = (const struct kine_map_entry *)t->ipcbuf_pa;
    uint64_t *pte[KINE_MAP_BATCH];
    uint64_t *table = NULL, table_key = ~0UL;
    if (!s)
        return -KINE_ESRCH;
    if (n == 0 || n > KINE_MAP_BATCH)
        return -KINE_EINVAL;
    for (uint64_t i = 0; i < n; i++) {
        const struct kine_map_entry *e = map_entry(first, buf, i);
        uint64_t va = e->va_rights & ~(PAGE_SIZE - 1), r = e->va_rights & (PAGE_SIZE - 1);
        if (!vm_user_range_ok(va, 1))
            return -KINE_EFAULT;
        if (!vm_map_flags_ok(r))
            return -KINE_EINVAL;
        if (e->frame >= boot.pool_frames)
            return -KINE_ERANGE;
        if ((va >> MEGAPAGE_SHIFT) != table_key) {
            int err;
            table = vm_leaf_table(s, va, &err);
            if (!table)
                return err;
            table_key = va >> MEGAPAGE_SHIFT;
        }
        pte[i] = &table[VPN(va, 0)];
        if (*pte[i] & PTE_KERNEL_OWNED)
            return -KINE_EBUSY;
    }
    bool narrowed = false;
    for (uint64_t i = 0; i < n; i++) {
        const struct kine_map_entry *e = map_entry(first, buf, i);
        uint64_t old = *pte[i], new;
        do                           /* A/D of the old frame kept (vm.h) */
            new = vm_pool_pte(old, e->frame, e->va_rights & (PAGE_SIZE - 1));
        while (!pte_replace(pte[i], &old, new));
        narrowed |= vm_pte_narrowed(old, new);
    }
    if (n > TLB_FLUSH_PAGES) {
        sfence_vma_asid(s->asid);
    } else {
        for (uint64_t i = 0; i < n; i++)
            sfence_vma_page(map_entry(first, buf, i)->va_rights & ~(PAGE_SIZE - 1), s->asid);
    }
    if (narrowed)
        tlb_shootdown(s);
    return 0;
}

/* A range whose translations went or narrowed: out of this hart's TLB,
 * and out of every other hart's (tlb.c). */
static void flush_range(struct space *s, uint64_t va, uint64_t npages)
{
    tlb_shootdown(s);
    if (npages > TLB_FLUSH_PAGES) {
        sfence_vma_asid(s->asid);
        return;
    }
    for (uint64_t i = 0; i < npages; i++)
        sfence_vma_page(va + i * PAGE_SIZE, s->asid);
}

static int64_t sys_unmap(uint64_t h, uint64_t va, uint64_t npages)
{
    struct space *s = space_lookup(h);
    if (!s)
        return -KINE_ESRCH;
    if (!vm_user_range_ok(va, npages))
        return -KINE_EFAULT;
    uint64_t n = vm_unmap_range(s, va, npages);
    flush_range(s, va, npages);
    return (int64_t)n;
}

static int64_t sys_protect(uint64_t h, uint64_t va, uint64_t npages, uint64_t rights)
{
    struct space *s = space_lookup(h);
    if (!s)
        return -KINE_ESRCH;
    if (!vm_user_range_ok(va, npages))
        return -KINE_EFAULT;
    if (!vm_rights_ok(rights))
        return -KINE_EINVAL;
    uint64_t n = vm_protect_range(s->root, va, npages, vm_rights_to_pte(rights));
    flush_range(s, va, npages);
    return (int64_t)n;
}

/* AS_QUERY: one entry per present PTE, into the caller's IPC buffer. */
static int64_t sys_as_query(struct thread *t, uint64_t h, uint64_t va, uint64_t npages)
{
    struct space *s = space_lookup(h);
    if (!s)
        return -KINE_ESRCH;
    if (!vm_user_range_ok(va, npages))
        return -KINE_EFAULT;
    return (int64_t)vm_query_range(s->root, va, npages, (struct kine_map_entry *)t->ipcbuf_pa);
}

static int64_t sys_as_copy(uint64_t hsrc, uint64_t hdst, uint64_t va, uint64_t npages,
                           uint64_t flags)
{
    struct space *src = space_lookup(hsrc), *dst = space_lookup(hdst);
    if (!src || !dst)
        return -KINE_ESRCH;
    if (src == dst || (flags & ~KINE_COPY_COW))
        return -KINE_EINVAL;
    if (!vm_user_range_ok(va, npages))
        return -KINE_EFAULT;
    int64_t n = vm_copy_range(src, dst, va, npages, flags & KINE_COPY_COW);
    if (n > 0) {
        flush_range(dst, va, npages);
        if (flags & KINE_COPY_COW)
            flush_range(src, va, npages);      /* the W it held is gone */
    }
    return n;
}

static int64_t sys_as_accessed(struct thread *t, uint64_t h, uint64_t va, uint64_t npages,
                               uint64_t flags)
{
    struct space *s = space_lookup(h);
    uint64_t *a = (uint64_t *)t->ipcbuf_pa, *d = a + KINE_ACCESS_WORDS(npages);
    if (!s)
        return -KINE_ESRCH;
    if (npages == 0 || npages > KINE_ACCESS_PAGES_MAX ||
        (flags & ~(KINE_ACCESS_CLEAR | KINE_ACCESS_UNMAP)))
        return -KINE_EINVAL;
    if (!vm_user_range_ok(va, npages))
        return -KINE_EFAULT;
    uint64_t n = vm_access_range(s, va, npages, flags, a, d);
    if (n && flags)
        flush_range(s, va, npages);
    return (int64_t)n;
}

static int64_t sys_as_tables(uint64_t h)
{
    struct space *s = space_lookup(h);
    return s ? (int64_t)s->tables : -KINE_ESRCH;
}

/* The calls only the pager may make: the debug console, and every object,
 * mapping and device call.  IRQ_ACK is the bound thread's. */
static bool pager_only(uint64_t n)
{
    return n == KSYS_DEBUG_WRITE || (n >= KSYS_AS_CREATE && n != KSYS_IRQ_ACK);
}

/* The caller's call is done with result r: straight back to it if it still
 * runs, else through its frame and whoever the scheduler picks. */
static sysret finish(struct thread *t, int64_t r)
{
    if (cur == t && t->state == T_READY)
        return sysret_value(r);
    thread_set_status(t, r);
    return sysret_schedule(t);
}

/* One handler per call; they see the caller as cur. */
static sysret k_debug_write(SYSCALL_ARGS) { return sysret_value(sys_debug_write(cur, a0)); }
static sysret k_self(SYSCALL_ARGS) { return sysret_value((int64_t)thread_tid(cur)); }

static sysret k_yield(SYSCALL_ARGS)
{
    struct thread *t = cur;
    sched_preempt();
    return finish(t, 0);
}

static sysret k_exit(SYSCALL_ARGS)
{
    struct thread *t = cur;
    return finish(t, sys_exit(t, a0));
}

static sysret k_as_create(SYSCALL_ARGS) { return sysret_value(sys_as_create(a0, a1)); }
static sysret k_as_destroy(SYSCALL_ARGS) { return sysret_value(sys_as_destroy(cur, a0)); }
static sysret k_thread_create(SYSCALL_ARGS)
{
    return sysret_value(sys_thread_create(cur, a0, a1));
}
static sysret k_thread_start(SYSCALL_ARGS)
{
    return sysret_value(sys_thread_start(a0, a1, a2, a3, a4));
}
static sysret k_thread_destroy(SYSCALL_ARGS)
{
    return sysret_value(sys_thread_destroy(cur, a0));
}
static sysret k_map(SYSCALL_ARGS)
{
    return sysret_value(sys_map(cur, a0, a1, (const struct kine_map_entry *)cur->ipcbuf_pa));
}
static sysret k_unmap(SYSCALL_ARGS) { return sysret_value(sys_unmap(a0, a1, a2)); }
static sysret k_protect(SYSCALL_ARGS) { return sysret_value(sys_protect(a0, a1, a2, a3)); }
static sysret k_poweroff(SYSCALL_ARGS) { poweroff((int)(a0 & 0xff)); }
static sysret k_as_query(SYSCALL_ARGS) { return sysret_value(sys_as_query(cur, a0, a1, a2)); }
static sysret k_kmem_info(SYSCALL_ARGS) { return sysret_value((int64_t)kalloc_free_pages()); }
static sysret k_as_tables(SYSCALL_ARGS) { return sysret_value(sys_as_tables(a0)); }
static sysret k_as_copy(SYSCALL_ARGS) { return sysret_value(sys_as_copy(a0, a1, a2, a3, a4)); }
static sysret k_dev_map(SYSCALL_ARGS)
{
    return sysret_value(device_map(space_lookup(a0), a1, a2, a3));
}
static sysret k_irq_bind(SYSCALL_ARGS) { return sysret_value(irq_bind(a0, a1)); }
static sysret k_irq_ack(SYSCALL_ARGS) { return sysret_value(irq_ack(cur, a0)); }
static sysret k_as_accessed(SYSCALL_ARGS)
{
    return sysret_value(sys_as_accessed(cur, a0, a1, a2, a3));
}
static sysret k_notify(SYSCALL_ARGS) { return sysret_value(ipc_notify(a0, a1)); }

/* A fault's answer in one trap: map (the first entry in a3 and a4), then
 * reply (empty) and receive.  If the map fails, nothing is sent or
 * received. */
sysret syscall_map_reply_recv(SYSCALL_ARGS)
{
    const struct kine_map_entry first = { .va_rights = a3, .frame = a4 };
    int64_t r = sys_map(cur, a1, a2, &first);
    if (r < 0)
        return sysret_value(r);
    return ipc_general(a0, 0, 0, 0, 0, 0, a6, KSYS_REPLY_RECV);
}

static sysret k_nosys(SYSCALL_ARGS) { return sysret_value(-KINE_ENOSYS); }
static sysret k_eperm(SYSCALL_ARGS) { return sysret_value(-KINE_EPERM); }

static const syscall_fn handlers[KSYS_COUNT] = {
    [KSYS_DEBUG_WRITE]    = k_debug_write,
    [KSYS_YIELD]          = k_yield,
    [KSYS_EXIT]           = k_exit,
    [KSYS_CALL]           = ipc_general,      /* after fastpath.S */
    [KSYS_SEND]           = ipc_general,
    [KSYS_RECV]           = ipc_general,
    [KSYS_REPLY]          = ipc_general,
    [KSYS_REPLY_RECV]     = ipc_general,      /* after fastpath.S */
    [KSYS_SELF]           = k_self,
    [KSYS_AS_CREATE]      = k_as_create,
    [KSYS_AS_DESTROY]     = k_as_destroy,
    [KSYS_THREAD_CREATE]  = k_thread_create,
    [KSYS_THREAD_START]   = k_thread_start,
    [KSYS_THREAD_DESTROY] = k_thread_destroy,
    [KSYS_MAP]            = k_map,
    [KSYS_UNMAP]          = k_unmap,
    [KSYS_PROTECT]        = k_protect,
    [KSYS_POWEROFF]       = k_poweroff,
    [KSYS_MAP_REPLY_RECV] = syscall_map_reply_recv, /* after fastpath.S */
    [KSYS_AS_QUERY]       = k_as_query,
    [KSYS_KMEM_INFO]      = k_kmem_info,
    [KSYS_AS_TABLES]      = k_as_tables,
    [KSYS_AS_COPY]        = k_as_copy,
    [KSYS_DEV_MAP]        = k_dev_map,
    [KSYS_IRQ_BIND]       = k_irq_bind,
    [KSYS_IRQ_ACK]        = k_irq_ack,
    [KSYS_AS_ACCESSED]    = k_as_accessed,
    [KSYS_NOTIFY]         = k_notify,
};
_Static_assert(KSYS_COUNT <= SYSCALL_SLOTS, "trapframe.h: SYSCALL_SLOTS too small");

/* entry.S indexes these by a7 (past the end: slot 0, k_nosys).  The pager's
 * space gets every call; everybody else gets -KINE_EPERM for the pager's
 * calls, from the table, with no test on the way. */
static syscall_fn pager_table[SYSCALL_SLOTS], user_table[SYSCALL_SLOTS];

void syscall_init(bool general_only)
{
    for (uint64_t i = 0; i < SYSCALL_SLOTS; i++) {
        syscall_fn f = i < KSYS_COUNT && handlers[i] ? handlers[i] : k_nosys;
        pager_table[i] = f;
        user_table[i] = f != k_nosys && pager_only(i) ? k_eperm : f;
    }
    hot.fastpath_on = !general_only;
}

const syscall_fn *syscall_table(bool privileged)
{
    return privileged ? pager_table : user_table;
}
