/* Power-off with an exit status, through QEMU virt's test finisher
 * ("sifive,test0"): 0x5555 = pass, (code << 16) | 0x3333 = exit with code. */
#include "kernel.h"
#include "tlb.h"
#include "vm.h"

#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333

static volatile uint32_t *finisher;

void power_init(uint64_t finisher_pa)
{
    if (finisher_pa)
        finisher = (volatile uint32_t *)kdev_va(finisher_pa);
}

void poweroff(int status)
{
    kalloc_report();
    tlb_report();
    kprintf("kernel: power off, status %d\n", status);
    if (finisher) {
        if (status == 0)
            *finisher = FINISHER_PASS;
        else
            *finisher = ((uint32_t)(status & 0xffff) << 16) | FINISHER_FAIL;
    }
    for (;;)
        __asm__ volatile("wfi");
}
