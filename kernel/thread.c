/* Thread and address-space objects: creation, handles, destruction.
 * Destroying a thread first detaches it from every IPC wait so that no
 * partner is left waiting on it (they get -KINE_ESRCH), and unbinds its
 * interrupts. */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "vm.h"
#include "device.h"

struct thread *all_threads;
struct thread *cur;

static uint64_t asid_mask;   /* ASID bits the hart implements */
static bool asid_probed;

/* The handle table: slot -> object and generation, in pages that are
 * added as it fills, up to the 16-bit slot space.  Slot 0 is never used,
 * so handle 0 is never valid. */
struct slot {                /* 16 bytes: a page holds a power of two */
    void *obj;               /* NULL: free */
    uint16_t gen;
    bool is_thread;
    uint32_t next_free;      /* free list, 0 = end */
};
#define SLOTS_PER_PAGE (PAGE_SIZE / sizeof(struct slot))
_Static_assert((SLOTS_PER_PAGE & (SLOTS_PER_PAGE - 1)) == 0, "slot lookup is a shift");
#define SLOT_PAGES     ((1u << HANDLE_SLOT_BITS) / SLOTS_PER_PAGE)

static struct slot *slot_pages[SLOT_PAGES];
/* Free slots are reused oldest first, so a slot's 16-bit generation comes
 * round only after every free slot has been used as often. */
static uint32_t slots_made = 1, free_head, free_tail;

static struct slot *slot_at(uint64_t i)
{
    return &slot_pages[i / SLOTS_PER_PAGE][i % SLOTS_PER_PAGE];
}

/* A free slot for obj, or 0 when memory (or the slot space) runs out. */
static uint32_t slot_take(void *obj, bool is_thread, bool injectable)
{
    uint32_t i = free_head;
    if (i) {
        free_head = slot_at(i)->next_free;
        if (!free_head)
            free_tail = 0;
    } else {
        if (slots_made >= (1u << HANDLE_SLOT_BITS))
            return 0;
        if (!slot_pages[slots_made / SLOTS_PER_PAGE]) {
            slot_pages[slots_made / SLOTS_PER_PAGE] = kalloc_page_for(injectable);
            if (!slot_pages[slots_made / SLOTS_PER_PAGE])
                return 0;
        }
        i = slots_made++;
    }
    struct slot *sl = slot_at(i);
    sl->obj = obj;
    sl->is_thread = is_thread;
    if (++sl->gen == 0)
        sl->gen = 1;                 /* generation 0 is never handed out */
    return i;
}

static void slot_give(uint32_t i)
{
    struct slot *sl = slot_at(i);
    sl->obj = NULL;
    sl->next_free = 0;
    if (free_tail)
        slot_at(free_tail)->next_free = i;
    else
        free_head = i;
    free_tail = i;
}

static uint64_t make_handle(uint32_t slot)
{
    return ((uint64_t)slot_at(slot)->gen << HANDLE_SLOT_BITS) | slot;
}

/* The object in a handle's slot, if that slot holds one of this kind (its
 * generation is checked against the object's own handle by the caller). */
static void *slot_object(uint64_t handle, bool is_thread)
{
    uint64_t i = handle & ((1u << HANDLE_SLOT_BITS) - 1);
    if (i == 0 || i >= slots_made)
        return NULL;
    struct slot *sl = slot_at(i);
    return sl->is_thread == is_thread ? sl->obj : NULL;
}

struct thread *thread_lookup(uint64_t tid)
{
    struct thread *t = slot_object(tid, true);
    return t && t->tid == tid && t->state != T_FREE ? t : NULL;
}

uint64_t space_handle(const struct space *s) { return s->handle; }

struct space *space_lookup(uint64_t handle)
{
    struct space *s = slot_object(handle, false);
    return s && s->handle == handle ? s : NULL;
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
    uint32_t slot = root ? slot_take(s, false, inject) : 0;
    if (!slot) {
        if (root)
            vm_free_root(root);
        if (s)
            kfree_page(s);
        return -KINE_ENOMEM;
    }
    s->slot = slot;
    s->handle = make_handle(slot);
    s->privileged = privileged;
    s->inject = inject;
    s->root = root;
    s->table_limit = table_limit;
    /* The ASID is the slot, flushed since a space before may have used it;
     * a slot beyond the ASID bits the hart has gets ASID 0, which is
     * flushed whenever it is switched to (never shared with another). */
    s->asid = slot <= asid_mask ? (uint16_t)slot : 0;
    if (s->asid)
        sfence_vma_asid(s->asid);
    else
        sfence_vma_all();
    *out = s;
    return 0;
}

void space_activate(struct space *s)
{
    uint64_t satp = SATP_MODE_SV39 | ((uint64_t)s->asid << SATP_ASID_SHIFT) |
                    ((uint64_t)s->root >> PAGE_SHIFT);
    if (csr_read(satp) != satp) {
        csr_write(satp, satp);
        if (!s->asid)
            sfence_vma_all();
    }
}

void space_destroy(struct space *s)
{
    while (s->threads)
        thread_destroy(s->threads);
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
    slot_give(s->slot);
    kfree_page(s);
}

int thread_create(struct space *s, uint64_t ipcbuf_va, struct thread *pager, struct thread **out)
{
    if (!vm_user_range_ok(ipcbuf_va, 1))
        return -KINE_EFAULT;
    uint64_t *old = vm_lookup(s->root, ipcbuf_va);
    if (old && (*old & PTE_V))
        return -KINE_EBUSY;          /* something is mapped there already */
    struct thread *t = kalloc_page_for(s->inject);
    void *buf = t ? kalloc_page_for(s->inject) : NULL;
    uint32_t slot = buf ? slot_take(t, true, s->inject) : 0;
    int err = slot ? vm_map(s, ipcbuf_va, (uint64_t)buf,
                            PTE_R | PTE_W | PTE_U | PTE_KERNEL_OWNED) : -KINE_ENOMEM;
    if (err) {
        if (slot)
            slot_give(slot);
        if (buf)
            kfree_page(buf);
        if (t)
            kfree_page(t);
        return err;
    }
    t->slot = slot;                  /* the page came zeroed */
    t->tid = make_handle(slot);
    t->state = T_INACTIVE;
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
    ipc_detach(t);
    fpu_forget(t);
    if (t->irqs_bound)
        irq_forget(t);
    /* Threads whose pager this was lose their fault handler. */
    for_each_thread(o)
        if (o->pager == t)
            o->pager = NULL;
    uint64_t *pte = vm_lookup(t->space->root, t->ipcbuf_va);
    if (pte) {
        *pte = 0;
        sfence_vma_page(t->ipcbuf_va, t->space->asid);
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
    slot_give(t->slot);
    kfree_page(t);
}
