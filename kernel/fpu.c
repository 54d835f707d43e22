/* Per-thread floating-point state, switched lazily.  Every thread starts
 * with sstatus.FS = Off, so its first F/D instruction traps as illegal;
 * fpu_first_use recognises it (from the instruction bits in stval) and
 * gives the thread its own zeroed registers, and the instruction re-runs.
 * The registers then stay in the hardware, owned by the last thread that
 * used them on that hart (struct hart): they are saved when the unit goes
 * off or changes hands and the owner changed them (FS is Dirty), and loaded
 * only when a thread that is not the hart's owner runs.  So a thread that
 * is not running always has its registers in memory too, and may run next
 * on any hart; a hart that loads them takes the ownership from whichever
 * hart had it.  A thread that never touches FP costs one test on the way
 * back to user mode.  The vector unit (sstatus.VS) follows the same owner
 * scheme in vector.c. */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"

void fpu_save(struct fpstate *s);
void fpu_load(const struct fpstate *s);


void fpu_init(void)
{
    /* OpenSBI leaves FS Dirty, and VS on where the hart has vectors: off,
     * both, until a thread has state of its own (vector.c for VS). */
    csr_clear(sstatus, SSTATUS_FS_MASK | SSTATUS_VS_MASK);
}

/* A 32-bit or compressed instruction that needs the F/D unit. */
static bool is_fp_instruction(uint64_t insn)
{
    if ((insn & INSN_LEN_MASK) != INSN_LEN_32) {
        uint64_t quadrant = insn & INSN_LEN_MASK, funct3 = (insn >> 13) & 7;
        return (quadrant == 0 || quadrant == 2) &&
               (funct3 == CFUNCT3_FLD || funct3 == CFUNCT3_FSD);
    }
    uint64_t funct3 = INSN_FUNCT3(insn);
    switch (insn & INSN_OPCODE_MASK) {
    case OPCODE_LOAD_FP: case OPCODE_STORE_FP:   /* not the vector widths (vector.c) */
        return funct3 != VWIDTH_8 && funct3 != VWIDTH_16 && funct3 != VWIDTH_32 &&
               funct3 != VWIDTH_64;
    case OPCODE_OP_V:                            /* vector FP needs FS on as well as VS */
        return funct3 == OPV_FUNCT3_OPFVV || funct3 == OPV_FUNCT3_OPFVF;
    case OPCODE_OP_FP:
    case OPCODE_FMADD: case OPCODE_FMSUB: case OPCODE_FNMSUB: case OPCODE_FNMADD:
        return true;
    case OPCODE_SYSTEM: {
        uint64_t csr = insn >> 20;
        return funct3 != 0 && (csr == CSR_FFLAGS || csr == CSR_FRM || csr == CSR_FCSR);
    }
    default:
        return false;
    }
}

bool fpu_first_use(struct thread *t, uint64_t insn)
{
    if (t->fp_used || !is_fp_instruction(insn))
        return false;
    memset(&t->fp, 0, sizeof(t->fp));
    t->fp_used = true;
    return true;
}

/* The owner's registers into memory if it changed them since they were
 * loaded (FS Dirty: nothing but this file changes FS while the kernel
 * runs), then the unit off. */
static void unit_off(struct hart *h)
{
    if (h->fpu_owner && (csr_read(sstatus) & SSTATUS_FS_MASK) == SSTATUS_FS_DIRTY)
        fpu_save(&h->fpu_owner->fp);
    csr_clear(sstatus, SSTATUS_FS_MASK);
    h->fpu_unit_on = false;
}

/* Called (fpu_return) only when the unit must change: turned off for a
 * thread without FP, or made t's. */
void fpu_switch(struct thread *t)
{
    struct hart *h = this_hart();
    unit_off(h);
    if (!t->fp_used)
        return;                                /* the owner's values stay */
    if (h->fpu_owner != t) {
        fpu_forget(t);                         /* no other hart's copy is t's now */
        csr_set(sstatus, SSTATUS_FS_DIRTY);    /* the kernel may touch FP now */
        fpu_load(&t->fp);
        h->fpu_owner = t;
        csr_clear(sstatus, SSTATUS_FS_MASK);
    }
    /* Clean, so its next write marks it Dirty.  While t keeps the unit,
     * nothing here runs again. */
    csr_set(sstatus, SSTATUS_FS_CLEAN);
    h->fpu_unit_on = true;
}

void fpu_park(void)
{
    struct hart *h = this_hart();
    if (h->fpu_unit_on)
        unit_off(h);
}

void fpu_forget(struct thread *t)
{
    for_each_hart(h)
        if (h->fpu_owner == t)
            h->fpu_owner = NULL;
}
