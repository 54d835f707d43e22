/* Thread and address-space objects: creation, handles, destruction.
 * Destroying a thread first detaches it from every IPC wait so that no
 * partner is left waiting on it (they get -KINE_ESRCH). */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "vm.h"

struct thread threads[MAX_THREADS];
struct space spaces[MAX_SPACES];
struct thread *cur;

static uint64_t asid_mask;   /* ASID bits the hart implements */
static bool asid_probed;

static uint64_t make_handle(uint32_t gen, uint64_t slot)
{
    return ((uint64_t)gen << HANDLE_SLOT_BITS) | slot;
}

uint64_t thread_tid(const struct thread *t)
{
    return make_handle(t->gen, (uint64_t)(t - threads));
}

struct thread *thread_lookup(uint64_t tid)
{
    uint64_t slot = tid & ((1u << HANDLE_SLOT_BITS) - 1);
    if (slot >= MAX_THREADS)
        return NULL;
    struct thread *t = &threads[slot];
    if (t->state == T_FREE || thread_tid(t) != tid)
        return NULL;
    return t;
}

uint64_t space_handle(const struct space *s)
{
    return make_handle(s->gen, (uint64_t)(s - spaces));
}

struct space *space_lookup(uint64_t handle)
{
    uint64_t slot = handle & ((1u << HANDLE_SLOT_BITS) - 1);
    if (slot >= MAX_SPACES)
        return NULL;
    struct space *s = &spaces[slot];
    if (!s->used || space_handle(s) != handle)
        return NULL;
    return s;
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
    for (int i = 0; i < MAX_SPACES; i++) {
        struct space *s = &spaces[i];
        if (s->used)
            continue;
        uint64_t *root = vm_new_root(inject);
        if (!root)
            return -KINE_ENOMEM;
        s->used = true;
        s->gen++;
        if (s->gen >= (1u << 16))
            s->gen = 1;
        s->privileged = privileged;
        s->inject = inject;
        s->root = root;
        s->tables = 0;
        s->table_limit = table_limit;
        s->nthreads = 0;
        /* One ASID per slot; flush it since a previous space may have used it. */
        s->asid = (uint16_t)((uint64_t)(i + 1) & asid_mask);
        if (s->asid)
            sfence_vma_asid(s->asid);
        else
            sfence_vma_all();
        *out = s;
        return 0;
    }
    return -KINE_ENOMEM;
}

void space_activate(struct space *s)
{
    uint64_t satp = SATP_MODE_SV39 | ((uint64_t)s->asid << SATP_ASID_SHIFT) |
                    ((uint64_t)s->root >> PAGE_SHIFT);
    if (csr_read(satp) != satp) {
        csr_write(satp, satp);
        if (!asid_mask)
            sfence_vma_all();
    }
}

void space_destroy(struct space *s)
{
    for (int i = 0; i < MAX_THREADS; i++)
        if (threads[i].state != T_FREE && threads[i].space == s)
            thread_destroy(&threads[i]);
    /* Never free the tables the hart is walking. */
    uint64_t here = csr_read(satp) & ((1UL << 44) - 1);
    if (here == ((uint64_t)s->root >> PAGE_SHIFT)) {
        csr_write(satp, SATP_MODE_SV39 | ((uint64_t)vm_kernel_root() >> PAGE_SHIFT));
    }
    vm_free_root(s->root);
    if (s->asid)
        sfence_vma_asid(s->asid);
    else
        sfence_vma_all();
    s->root = NULL;
    s->used = false;
}

int thread_create(struct space *s, uint64_t ipcbuf_va, struct thread *pager, struct thread **out)
{
    if (!vm_user_range_ok(ipcbuf_va, 1))
        return -KINE_EFAULT;
    uint64_t *old = vm_lookup(s->root, ipcbuf_va);
    if (old && (*old & PTE_V))
        return -KINE_EBUSY;          /* something is mapped there already */
    for (int i = 0; i < MAX_THREADS; i++) {
        struct thread *t = &threads[i];
        if (t->state != T_FREE)
            continue;
        void *buf = kalloc_page_for(s->inject);
        if (!buf)
            return -KINE_ENOMEM;
        int err = vm_map(s, ipcbuf_va, (uint64_t)buf,
                         PTE_R | PTE_W | PTE_U | PTE_KERNEL_OWNED);
        if (err) {
            kfree_page(buf);
            return err;
        }
        uint32_t gen = t->gen + 1;
        if (gen >= (1u << 16))
            gen = 1;
        memset(t, 0, sizeof(*t));
        t->gen = gen;
        t->state = T_INACTIVE;
        t->space = s;
        t->pager = pager;
        t->ipcbuf_pa = (uint64_t)buf;
        t->ipcbuf_va = ipcbuf_va;
        s->nthreads++;
        *out = t;
        return 0;
    }
    return -KINE_ENOMEM;
}

void thread_destroy(struct thread *t)
{
    ipc_detach(t);
    fpu_forget(t);
    /* Threads whose pager this was lose their fault handler. */
    for (int i = 0; i < MAX_THREADS; i++)
        if (threads[i].pager == t)
            threads[i].pager = NULL;
    uint64_t *pte = vm_lookup(t->space->root, t->ipcbuf_va);
    if (pte) {
        *pte = 0;
        sfence_vma_page(t->ipcbuf_va, t->space->asid);
    }
    kfree_page((void *)t->ipcbuf_pa);
    t->space->nthreads--;
    if (cur == t)
        cur = NULL;
    uint32_t gen = t->gen;
    memset(t, 0, sizeof(*t));
    t->gen = gen;            /* keep: the next user bumps it */
    t->state = T_FREE;
}
