/* The platform-level interrupt controller (RISC-V PLIC specification 1.0):
 * register layout, and the kernel's driver of it (plic.c).  The kernel
 * uses one context, hart 0's S-mode external interrupt, named by the
 * device tree. */
#ifndef KINE_PLIC_H
#define KINE_PLIC_H

#include <stdint.h>
#include <kinelib/fdt.h>

#define PLIC_SOURCES_MAX     1023        /* source 0 means "none" */
#define PLIC_PRIORITY_BASE   0x0UL       /* one 32-bit priority per source */
#define PLIC_PRIORITY_STRIDE 4UL
#define PLIC_ENABLE_BASE     0x2000UL    /* per context: one bit per source */
#define PLIC_ENABLE_STRIDE   0x80UL
#define PLIC_CONTEXT_BASE    0x200000UL  /* per context: threshold, claim */
#define PLIC_CONTEXT_STRIDE  0x1000UL
#define PLIC_THRESHOLD       0x0UL       /* within a context's block */
#define PLIC_CLAIM           0x4UL       /* read: claim; write: complete */
#define PLIC_WORD_BITS       32

#define PLIC_PRIORITY_OFF    0           /* never interrupts */
#define PLIC_PRIORITY_ON     1           /* the lowest that interrupts */
#define PLIC_THRESHOLD_NONE  0           /* every priority above 0 gets through */

/* Take over the PLIC the device tree describes: every source off, the
 * threshold open.  Returns how many sources it has (1..n), or 0 if there is
 * no usable PLIC (absent, no S-mode context, outside the device window). */
uint32_t plic_init(const struct fdt_range *regs, uint32_t ndev, int context);
void plic_enable(uint32_t src);          /* priority on, enable bit set */
void plic_disable(uint32_t src);         /* enable bit clear, priority off */
uint32_t plic_claim(void);
/* The kernel's context takes every enabled source again (threshold 0). */
void plic_open(void);               /* the highest pending source, or 0 */
void plic_complete(uint32_t src);        /* the source may interrupt again */

#endif
