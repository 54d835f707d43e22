/* Boot: read the device tree (RAM, the PLIC and the devices), split RAM
 * between the kernel's object memory and the user pool, build the pager's
 * address space from the boot image and start it.  Everything after this is driven by traps. */
#include <stdlib.h>
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "vm.h"
#include "plic.h"
#include "device.h"
#include "syscall.h"
#include "hart.h"
#include "tlb.h"
#include <kinelib/fdt.h>
#include <kinelib/elf.h>
#include <kine/bootinfo.h>
#include <kine/bootimg.h>
#include <kine/layout.h>

#define FDT_MAX_SIZE     (2UL << 20)
#define PAGER_STACK_SIZE (64UL * 1024)
#define KMEM_MIN         (4UL << 20)

extern char _end[], _bootimg_start[], _bootimg_end[];
extern void trap_vector(void);

struct boot_facts boot;
_Static_assert(sizeof(struct kine_bootinfo) <= PAGE_SIZE, "boot info is one page");

/* The PLIC, through the device window vm_init made, and the devices user
 * drivers may be given (device.c, irq.c). */
static void take_devices(void)
{
    uint32_t sources = plic_init(&boot.plic, boot.plic_ndev, boot.plic_context);
    irq_init(sources);
    if (sources)
        kprintf("kernel: PLIC at 0x%lx, %u sources, context %d; %u devices for drivers\n",
                boot.plic.base, sources, boot.plic_context, boot.ndevices);
    else
        kprintf("kernel: no usable PLIC: device interrupts off; %u devices for drivers\n",
                boot.ndevices);
}

static void read_device_tree(const void *dtb, uint64_t hartid)
{
    struct fdt_info fi;
    const uint8_t *b = dtb;
    size_t total = (size_t)b[4] << 24 | (size_t)b[5] << 16 | (size_t)b[6] << 8 | b[7];
    if (total > FDT_MAX_SIZE)
        total = FDT_MAX_SIZE;
    if (fdt_parse(dtb, total, &fi) != 0)
        panic("malformed device tree at %p", dtb);
    boot.ram_base = fi.mem_base;
    boot.ram_size = fi.mem_size;
    boot.timebase_hz = fi.timebase_hz ? fi.timebase_hz : 10000000;
    boot.finisher_pa = fi.finisher_pa;
    if (fi.bootargs) {
        /* the whole length goes to the pager, which refuses a line cut short */
        boot.bootargs_len = strnlen(fi.bootargs, fi.bootargs_len);
        size_t n = boot.bootargs_len < sizeof(boot.bootargs) - 1 ? boot.bootargs_len
                                                                 : sizeof(boot.bootargs) - 1;
        memcpy(boot.bootargs, fi.bootargs, n);
    }
    /* what points into the tree is copied now: its memory is reused */
    boot.ndevices = device_init(&fi);
    boot.plic = fi.plic;
    boot.plic_ndev = fi.plic_ndev;
    boot.plic_context = fi.plic_context;
    smp_init(&fi, hartid);
    vec_init(fi.nharts > 0 && fi.nharts_v == fi.nharts);
}

/* RAM above the kernel image: object memory first, then the 2 MiB-aligned
 * user pool up to the end of RAM. */
static void split_memory(void)
{
    uint64_t ram_end = boot.ram_base + boot.ram_size;
    uint64_t kmem_start = ALIGN_UP((uint64_t)_end, PAGE_SIZE);
    uint64_t kmem_end = kmem_start + KMEM_MIN + ALIGN_DOWN(boot.ram_size / 32, PAGE_SIZE);
    uint64_t pool_start = ALIGN_UP(kmem_end, MEGAPAGE_SIZE);
    uint64_t pool_end = ALIGN_DOWN(ram_end, MEGAPAGE_SIZE);
    if (pool_start >= pool_end)
        panic("not enough RAM: %lu MiB", boot.ram_size >> 20);
    kalloc_init(kmem_start, pool_start);
    boot.pool_pa = pool_start;
    boot.pool_frames = (pool_end - pool_start) / PAGE_SIZE;
    hot_init();
}

