/* Thread and address-space objects: creation and destruction (their
 * handles are handle.c's).
 * Destroying a thread first detaches it from every IPC wait so that no
 * partner is left waiting on it (they get -KINE_ESRCH), and unbinds its
 * interrupts. */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "vm.h"
#include "device.h"
#include "handle.h"
#include "syscall.h"
#include "hart.h"
#include "tlb.h"

struct thread *all_threads;

static uint64_t asid_mask;   /* ASID bits the hart implements */
static bool asid_probed;

void space_no_asids(void)
{
    asid_mask = 0;
    asid_probed = true;
}

static void probe_asid_bits(void)
{
    uint64_t old = csr_read(satp);
    csr_write(satp, old | (SATP_ASID_MASK << SATP_ASID_SHIFT));
    asid_mask = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
    csr_write(satp, old);
}

int space_create(bool privileged, uint64_t table_limit, bool inject, struct space **out)
{
    if (!asid_probed) {
        probe_asid_bits();
        asid_probed = true;
    }
    struct space *s = kalloc_page_for(inject);
    uint64_t *root = s ? vm_new_root(inject) : NULL;
    uint32_t slot = root ? handle_take(s, false, inject) : 0;
    if (!slot) {
        if (root)
            vm_free_root(root);
        if (s)
            kfree_page(s);
        return -KINE_ENOMEM;
    }
    s->slot = slot;
    s->handle = handle_of(slot);
    s->privileged = privileged;
    s->inject = inject;
    s->root = root;
    s->table_limit = table_limit;
    /* The ASID is the slot, flushed since a space before may have used it;
     * a slot beyond the ASID bits the hart has gets ASID 0, which is
     * flushed whenever it is switched to (never shared with another). */
    s->asid = slot <= asid_mask ? (uint16_t)slot : 0;
    s->satp = SATP_MODE_SV39 | ((uint64_t)s->asid << SATP_ASID_SHIFT) |
              ((uint64_t)root >> PAGE_SHIFT);
    if (s->asid)
        sfence_vma_asid(s->asid);
    else
        sfence_vma_all();
    *out = s;
    return 0;
}

void space_leaf_table_freed(struct space *s, const uint64_t *table)
{
    for (struct thread *t = s->threads; t; t = t->space_next)
        if (t->fault_pte >= table && t->fault_pte < table + PT_ENTRIES)
            t->fault_pte = NULL;
}

void space_destroy(struct space *s)
{
    while (s->threads)
        thread_destroy(s->threads);
    /* No hart keeps a translation through its tables or under its ASID,
     * which the next space in its slot gets. */
    tlb_shootdown_all(s);
    /* Never free the tables the hart is walking. */
    uint64_t here = csr_read(satp) & SATP_PPN_MASK;
    if (here == ((uint64_t)s->root >> PAGE_SHIFT)) {
        csr_write(satp, SATP_MODE_SV39 | ((uint64_t)vm_kernel_root() >> PAGE_SHIFT));
    }
    vm_free_root(s->root);
    if (s->asid)
        sfence_vma_asid(s->asid);
    else
        sfence_vma_all();
    handle_give(s->slot);
    kfree_page(s);
}

int thread_create(struct space *s, uint64_t ipcbuf_va, struct thread *pager, struct thread **out)
{
    /* A pager's space is privileged: fast_map_reply (fastpath.S) lets the
     * thread a faulted thread waits for map pool frames on that ground. */
    if (pager && !pager->space->privileged)
        return -KINE_EPERM;
    if (!vm_user_range_ok(ipcbuf_va, 1))
        return -KINE_EFAULT;
    uint64_t *old = vm_lookup(s->root, ipcbuf_va);
    if (old && (*old & PTE_V))
        return -KINE_EBUSY;          /* something is mapped there already */
    struct thread *t = kalloc_page_for(s->inject);
    void *buf = t ? kalloc_page_for(s->inject) : NULL;
    uint32_t slot = buf ? handle_take(t, true, s->inject) : 0;
    int err = slot ? vm_map(s, ipcbuf_va, (uint64_t)buf,
                            PTE_R | PTE_W | PTE_U | PTE_KERNEL_OWNED) : -KINE_ENOMEM;
    if (err) {
        if (slot)
            handle_give(slot);
        if (buf)
            kfree_page(buf);
        if (t)
            kfree_page(t);
        return err;
    }
    t->slot = slot;                  /* the page came zeroed */
    t->tid = handle_of(slot);
    t->state = T_INACTIVE;
    t->tf.syscalls = syscall_table(s->privileged);
    t->space = s;
    t->pager = pager;
    t->ipcbuf_pa = (uint64_t)buf;
    t->ipcbuf_va = ipcbuf_va;
    t->space_next = s->threads;
    s->threads = t;
    s->nthreads++;
    t->all_next = all_threads;
    if (all_threads)
        all_threads->all_prev = t;
    all_threads = t;
    *out = t;
    return 0;
}

void thread_destroy(struct thread *t)
{
    /* A thread another hart runs leaves it first: its frame stays ours. */
    struct hart *elsewhere = hot.smp_on ? smp_running_elsewhere(t) : NULL;
    if (elsewhere)
        smp_evict(elsewhere);
    ipc_detach(t);
    fpu_forget(t);
    vec_forget(t);
    if (t->irqs_bound)
        irq_forget(t);
    /* Threads whose pager this was lose their fault handler. */
    for_each_thread(o)
        if (o->pager == t)
            o->pager = NULL;
    uint64_t *pte = vm_lookup(t->space->root, t->ipcbuf_va);
    if (pte) {
        *pte = 0;                    /* its threads must not keep the page */
        sfence_vma_page(t->ipcbuf_va, t->space->asid);
        tlb_shootdown(t->space);
    }
    kfree_page((void *)t->ipcbuf_pa);
    for (struct thread **pp = &t->space->threads; *pp; pp = &(*pp)->space_next)
        if (*pp == t) {
            *pp = t->space_next;
            break;
        }
    t->space->nthreads--;
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else
        all_threads = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    if (cur == t)
        cur = NULL;
    t->state = T_FREE;
    handle_give(t->slot);
    kfree_page(t);
}
