/* System calls.  Every argument is checked here before any object is
 * touched; a bad one returns -KINE_E* in a0.  The pager-only calls (and the
 * debug console, so no program can print an untagged line) check the
 * caller's space first and return -KINE_EPERM to everybody else. */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "syscall.h"
#include "vm.h"
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

static bool rights_ok(uint64_t r)
{
    /* readable, no unknown bits: W or X without R would make odd PTEs */
    return (r & ~KINE_RIGHTS_ALL) == 0 && (r & KINE_RIGHT_R);
}

/* What a MAP entry's low bits may hold: rights and KINE_MAP_NOAD. */
static bool map_flags_ok(uint64_t r)
{
    return rights_ok(r & ~KINE_MAP_NOAD);
}

/* Map n entries from the caller's IPC buffer.  Every entry is checked and
 * every page table made before the first PTE changes, so the call maps all
 * n pages or changes nothing (-KINE_ENOMEM leaves only empty tables).  A
 * batch is usually sorted, so one table walk serves each 2 MiB run. */
static int64_t sys_map(struct thread *t, uint64_t h, uint64_t n)
{
    struct space *s = space_lookup(h);
    const struct kine_map_entry *e = (const struct kine_map_entry *)t->ipcbuf_pa;
    uint64_t *pte[KINE_MAP_BATCH];
    uint64_t *table = NULL, table_key = ~0UL;
    if (!s)
        return -KINE_ESRCH;
    if (n == 0 || n > KINE_MAP_BATCH)
        return -KINE_EINVAL;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t va = e[i].va_rights & ~(PAGE_SIZE - 1), r = e[i].va_rights & (PAGE_SIZE - 1);
        if (!vm_user_range_ok(va, 1))
            return -KINE_EFAULT;
        if (!map_flags_ok(r))
            return -KINE_EINVAL;
        if (e[i].frame >= boot.pool_frames)
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
    for (uint64_t i = 0; i < n; i++) {
        uint64_t r = e[i].va_rights & (PAGE_SIZE - 1);
        uint64_t ppn = PA_TO_PTE(boot.pool_pa + e[i].frame * PAGE_SIZE);
        uint64_t flags = vm_rights_to_pte(r) | PTE_U | PTE_V;
        if (!(r & KINE_MAP_NOAD))
            flags |= PTE_A | ((r & KINE_RIGHT_W) ? PTE_D : 0);
        if ((*pte[i] & PTE_V) && PTE_TO_PA(*pte[i]) == PTE_TO_PA(ppn))
            flags |= *pte[i] & (PTE_A | PTE_D);   /* the same frame: keep its news */
        *pte[i] = ppn | flags;
    }
    if (n > TLB_FLUSH_PAGES) {
        sfence_vma_asid(s->asid);
    } else {
        for (uint64_t i = 0; i < n; i++)
            sfence_vma_page(e[i].va_rights & ~(PAGE_SIZE - 1), s->asid);
    }
    return 0;
}

static void flush_range(struct space *s, uint64_t va, uint64_t npages)
{
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
    if (!rights_ok(rights))
        return -KINE_EINVAL;
    uint64_t n = vm_protect_range(s->root, va, npages, vm_rights_to_pte(rights));
    flush_range(s, va, npages);
    return (int64_t)n;
}

/* AS_QUERY: one entry per present PTE, into the caller's IPC buffer. */
struct query { struct kine_map_entry *out; uint64_t n; };

static int report_leaf(uint64_t va, uint64_t *pte, void *ctx)
{
    struct query *q = ctx;
    uint64_t pa = PTE_TO_PA(*pte);
    uint64_t rights = ((*pte & PTE_R) ? KINE_RIGHT_R : 0) | ((*pte & PTE_W) ? KINE_RIGHT_W : 0) |
                      ((*pte & PTE_X) ? KINE_RIGHT_X : 0) |
                      ((*pte & PTE_A) ? KINE_PTE_ACCESSED : 0) | ((*pte & PTE_D) ? KINE_PTE_DIRTY : 0);
    bool in_pool = pa >= boot.pool_pa && pa < boot.pool_pa + boot.pool_frames * PAGE_SIZE;
    q->out[q->n].va_rights = va | rights;
    q->out[q->n].frame = in_pool ? (pa - boot.pool_pa) / PAGE_SIZE : KINE_FRAME_NONE;
    return ++q->n == KINE_MAP_BATCH;
}