static void map_or_panic(struct space *s, uint64_t va, uint64_t pa, uint64_t flags)
{
    if (vm_map(s, va, pa, flags | PTE_U | PTE_KERNEL_OWNED) != 0)
        panic("boot: cannot map pager page at 0x%lx", va);
}

static void *alloc_or_panic(void)
{
    void *p = kalloc_page();
    if (!p)
        panic("boot: kernel memory exhausted while loading the pager");
    return p;
}

static uint64_t bootimg_size(void) { return (uint64_t)(_bootimg_end - _bootimg_start); }

/* The pager's ELF, first in the boot image, checked. */
static const uint8_t *pager_image(struct elf_program *prog)
{
    const struct kine_bootimg *img = (const struct kine_bootimg *)_bootimg_start;
    const char *why = "";
    if (bootimg_size() < sizeof(*img) || img->magic != KINE_BOOTIMG_MAGIC || img->count == 0 ||
        strcmp(img->entry[0].name, "pager") != 0)
        panic("boot image is missing or has no pager first");
    const uint8_t *elf = (const uint8_t *)_bootimg_start + img->entry[0].offset;
    if (elf_check(elf, img->entry[0].size, KINE_USER_BASE, KINE_PAGER_HEAP_VA, prog, &why))
        panic("pager image rejected: %s", why);
    return elf;
}

/* Each segment page in a kernel page of its own, filled from the image. */
static void load_segments(struct space *s, const uint8_t *elf, const struct elf_program *prog)
{
    for (unsigned i = 0; i < prog->nseg; i++) {
        const struct elf_segment *sg = &prog->seg[i];
        uint64_t flags = vm_rights_to_pte(sg->rights), fend = sg->vaddr + sg->filesz;
        for (uint64_t va = ALIGN_DOWN(sg->vaddr, PAGE_SIZE); va < sg->vaddr + sg->memsz; va += PAGE_SIZE) {
            uint8_t *page = alloc_or_panic();
            /* the part of the file that falls into this page */
            uint64_t lo = va > sg->vaddr ? va : sg->vaddr;
            uint64_t hi = va + PAGE_SIZE < fend ? va + PAGE_SIZE : fend;
            if (hi > lo)
                memcpy(page + (lo - va), elf + sg->offset + (lo - sg->vaddr), hi - lo);
            map_or_panic(s, va, (uint64_t)page, flags);
        }
    }
}

/* What the pager is told at boot, in a read-only page (kine/bootinfo.h). */
static void map_bootinfo(struct space *s, struct thread *t)
{
    struct kine_bootinfo *bi = alloc_or_panic();
    bi->magic = KINE_BOOTINFO_MAGIC;
    bi->pool_pa = boot.pool_pa;
    bi->pool_frames = boot.pool_frames;
    bi->pool_va = KINE_PAGER_POOL_VA;
    bi->image_va = KINE_PAGER_IMAGE_VA;
    bi->image_size = bootimg_size();
    bi->self_tid = thread_tid(t);
    bi->self_as = space_handle(s);
    bi->ipcbuf_va = KINE_IPCBUF_VA;
    bi->timebase_hz = boot.timebase_hz;
    bi->kernel_frames = kalloc_total_pages();
    memcpy(bi->bootargs, boot.bootargs, sizeof(bi->bootargs) - 1);
    bi->bootargs_len = boot.bootargs_len;
    device_bootinfo(bi);
    bi->vector_vlenb = vec_vlenb;
    map_or_panic(s, KINE_PAGER_BOOTINFO_VA, (uint64_t)bi, PTE_R);
}

/* The pager's windows: the boot image (read-only) and the whole user pool. */
static void map_windows(struct space *s)
{
    for (uint64_t off = 0; off < bootimg_size(); off += PAGE_SIZE)
        map_or_panic(s, KINE_PAGER_IMAGE_VA + off, (uint64_t)_bootimg_start + off, PTE_R);
    for (uint64_t off = 0; off < boot.pool_frames * PAGE_SIZE; off += MEGAPAGE_SIZE)
        if (vm_map_mega(s, KINE_PAGER_POOL_VA + off, boot.pool_pa + off,
                        PTE_R | PTE_W | PTE_U | PTE_KERNEL_OWNED))
            panic("boot: cannot map the pool window");
}

