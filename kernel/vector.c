/* Per-thread vector state (RVV 1.0, sstatus.VS), switched lazily like the
 * FP registers (fpu.c), and whether threads get vectors at all.
 *
 * V is used only if the device tree's riscv,isa names it for every hart
 * and v0..v31 fit a page (VREGS * vlenb <= 4 KiB, VLEN <= 1024); then
 * vec_vlenb is nonzero and the pager is told (boot info).  Every thread
 * starts with VS = Off, so its first vector instruction (or access to a
 * vector CSR) traps as illegal; vec_first_use recognises it from the
 * instruction bits in stval, gives the thread its own state -- a zeroed
 * kernel page for the registers, vl 0 and vtype.vill as at reset -- and
 * the instruction re-runs.  Without V, or when that page cannot be had,
 * the instruction stays illegal and the thread's pager hears of it (it
 * kills the process).  The registers then stay in the hardware, owned by
 * the last thread that used them on that hart (struct hart), as fpu.c does
 * for FP: saved when they changed and the unit goes to another vector
 * thread or, with several harts, goes off (on one hart they may stay
 * there while threads without vectors run: vec_owner_dirty); loaded only
 * when a vector thread that is not the hart's owner runs, which takes the
 * ownership from whichever hart had it.  A thread that never used V runs
 * with VS Off, so it can never read the owner's values.  The page goes
 * with the thread (vec_forget). */
#include "kernel.h"
#include "riscv.h"
#include "thread.h"

void vec_save(struct vecstate *s);
void vec_load(const struct vecstate *s);

_Static_assert(__builtin_offsetof(struct vecstate, vl) == 0 &&
               __builtin_offsetof(struct vecstate, vtype) == 8 &&
               __builtin_offsetof(struct vecstate, vstart) == 16 &&
               __builtin_offsetof(struct vecstate, vcsr) == 24 &&
               __builtin_offsetof(struct vecstate, regs) == 32, "vector.S: struct vecstate");

_Static_assert(__builtin_offsetof(struct hart, vec_unit_on) == HART_VEC_ON &&
               __builtin_offsetof(struct hart, vec_owner) == HART_VEC_OWNER &&
               __builtin_offsetof(struct hart, vec_owner_dirty) == HART_VEC_OWNER_DIRTY,
               "hart.h: vector offsets");

uint64_t vec_vlenb;               /* 0: threads get no vector unit */

void vec_init(bool every_hart_has_v)
{
    /* fpu_init turned VS off; it stays off but for a vector thread */
    if (!every_hart_has_v)
        return;
    uint64_t vlenb;
    csr_set(sstatus, SSTATUS_VS_INITIAL);      /* vlenb is a vector CSR */
    __asm__ volatile("csrr %0, %1" : "=r"(vlenb) : "i"(CSR_VLENB));
    csr_clear(sstatus, SSTATUS_VS_MASK);
    if (vlenb == 0 || vlenb > PAGE_SIZE / VREGS) {
        kprintf("kernel: V: %lu-byte vector registers do not fit a page: vectors off\n", vlenb);
        return;
    }
    vec_vlenb = vlenb;
    kprintf("kernel: V: VLEN %lu, vector state switched lazily\n", vlenb * 8);
}

/* A 32-bit instruction that needs the vector unit: OP-V (arithmetic and
 * vset{i}vl{i}), a vector load or store (LOAD-FP / STORE-FP with a vector
 * width), or a CSR instruction on a vector CSR. */
static bool is_vector_instruction(uint64_t insn)
{
    if ((insn & INSN_LEN_MASK) != INSN_LEN_32)
        return false;
    uint64_t funct3 = INSN_FUNCT3(insn);
    switch (insn & INSN_OPCODE_MASK) {
    case OPCODE_OP_V:
        return true;
    case OPCODE_LOAD_FP: case OPCODE_STORE_FP:
        return funct3 == VWIDTH_8 || funct3 == VWIDTH_16 || funct3 == VWIDTH_32 ||
               funct3 == VWIDTH_64;
    case OPCODE_SYSTEM: {
        uint64_t csr = insn >> 20;
        return funct3 != 0 && (csr == CSR_VSTART || csr == CSR_VXSAT || csr == CSR_VXRM ||
                               csr == CSR_VCSR || csr == CSR_VL || csr == CSR_VTYPE ||
                               csr == CSR_VLENB);
    }
    default:
        return false;
    }
}

bool vec_first_use(struct thread *t, uint64_t insn)
{
    if (!vec_vlenb || t->vec_used || !is_vector_instruction(insn))
        return false;
    uint8_t *regs = kalloc_page_for(t->space->inject);   /* zeroed */
    if (!regs)
        return false;                /* no memory: it stays illegal */
    t->vec = (struct vecstate){ .vtype = VTYPE_VILL, .regs = regs };
    t->vec_used = true;
    return true;
}

/* The unit off.  The owner's registers go to memory if they changed since
 * they were loaded (VS Dirty now, or when the unit last went off) and
 * `save`: another thread takes the unit, or several harts run (then a
 * thread not running always has them in memory, and may run next on any
 * hart).  Otherwise they stay in the unit, vec_owner_dirty remembering
 * that memory is behind. */
static void unit_off(struct hart *h, bool save)
{
    uint64_t was = csr_read_clear(sstatus, SSTATUS_VS_MASK);
    bool dirty = h->vec_owner_dirty || (was & SSTATUS_VS_MASK) == SSTATUS_VS_DIRTY;
    if (dirty && save && h->vec_owner) {
        csr_set(sstatus, SSTATUS_VS_DIRTY);    /* the kernel may touch V now */
        vec_save(&h->vec_owner->vec);
        csr_clear(sstatus, SSTATUS_VS_MASK);
        dirty = false;
    }
    h->vec_owner_dirty = dirty;
    h->vec_unit_on = false;
}

/* No hart but this one owns t's registers any more (they are loaded here). */
static void forget_owner(const struct thread *t)
{
    for_each_hart(o)
        if (o->vec_owner == t) {
            o->vec_owner = NULL;
            o->vec_owner_dirty = false;
        }
}

/* Called (vec_return) only when the unit must change: off for a thread
 * without vectors, or made t's. */
void vec_switch(struct thread *t)
{
    struct hart *h = this_hart();
    unit_off(h, hot.smp_on || t->vec_used);
    if (!t->vec_used)
        return;                                /* the owner's values stay */
    if (h->vec_owner != t) {
        forget_owner(t);
        csr_set(sstatus, SSTATUS_VS_DIRTY);
        vec_load(&t->vec);
        h->vec_owner = t;
        csr_clear(sstatus, SSTATUS_VS_MASK);
    }
    csr_set(sstatus, SSTATUS_VS_CLEAN);        /* its next write marks it Dirty */
    h->vec_unit_on = true;
}

void vec_park(void)
{
    struct hart *h = this_hart();
    if (h->vec_unit_on || h->vec_owner_dirty)
        unit_off(h, true);
}

void vec_forget(struct thread *t)
{
    forget_owner(t);
    if (t->vec_used) {
        kfree_page(t->vec.regs);
        t->vec = (struct vecstate){ 0 };
        t->vec_used = false;
    }
}

void units_switch(struct thread *t)
{
    fpu_return(t);
    vec_return(t);
}

bool units_first_use(struct thread *t, uint64_t insn)
{
    return fpu_first_use(t, insn) || vec_first_use(t, insn);
}