static int64_t sys_as_query(struct thread *t, uint64_t h, uint64_t va, uint64_t npages)
{
    struct space *s = space_lookup(h);
    struct query q = { (struct kine_map_entry *)t->ipcbuf_pa, 0 };
    if (!s)
        return -KINE_ESRCH;
    if (!vm_user_range_ok(va, npages))
        return -KINE_EFAULT;
    vm_for_each_leaf(s->root, va, npages, report_leaf, &q);
    return (int64_t)q.n;
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
    return n == KSYS_DEBUG_WRITE || (n >= KSYS_AS_CREATE && n < KSYS_COUNT && n != KSYS_IRQ_ACK);
}

void syscall_dispatch(struct thread *t)
{
    uint64_t *x = t->tf.x;
    uint64_t n = x[REG_A7];
    int64_t ret;

    if (pager_only(n) && !t->space->privileged) {
        x[REG_A0] = (uint64_t)-KINE_EPERM;
        return;
    }
    switch (n) {
    case KSYS_DEBUG_WRITE:   ret = sys_debug_write(t, x[REG_A0]); break;
    case KSYS_YIELD:
        ret = 0;
        sched_preempt();
        break;
    case KSYS_EXIT:          ret = sys_exit(t, x[REG_A0]); break;
    case KSYS_CALL:
    case KSYS_SEND:
    case KSYS_RECV:
    case KSYS_REPLY:
    case KSYS_REPLY_RECV:
        ipc_syscall(t, n);
        return;                      /* sets a0 itself (maybe later) */
    case KSYS_SELF:          ret = (int64_t)thread_tid(t); break;
    case KSYS_AS_CREATE:     ret = sys_as_create(x[REG_A0], x[REG_A1]); break;
    case KSYS_AS_DESTROY:    ret = sys_as_destroy(t, x[REG_A0]); break;
    case KSYS_THREAD_CREATE: ret = sys_thread_create(t, x[REG_A0], x[REG_A1]); break;
    case KSYS_THREAD_START:
        ret = sys_thread_start(x[REG_A0], x[REG_A1], x[REG_A2], x[REG_A3], x[REG_A4]);
        break;
    case KSYS_THREAD_DESTROY: ret = sys_thread_destroy(t, x[REG_A0]); break;
    case KSYS_MAP:           ret = sys_map(t, x[REG_A0], x[REG_A1]); break;
    case KSYS_UNMAP:         ret = sys_unmap(x[REG_A0], x[REG_A1], x[REG_A2]); break;
    case KSYS_PROTECT:       ret = sys_protect(x[REG_A0], x[REG_A1], x[REG_A2], x[REG_A3]); break;
    case KSYS_POWEROFF:      poweroff((int)(x[REG_A0] & 0xff));
    case KSYS_MAP_REPLY_RECV:
        /* a fault's answer in one trap: map, then reply (empty) and receive */
        ret = sys_map(t, x[REG_A1], x[REG_A2]);
        if (ret < 0)
            break;
        x[REG_A1] = 0;
        for (int i = 0; i < KINE_MSG_REGS; i++)
            x[REG_A2 + i] = 0;
        ipc_syscall(t, KSYS_REPLY_RECV);
        return;
    case KSYS_AS_QUERY:      ret = sys_as_query(t, x[REG_A0], x[REG_A1], x[REG_A2]); break;
    case KSYS_KMEM_INFO:     ret = (int64_t)kalloc_free_pages(); break;
    case KSYS_AS_TABLES:     ret = sys_as_tables(x[REG_A0]); break;
    case KSYS_AS_COPY:
        ret = sys_as_copy(x[REG_A0], x[REG_A1], x[REG_A2], x[REG_A3], x[REG_A4]);
        break;
    case KSYS_DEV_MAP:
        ret = device_map(space_lookup(x[REG_A0]), x[REG_A1], x[REG_A2], x[REG_A3]);
        break;
    case KSYS_IRQ_BIND:      ret = irq_bind(x[REG_A0], x[REG_A1]); break;
    case KSYS_IRQ_ACK:       ret = irq_ack(t, x[REG_A0]); break;
    case KSYS_AS_ACCESSED:
        ret = sys_as_accessed(t, x[REG_A0], x[REG_A1], x[REG_A2], x[REG_A3]);
        break;
    case KSYS_NOTIFY:        ret = ipc_notify(x[REG_A0], x[REG_A1]); break;
    default:                 ret = -KINE_ENOSYS; break;
    }
    x[REG_A0] = (uint64_t)ret;
}