/* The first task: its space, thread, image, stack, boot info and windows. */
static void load_pager(void)
{
    struct elf_program prog;
    const uint8_t *elf = pager_image(&prog);
    struct space *s;
    struct thread *t;
    if (space_create(true, UINT64_MAX, false, &s) || thread_create(s, KINE_IPCBUF_VA, NULL, &t))
        panic("boot: cannot create the pager");
    load_segments(s, elf, &prog);
    for (uint64_t va = KINE_STACK_TOP - PAGER_STACK_SIZE; va < KINE_STACK_TOP; va += PAGE_SIZE)
        map_or_panic(s, va, (uint64_t)alloc_or_panic(), PTE_R | PTE_W);
    map_bootinfo(s, t);
    map_windows(s);
    t->tf.sepc = prog.entry;
    t->tf.x[REG_SP] = KINE_STACK_TOP;
    t->tf.x[REG_A0] = KINE_PAGER_BOOTINFO_VA;
    sched_ready(t);
}

/* The value of kernel option opt ("kernel.NAME=") on the command line, or
 * NULL; a word of its own, not the tail of another. */
static const char *kernel_option(const char *opt)
{
    for (const char *p = boot.bootargs; (p = strstr(p, opt)); p++)
        if (p == boot.bootargs || p[-1] == ' ')
            return p + strlen(opt);
    return NULL;
}

/* Is kernel option opt ("kernel.NAME=") given as the word "off"? */
static bool kernel_option_off(const char *opt)
{
    static const char off[] = "off";
    const char *v = kernel_option(opt);
    return v && strncmp(v, off, sizeof(off) - 1) == 0 &&
           (v[sizeof(off) - 1] == ' ' || v[sizeof(off) - 1] == '\0');
}

/* kernel.failalloc=N: fault injection (kalloc.c).  kernel.fastpath=off:
 * every IPC call and fault takes the general path (fastpath.S), so a test
 * can check that both give the same results.  kernel.asid=off: no ASIDs,
 * so the flush that stands in for them on harts without any is tested.
 * kernel.shootdown=off: no remote TLB fence (tlb.c), to show what breaks. */
static void kernel_options(void)
{
    const char *v = kernel_option("kernel.failalloc=");
    uint64_t n = v ? strtoul(v, NULL, 10) : 0;
    if (n >= 2) {
        kalloc_inject(n);
        kprintf("kernel: fault injection: every %luth object allocation for marked "
                "spaces fails\n", n);
    }
    bool general_only = kernel_option_off("kernel.fastpath=");
    syscall_init(general_only);
    if (general_only)
        kputs("kernel: fast paths off\n");
    if (kernel_option_off("kernel.asid=")) {
        space_no_asids();
        kputs("kernel: ASIDs off\n");
    }
    if (kernel_option_off("kernel.shootdown=")) {
        tlb_shootdown_off = true;
        kputs("kernel: remote TLB shootdowns off: copy-on-write is unsafe on several harts\n");
    }
}

void hart_setup(void)
{
    csr_write(stvec, (uint64_t)trap_vector);
    csr_write(sscratch, 0);
    csr_clear(sstatus, SSTATUS_SIE | SSTATUS_SPP | SSTATUS_SPIE);
    fpu_init();
    csr_write(scounteren, SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
    /* An IPI must wake this hart from its first wait for the big lock on
     * (hart.h), before the scheduler's timer is set up. */
    csr_set(sie, SIE_SSIE);
}

void kmain(uint64_t hartid, const void *dtb)
{
    hart_setup();
    read_device_tree(dtb, hartid);
    split_memory();
    vm_init(boot.ram_base, boot.ram_size);
    power_init(boot.finisher_pa);
    kprintf("kernel: kine on hart %lu: %lu MiB RAM at 0x%lx, %lu KiB kernel memory, "
            "%lu user frames\n", hartid, boot.ram_size >> 20, boot.ram_base,
            kalloc_total_pages() * 4, boot.pool_frames);
    kputs("kernel: command line \"");     /* whole: kprintf cuts at a line's length */
    kputs(boot.bootargs);
    kputs("\"\n");
    kernel_options();
    take_devices();
    load_pager();
    timer_init(boot.timebase_hz);
    smp_start();
    sched_run();
}
