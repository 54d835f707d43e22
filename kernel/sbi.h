/* The few SBI calls the kernel makes (SBI spec 1.0: legacy console, TIME). */
#ifndef KINE_SBI_H
#define KINE_SBI_H

#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR  0x01
#define SBI_EXT_TIME            0x54494d45   /* "TIME" */
#define SBI_TIME_SET_TIMER      0

struct sbiret { long error; long value; };

static inline struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0)
{
    register uint64_t r_a0 __asm__("a0") = a0;
    register uint64_t r_a1 __asm__("a1") = 0;
    register uint64_t r_a6 __asm__("a6") = fid;
    register uint64_t r_a7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a6), "r"(r_a7) : "memory");
    return (struct sbiret){ (long)r_a0, (long)r_a1 };
}

static inline void sbi_console_putchar(int c)
{
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (uint64_t)(unsigned char)c);
}

static inline void sbi_set_timer(uint64_t when)
{
    sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, when);
}

#endif
