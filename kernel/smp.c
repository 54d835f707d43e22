/* The harts: which exist (device tree), starting them (SBI HSM), the big
 * kernel lock, waking idle harts and taking a thread away from a hart that
 * runs it (inter-processor interrupts through SBI IPI).  hart.h explains
 * the per-hart layout and the lock protocol entry.S follows. */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "sbi.h"
#include "hart.h"
#include "thread.h"
#include "device.h"

_Static_assert(sizeof(struct hart) == HART_SIZE, "hart.h: HART_SIZE");
_Static_assert(__builtin_offsetof(struct hart, thread) == HART_CUR &&
               __builtin_offsetof(struct hart, fpu_owner) == HART_FPU_OWNER &&
               __builtin_offsetof(struct hart, mask) == HART_MASK &&
               __builtin_offsetof(struct hart, fpu_unit_on) == HART_FPU_ON &&
               __builtin_offsetof(struct hart, evict) == HART_EVICT, "hart.h: offsets");
_Static_assert(__builtin_offsetof(struct hart, vec_unit_on) == HART_FPU_ON + 1 &&
               HART_UNITS_ON == HART_FPU_ON, "hart.h: units_on is fpu_unit_on and vec_unit_on");
_Static_assert(__builtin_offsetof(struct klock, next) == KLOCK_NEXT &&
               __builtin_offsetof(struct klock, owner) == KLOCK_OWNER &&
               __builtin_offsetof(struct klock, sleepers) == KLOCK_SLEEPERS, "hart.h: klock");
_Static_assert(__builtin_offsetof(struct hart, saved) == HART_SAVED &&
               __builtin_offsetof(struct hart, kernel_gp) == HART_KERNEL_GP, "hart.h: saved");

extern char kstacks[];            /* entry.S: MAX_HARTS stacks of KSTACK_SIZE */
extern void secondary_entry(void);

struct klock klock;
uint64_t kernel_satp;
struct hart *harts[MAX_HARTS];
unsigned nharts;
static uint64_t idle_mask;        /* harts waiting in idle, by hart-id bit */
static uint64_t wakeups;          /* IPIs sent to wake an idle hart */

static struct hart *hart_slot(unsigned index)
{
    return (struct hart *)(kstacks + (uint64_t)(index + 1) * KSTACK_SIZE) - 1;
}

/* Hart 0 of our numbering is the one OpenSBI booted; the others are every
 * enabled cpu node of the device tree, as far as there is room. */
void smp_init(const struct fdt_info *fi, uint64_t boot_hartid)
{
    struct hart *h = hart_slot(0);
    memset(h, 0, sizeof(*h));
    h->kernel_gp = (uint64_t)&hot;
    h->hartid = boot_hartid;
    h->mask = 1UL << boot_hartid;
    harts[nharts++] = h;
    for (unsigned i = 0; i < fi->nharts; i++) {
        uint64_t id = fi->harts[i];
        if (id == boot_hartid)
            continue;
        if (id > MAX_HART_ID || nharts == MAX_HARTS) {
            kprintf("kernel: hart %lu not started (room for %d, ids up to %d)\n", id,
                    MAX_HARTS, MAX_HART_ID);
            continue;
        }
        h = hart_slot(nharts);
        memset(h, 0, sizeof(*h));
        h->kernel_gp = (uint64_t)&hot;
        h->hartid = id;
        h->mask = 1UL << id;
        harts[nharts++] = h;
    }
}

/* As KLOCK (hart.h), for the idle loop and a starting hart, whose thread
 * nobody can evict (they have none). */
void klock_acquire(void)
{
    uint64_t me = this_hart()->mask;
    uint32_t ticket = __atomic_fetch_add(&klock.next, 1, __ATOMIC_RELAXED);
    for (int spins = 0; __atomic_load_n(&klock.owner, __ATOMIC_ACQUIRE) != ticket;) {
        if (++spins < KLOCK_SPINS)
            continue;
        __atomic_fetch_or(&klock.sleepers, me, __ATOMIC_SEQ_CST);
        csr_clear(sip, SIP_SSIP);
        if (__atomic_load_n(&klock.owner, __ATOMIC_SEQ_CST) != ticket)
            __asm__ volatile("wfi");
        __atomic_fetch_and(&klock.sleepers, ~me, __ATOMIC_SEQ_CST);
        spins = 0;
    }
}

void klock_release(void)
{
    __atomic_store_n(&klock.owner, klock.owner + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t sleepers = __atomic_load_n(&klock.sleepers, __ATOMIC_RELAXED);
    if (sleepers)
        smp_ipi(sleepers);
}

/* A started hart, on its own stack (hart.h), from entry.S. */
void __attribute__((noreturn)) hart_main(void)
{
    hart_setup();
    csr_write(satp, kernel_satp);
    sfence_vma_all();
    klock_acquire();
    timer_init(boot.timebase_hz);
    irq_hart_init();
    sched_run();
}

/* The boot hart holds the lock from here on, as every hart in the kernel
 * does; the others wait for it in hart_main. */
void smp_start(void)
{
    if (nharts > 1 && !(sbi_has(SBI_EXT_HSM) && sbi_has(SBI_EXT_IPI) && sbi_has(SBI_EXT_RFENCE))) {
        kprintf("kernel: the firmware lacks SBI HSM, IPI or RFENCE: one hart only\n");
        nharts = 1;
    }
    if (nharts == 1) {
        kprintf("kernel: 1 hart: %lu\n", harts[0]->hartid);
        return;
    }
    hot.smp_on = true;
    klock_acquire();
    unsigned kept = 1;
    for (unsigned i = 1; i < nharts; i++) {
        struct hart *h = harts[i];
        long err = sbi_hart_start(h->hartid, (uint64_t)secondary_entry, (uint64_t)h);
        if (err) {
            kprintf("kernel: hart %lu does not start (SBI error %ld)\n", h->hartid, err);
            continue;
        }
        harts[kept++] = h;
    }
    nharts = kept;
    kprintf("kernel: %u harts:", nharts);
    for (unsigned i = 0; i < nharts; i++)
        kprintf(" %lu", harts[i]->hartid);
    kputs("\n");
}

void smp_ipi(uint64_t mask)
{
    sbi_send_ipi(mask);
}

void smp_wake_idle(void)
{
    uint64_t m = idle_mask;
    if (!m)
        return;
    m &= -m;                      /* one of them is enough for one thread */
    idle_mask &= ~m;
    wakeups++;
    smp_ipi(m);
}

void smp_report(void)
{
    if (!hot.smp_on)
        return;
    kputs("kernel: harts");
    for_each_hart(h)
        kprintf(" %lu", h->hartid);
    kputs(" picked");
    for_each_hart(h)
        kprintf(" %lu", h->picks);
    kprintf(" threads; %lu wake-up IPIs\n", wakeups);
}

void smp_idle_enter(void) { idle_mask |= this_hart()->mask; }
void smp_idle_leave(void) { idle_mask &= ~this_hart()->mask; }

struct hart *smp_running_elsewhere(const struct thread *t)
{
    struct hart *me = this_hart();
    for_each_hart(h)
        if (h != me && h->thread == t)
            return h;
    return NULL;
}

/* h waits for the lock we hold, or runs its thread in user mode and takes
 * the interrupt at once; either way it answers in KLOCK (hart.h). */
void smp_evict(struct hart *h)
{
    h->evict = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    smp_ipi(h->mask);
    while (h->evict)
        ;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    h->thread = NULL;
}
