/* RISC-V privileged-architecture names the kernel uses: CSR bits, trap
 * causes, Sv39 PTE bits.  Values from the RISC-V privileged spec 1.12.
 * The constants are usable from assembly (entry.S) too. */
#ifndef KINE_RISCV_H
#define KINE_RISCV_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define SSTATUS_SIE      (1UL << 1)
#define SSTATUS_SPIE     (1UL << 5)
#define SSTATUS_SPP      (1UL << 8)
#define SSTATUS_SUM      (1UL << 18)
#define SSTATUS_FS_MASK  (3UL << 13)   /* floating-point unit state */
#define SSTATUS_VS_MASK  (3UL << 9)    /* vector unit state */
#define SSTATUS_FS_CLEAN (2UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)
#define SSTATUS_VS_INITIAL (1UL << 9)
#define SSTATUS_VS_CLEAN (2UL << 9)
#define SSTATUS_VS_DIRTY (3UL << 9)

/* Instruction fields for recognising F/D instructions (fpu.c). */
#define INSN_LEN_MASK    3UL           /* 3: a 32-bit instruction */
#define INSN_LEN_32      3UL
#define INSN_OPCODE_MASK 0x7fUL
#define OPCODE_LOAD_FP   0x07
#define OPCODE_STORE_FP  0x27
#define OPCODE_FMADD     0x43
#define OPCODE_FMSUB     0x47
#define OPCODE_FNMSUB    0x4b
#define OPCODE_FNMADD    0x4f
#define OPCODE_OP_FP     0x53
#define OPCODE_SYSTEM    0x73
#define CFUNCT3_FLD      1             /* c.fld / c.fldsp (quadrants 0 / 2) */
#define CFUNCT3_FSD      5             /* c.fsd / c.fsdsp */
#define CSR_FFLAGS       0x001
#define CSR_FRM          0x002
#define CSR_FCSR         0x003

/* ... and vector instructions (vector.c; RISC-V V spec 1.0).  Vector loads
 * and stores share LOAD-FP / STORE-FP with F/D, told apart by the width
 * field (bits 14:12); OP-V holds the rest, vset{i}vl{i} included, and its
 * floating-point forms (OPFVV, OPFVF) need the FP unit too. */
#define OPCODE_OP_V      0x57
#define INSN_FUNCT3(i)   (((i) >> 12) & 7)
#define VWIDTH_8         0             /* vle8 / vse8 and the whole-register forms */
#define VWIDTH_16        5
#define VWIDTH_32        6
#define VWIDTH_64        7
#define OPV_FUNCT3_OPFVV 1
#define OPV_FUNCT3_OPFVF 5
#define CSR_VSTART       0x008
#define CSR_VXSAT        0x009
#define CSR_VXRM         0x00a
#define CSR_VCSR         0x00f
#define CSR_VL           0xc20
#define CSR_VTYPE        0xc21
#define CSR_VLENB        0xc22
#define VTYPE_VILL       (1UL << 63)   /* vtype of a hart with no valid setting */
#define VREGS            32

#define SIE_SSIE         (1UL << 1)
#define SIP_SSIP         (1UL << 1)
#define SIE_STIE         (1UL << 5)
#define SIP_STIP         (1UL << 5)
#define SIE_SEIE         (1UL << 9)
#define SIP_SEIP         (1UL << 9)

#define SCOUNTEREN_CY    (1UL << 0)
#define SCOUNTEREN_TM    (1UL << 1)
#define SCOUNTEREN_IR    (1UL << 2)

#define SCAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_SOFT       1
#define IRQ_S_TIMER      5
#define IRQ_S_EXTERNAL   9

#define EXC_INSN_MISALIGNED   0
#define EXC_INSN_ACCESS       1
#define EXC_ILLEGAL_INSN      2
#define EXC_BREAKPOINT        3
#define EXC_LOAD_MISALIGNED   4
#define EXC_LOAD_ACCESS       5
#define EXC_STORE_MISALIGNED  6
#define EXC_STORE_ACCESS      7
#define EXC_ECALL_U           8
#define ECALL_BYTES           4   /* sepc + this: the instruction after it */
#define EXC_INSN_PAGE_FAULT   12
#define EXC_LOAD_PAGE_FAULT   13
#define EXC_STORE_PAGE_FAULT  15

#define SATP_MODE_SV39   (8UL << 60)
#define SATP_ASID_SHIFT  44
#define SATP_ASID_MASK   0xffffUL
#define SATP_PPN_MASK    ((1UL << SATP_ASID_SHIFT) - 1)

#define PTE_V            (1UL << 0)
#define PTE_R            (1UL << 1)
#define PTE_W            (1UL << 2)
#define PTE_X            (1UL << 3)
#define PTE_U            (1UL << 4)
#define PTE_G            (1UL << 5)
#define PTE_A            (1UL << 6)
#define PTE_D            (1UL << 7)
#define PTE_KERNEL_OWNED (1UL << 8)  /* RSW bit: the pager may not touch it */
#define PTE_PPN_SHIFT    10
#define PA_LIMIT         (1UL << 56)  /* Sv39: physical addresses have 56 bits */
#define PTE_FLAGS_MASK   0x3ffUL
#define PTE_LEAF_MASK    (PTE_R | PTE_W | PTE_X)

#define PAGE_SIZE        4096UL
#define PAGE_SHIFT       12
#define MEGAPAGE_SHIFT   21
#define MEGAPAGE_SIZE    (PAGE_SIZE * 512)
#define GIGAPAGE_SIZE    (MEGAPAGE_SIZE * 512)
#define PT_ENTRIES       512
#define PT_INDEX_BITS    9            /* log2(PT_ENTRIES): a VPN field */
#define SV39_LEVELS      3

#define PA_TO_PTE(pa)    (((pa) >> PAGE_SHIFT) << PTE_PPN_SHIFT)
#define PTE_TO_PA(pte)   (((pte) >> PTE_PPN_SHIFT) << PAGE_SHIFT)
#define VPN(va, level)   (((va) >> (PAGE_SHIFT + PT_INDEX_BITS * (level))) & (PT_ENTRIES - 1))

#ifndef __ASSEMBLER__
#define csr_read(csr) __extension__({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "r"((uint64_t)(v)))
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "r"((uint64_t)(v)))
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "r"((uint64_t)(v)))
#define csr_read_clear(csr, v) __extension__({ uint64_t o_; \
    __asm__ volatile("csrrc %0, " #csr ", %1" : "=r"(o_) : "r"((uint64_t)(v))); o_; })

static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void sfence_vma_asid(uint64_t asid)
{
    __asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
}
static inline void sfence_vma_page(uint64_t va, uint64_t asid)
{
    __asm__ volatile("sfence.vma %0, %1" :: "r"(va), "r"(asid) : "memory");
}
#endif /* __ASSEMBLER__ */

#endif
