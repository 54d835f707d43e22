/* Per-thread floating-point state, switched lazily.  Every thread starts
 * with sstatus.FS = Off, so its first F/D instruction traps as illegal;
 * fpu_first_use recognises it (from the instruction bits in stval) and
 * gives the thread its own zeroed registers, and the instruction re-runs.
 * The registers then stay in the hardware, owned by the last thread that
 * used them: they are saved only when another FP thread needs the
 * hardware and the owner changed them (FS was Dirty at a trap), and loaded
 * only when a thread that is not the owner runs again.  A thread that never
 * touches FP costs one test on the way back to user mode.  The vector unit
 * (sstatus.VS) can follow the same owner scheme. */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"

void fpu_save(struct fpstate *s);
void fpu_load(const struct fpstate *s);

static struct thread *owner;      /* whose values the FP registers hold */
static bool owner_dirty;          /* ... changed since they were loaded */

void fpu_init(void)
{
    csr_clear(sstatus, SSTATUS_FS_MASK);   /* OpenSBI leaves it Dirty */
}

/* A 32-bit or compressed instruction that needs the F/D unit. */
static bool is_fp_instruction(uint64_t insn)
{
    if ((insn & INSN_LEN_MASK) != INSN_LEN_32) {
        uint64_t quadrant = insn & INSN_LEN_MASK, funct3 = (insn >> 13) & 7;
        return (quadrant == 0 || quadrant == 2) &&
               (funct3 == CFUNCT3_FLD || funct3 == CFUNCT3_FSD);
    }
    switch (insn & INSN_OPCODE_MASK) {
    case OPCODE_LOAD_FP: case OPCODE_STORE_FP: case OPCODE_OP_FP:
    case OPCODE_FMADD: case OPCODE_FMSUB: case OPCODE_FNMSUB: case OPCODE_FNMADD:
        return true;
    case OPCODE_SYSTEM: {
        uint64_t funct3 = (insn >> 12) & 7, csr = insn >> 20;
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

void fpu_trap_entry(void)
{
    if (owner && (csr_read(sstatus) & SSTATUS_FS_MASK) == SSTATUS_FS_DIRTY)
        owner_dirty = true;
}

void fpu_return(struct thread *t)
{
    if (!t->fp_used) {
        csr_clear(sstatus, SSTATUS_FS_MASK);
        return;
    }
    if (owner != t) {
        csr_set(sstatus, SSTATUS_FS_DIRTY);    /* the kernel may touch FP now */
        if (owner && owner_dirty)
            fpu_save(&owner->fp);
        fpu_load(&t->fp);
        owner = t;
        owner_dirty = false;                   /* the registers match t->fp */
    }
    /* Clean, so the next write marks it Dirty; owner_dirty remembers any
     * change made before this trap that is not saved yet. */
    csr_clear(sstatus, SSTATUS_FS_MASK);
    csr_set(sstatus, SSTATUS_FS_CLEAN);
}

void fpu_forget(struct thread *t)
{
    if (owner == t) {
        owner = NULL;
        owner_dirty = false;
    }
}
