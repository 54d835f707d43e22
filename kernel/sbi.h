/* The few SBI calls the kernel makes (SBI spec 1.0: legacy console, TIME,
 * IPI, RFENCE, HSM). */
#ifndef KINE_SBI_H
#define KINE_SBI_H


#define SBI_EXT_LEGACY_PUTCHAR  0x01
#define SBI_EXT_BASE            0x10
#define SBI_BASE_PROBE_EXT      3
#define SBI_EXT_TIME            0x54494d45   /* "TIME" */
#define SBI_TIME_SET_TIMER      0
#define SBI_EXT_IPI             0x735049     /* "sPI" */
#define SBI_IPI_SEND            0
#define SBI_EXT_RFENCE          0x52464e43   /* "RFNC" */
#define SBI_RFENCE_SFENCE_VMA_ASID 2
#define SBI_FENCE_WHOLE         (~0UL)       /* size: the whole address space */
#define SBI_EXT_HSM             0x48534d     /* "HSM" */
#define SBI_HSM_HART_START      0

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stdbool.h>

struct sbiret { long error; long value; };

static inline struct sbiret sbi_call5(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1,
                                      uint64_t a2, uint64_t a3, uint64_t a4)
{
    register uint64_t r_a0 __asm__("a0") = a0;
    register uint64_t r_a1 __asm__("a1") = a1;
    register uint64_t r_a2 __asm__("a2") = a2;
    register uint64_t r_a3 __asm__("a3") = a3;
    register uint64_t r_a4 __asm__("a4") = a4;
    register uint64_t r_a6 __asm__("a6") = fid;
    register uint64_t r_a7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a6), "r"(r_a7) : "memory");
    return (struct sbiret){ (long)r_a0, (long)r_a1 };
}

static inline struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0)
{
    return sbi_call5(ext, fid, a0, 0, 0, 0, 0);
}

/* Does the firmware implement extension ext? */
static inline bool sbi_has(uint64_t ext)
{
    struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext);
    return r.error == 0 && r.value != 0;
}

/* Set SSIP on the harts of mask (bit = hart id). */
static inline void sbi_send_ipi(uint64_t mask)
{
    sbi_call5(SBI_EXT_IPI, SBI_IPI_SEND, mask, 0, 0, 0, 0);
}

/* The harts of mask drop every translation of asid; OpenSBI returns once
 * they have. */
static inline long sbi_remote_sfence_asid(uint64_t mask, uint64_t asid)
{
    return sbi_call5(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, mask, 0, 0,
                     SBI_FENCE_WHOLE, asid).error;
}

/* Start hart id at physical address pc in S-mode, a0 = id, a1 = opaque. */
static inline long sbi_hart_start(uint64_t hartid, uint64_t pc, uint64_t opaque)
{
    return sbi_call5(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, pc, opaque, 0, 0).error;
}

static inline void sbi_console_putchar(int c)
{
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (uint64_t)(unsigned char)c);
}

static inline void sbi_set_timer(uint64_t when)
{
    sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, when);
}

#endif /* __ASSEMBLER__ */

#endif
