/* The kernel's PLIC driver: priorities, enable bits, threshold,
 * claim/complete for one context (hart 0, S-mode), through the kernel's
 * device window.  Which thread a source belongs to is irq.c's business. */
#include "kernel.h"
#include "plic.h"
#include "vm.h"

static uint64_t plic_base;
static uint64_t context_block, enable_block;

static volatile uint32_t *reg(uint64_t off)
{
    return (volatile uint32_t *)kdev_va(plic_base + off);
}

uint32_t plic_init(const struct fdt_range *regs, uint32_t ndev, int context)
{
    if (!regs->size || context < 0 || ndev == 0)
        return 0;
    uint64_t ctx = (uint64_t)context;
    uint64_t needed = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (ctx + 1);
    if (regs->size < needed || regs->base >= KDEV_PA_LIMIT ||
        regs->size > KDEV_PA_LIMIT - regs->base)
        return 0;
    if (ndev > PLIC_SOURCES_MAX)
        ndev = PLIC_SOURCES_MAX;
    plic_base = regs->base;
    context_block = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx;
    enable_block = PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * ctx;
    for (uint32_t src = 1; src <= ndev; src++)
        plic_disable(src);
    *reg(context_block + PLIC_THRESHOLD) = PLIC_THRESHOLD_NONE;
    return ndev;
}

void plic_open(void)
{
    if (plic_base)
        *reg(context_block + PLIC_THRESHOLD) = PLIC_THRESHOLD_NONE;
}

static volatile uint32_t *enable_word(uint32_t src)
{
    return reg(enable_block + sizeof(uint32_t) * (src / PLIC_WORD_BITS));
}

void plic_enable(uint32_t src)
{
    *reg(PLIC_PRIORITY_BASE + PLIC_PRIORITY_STRIDE * src) = PLIC_PRIORITY_ON;
    *enable_word(src) |= 1u << (src % PLIC_WORD_BITS);
}

void plic_disable(uint32_t src)
{
    *enable_word(src) &= ~(1u << (src % PLIC_WORD_BITS));
    *reg(PLIC_PRIORITY_BASE + PLIC_PRIORITY_STRIDE * src) = PLIC_PRIORITY_OFF;
}

uint32_t plic_claim(void)
{
    return plic_base ? *reg(context_block + PLIC_CLAIM) : 0;
}

void plic_complete(uint32_t src)
{
    *reg(context_block + PLIC_CLAIM) = src;
}
