/* The virtual address layout every address space shares, and the fixed
 * addresses the kernel uses when it starts the pager.  Sv39: user virtual
 * addresses are [0, 2^38).  The kernel maps RAM at its physical address
 * (starting at 2 GiB), so that window is never user space. */
#ifndef KINE_LAYOUT_H
#define KINE_LAYOUT_H

#define KINE_PAGE_SHIFT      12
#define KINE_PAGE_SIZE       (1UL << KINE_PAGE_SHIFT)
#define KINE_PAGE_DOWN(x)    ((x) & ~(KINE_PAGE_SIZE - 1))
#define KINE_PAGE_UP(x)      KINE_PAGE_DOWN((x) + KINE_PAGE_SIZE - 1)

/* Programs live in the low window; page 0..15 stay unmapped to catch NULL. */
#define KINE_USER_BASE       0x10000UL
#define KINE_USER_LIMIT      0x80000000UL

/* Reserved for the kernel's identity map of RAM (up to 126 GiB of RAM). */
#define KINE_KERNEL_BASE     0x80000000UL
#define KINE_KERNEL_LIMIT    0x2000000000UL

/* The high user window: only the pager's boot-time windows live here. */
#define KINE_HIGH_BASE       0x2000000000UL
#define KINE_HIGH_LIMIT      0x4000000000UL   /* 2^38: end of Sv39 user half */

/* Per-program layout chosen by the pager (documented in docs/abi.md). */
#define KINE_IPCBUF_VA       0x7ffff000UL     /* main thread's IPC buffer */
#define KINE_STACK_TOP       0x7fff0000UL     /* 15 pages above, to the IPC buffer */
/* The IPC buffers of a process's other threads (PGR_THREAD_CREATE): slot i
 * at KINE_THREAD_IPCBUF_VA + i pages, KINE_THREADS_MAX - 1 slots between
 * the stack (one never-mapped page above its top) and the main thread's. */
#define KINE_THREAD_IPCBUF_VA (KINE_STACK_TOP + KINE_PAGE_SIZE)
#define KINE_STACK_SIZE      (1024UL * 1024)  /* 1 MiB */
/* Never mapped: between the highest the heap may reach and the stack.  All
 * user code is built with -fstack-check (GCC touches every page of a large
 * frame in order), so an overflowing stack hits the gap before the heap. */
#define KINE_STACK_GAP       (1024UL * 1024)
#define KINE_STACK_BOTTOM    (KINE_STACK_TOP - KINE_STACK_SIZE)
#define KINE_HEAP_LIMIT      (KINE_STACK_BOTTOM - KINE_STACK_GAP)
#define KINE_PAGER_HEAP_VA   0x40000000UL     /* the pager's own malloc heap */
/* Where the pager maps a driver task's device registers (KSYS_DEV_MAP): in
 * the high window, which no program's heap or stack can reach. */
#define KINE_DRIVER_MMIO_VA  0x3000000000UL
/* Where the pager maps a driver task's DMA pages: pool frames whose
 * physical addresses it passes in argv, so a device can reach them.  Far
 * above the registers (KINE_DEVICES_MAX devices, up to KINE_MAP_BATCH
 * pages each, fit many times over below it). */
#define KINE_DRIVER_DMA_VA   0x3100000000UL
#define KINE_PAGER_HEAP_LIMIT 0x7f000000UL

/* Is [va, va + npages pages) a page-aligned range of one user window?
 * Checked so that nothing can wrap: va is bounded before the end is made. */
static inline int kine_user_range_ok(unsigned long va, unsigned long npages)
{
    if ((va & (KINE_PAGE_SIZE - 1)) || npages == 0 || va >= KINE_HIGH_LIMIT ||
        npages > (KINE_HIGH_LIMIT >> KINE_PAGE_SHIFT))
        return 0;
    unsigned long end = va + npages * KINE_PAGE_SIZE;
    if (va >= KINE_USER_BASE && end <= KINE_USER_LIMIT)
        return 1;
    return va >= KINE_HIGH_BASE && end <= KINE_HIGH_LIMIT;
}

/* Pager windows, mapped by the kernel at boot and owned by it. */
#define KINE_PAGER_BOOTINFO_VA 0x2000000000UL  /* struct kine_bootinfo, RO */
#define KINE_PAGER_IMAGE_VA    0x2000200000UL  /* boot image, RO */
#define KINE_PAGER_POOL_VA     0x2040000000UL  /* the whole user pool, RW */
/* Mapped by the pager itself: the first register page of device i of the
 * boot information at KINE_PAGER_PROBE_VA + i pages, when it must read a
 * device's identity to choose its driver (a virtio slot's DeviceID). */
#define KINE_PAGER_PROBE_VA    0x2030000000UL

#endif
