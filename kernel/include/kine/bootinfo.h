/* What the kernel tells the pager at boot, in a read-only page at
 * KINE_PAGER_BOOTINFO_VA (also passed in a0). */
#ifndef KINE_BOOTINFO_H
#define KINE_BOOTINFO_H

#include <stdint.h>

#define KINE_BOOTINFO_MAGIC  0x6b696e65626f6f74ULL  /* "kineboot" */
#define KINE_BOOTARGS_MAX    3072
#define KINE_DEVICES_MAX     16
#define KINE_DEVICE_NAME     24

/* A device node of the device tree that a user-level driver may be given:
 * its registers (KSYS_DEV_MAP) and its interrupt (KSYS_IRQ_BIND). */
struct kine_device {
    uint64_t base, size;       /* physical address and length of its registers */
    uint64_t irq;              /* its PLIC source, 0 if it has none */
    char compatible[KINE_DEVICE_NAME];   /* first compatible string, NUL-ended
                                            (cut short if longer) */
};

struct kine_bootinfo {
    uint64_t magic;
    uint64_t pool_pa;          /* physical address of frame 0 */
    uint64_t pool_frames;      /* frames the pager may map */
    uint64_t pool_va;          /* where the pool is mapped in the pager */
    uint64_t image_va;         /* boot image (struct kine_bootimg) */
    uint64_t image_size;
    uint64_t self_tid;         /* the pager's own thread */
    uint64_t self_as;          /* the pager's own address space */
    uint64_t ipcbuf_va;        /* the pager's IPC buffer */
    uint64_t timebase_hz;      /* rate of the time CSR */
    uint64_t kernel_frames;    /* kernel object memory, for the record */
    uint64_t bootargs_len;     /* full length in the device tree */
    char bootargs[KINE_BOOTARGS_MAX];  /* from /chosen/bootargs, NUL-ended */
    uint64_t ndevices;         /* devices[0 .. ndevices), in device-tree order */
    struct kine_device devices[KINE_DEVICES_MAX];
    uint64_t vector_vlenb;     /* bytes per vector register if threads may use
                                  RVV (every hart has V), 0 if not */
};

#endif
