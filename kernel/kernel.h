/* Kernel-wide declarations: console, panic, physical memory, boot facts. */
#ifndef KINE_KERNEL_H
#define KINE_KERNEL_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <kine/error.h>
#include <kine/bootinfo.h>
#include <kinelib/fdt.h>

#define ALIGN_UP(x, a)   (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define NORETURN         __attribute__((noreturn))

/* console.c */
void kputs(const char *s);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2))) NORETURN;
void console_write(const char *buf, size_t len);

/* boot.c: the CSRs every hart sets up before it runs anything */
void hart_setup(void);

/* power.c */
void power_init(uint64_t finisher_pa);
void poweroff(int status) NORETURN;

/* kalloc.c: the kernel's own object memory, 4 KiB pages */
void kalloc_init(uint64_t start, uint64_t end);
void *kalloc_page(void);          /* zeroed, or NULL when exhausted */
/* The same for an object of a space; with kernel.failalloc=N every Nth
 * such allocation for a marked (injectable) space fails. */
void *kalloc_page_for(bool injectable);
void kalloc_inject(uint64_t every);
void kalloc_report(void);          /* at power-off: what injection did */
uint64_t kalloc_free_pages(void);
void kfree_page(void *page);
uint64_t kalloc_total_pages(void);

/* Facts gathered at boot (boot.c). */
struct boot_facts {
    uint64_t ram_base, ram_size;
    uint64_t timebase_hz;
    uint64_t finisher_pa;
    uint64_t pool_pa, pool_frames;
    uint64_t bootargs_len;       /* its full length in the device tree */
    char bootargs[KINE_BOOTARGS_MAX];
    struct fdt_range plic;       /* the PLIC's registers, its sources, and */
    uint32_t plic_ndev;          /* its context for hart 0's S mode */
    int plic_context;
    unsigned ndevices;           /* kept by device.c */
};
extern struct boot_facts boot;

#endif
