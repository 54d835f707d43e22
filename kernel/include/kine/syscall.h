/* System call numbers and register conventions.
 *
 * ecall with the number in a7 and arguments in a0..a6.  Every call returns
 * a0 = 0 (or a non-negative value) on success, or -KINE_E* on error.  The IPC
 * calls use the same registers for the message in both directions:
 *   in:  a0 = destination tid, a1 = tag, a2..a5 = MR0..MR3, a6 = deadline
 *   out: a0 = status,          a1 = tag, a2..a5 = MR0..MR3, a6 = sender tid
 * Calls marked PAGER return -KINE_EPERM from any thread but the pager's.
 *
 * An ecall is a function call as the RISC-V psABI has it: it may clobber
 * the caller-saved registers ra, t0..t6 and a0..a7, and it keeps sp, gp, tp,
 * s0..s11 and every floating-point register.  What it clobbers comes back
 * as a result (a0; a1..a6 for a received message) or zero, never a value
 * of the kernel's or of another thread, so the kernel saves only what it
 * must keep.  An interrupt or exception keeps every register. */
#ifndef KINE_SYSCALL_H
#define KINE_SYSCALL_H

/* KSYS_AS_CREATE */
#define KINE_AS_INJECT       1UL     /* kernel.failalloc applies to this space */
#define KINE_AS_TABLES_MAX   8192    /* page-table pages one space may hold */

/* KSYS_AS_COPY */
#define KINE_COPY_COW        1UL     /* write-protect the range in both spaces */

/* KSYS_AS_ACCESSED */
#define KINE_ACCESS_CLEAR     1UL    /* clear A in every PTE it reports */
#define KINE_ACCESS_UNMAP     2UL    /* remove every PTE it reports */
#define KINE_ACCESS_PAGES_MAX 4096   /* pages one call covers: two bitmaps of
                                        this many bits fill 1 KiB */
#define KINE_ACCESS_WORD_BITS 64
/* 64-bit words of one bitmap for npages pages; D's starts at this word. */
#define KINE_ACCESS_WORDS(npages) (((npages) + KINE_ACCESS_WORD_BITS - 1) / KINE_ACCESS_WORD_BITS)

/* What each kernel object costs in kernel memory pages: a thread is its
 * own page, its IPC buffer and, once it runs a vector instruction on a hart
 * with V, a page for its vector registers; a space is its own page and its
 * root table (page tables below it count against its table_limit), and
 * every 256 objects take one page of the handle table.  The pager budgets
 * with these. */
#define KINE_KMEM_THREAD_PAGES 3
#define KINE_KMEM_SPACE_PAGES  3

enum kine_sysno {
    KSYS_DEBUG_WRITE   = 1,  /* PAGER (len): print len bytes of own IPC buffer */
    KSYS_YIELD         = 2,  /* (): give up the rest of the time slice */
    KSYS_EXIT          = 3,  /* (status): stop; pager gets an EXIT message */
    KSYS_CALL          = 4,  /* send to a0, then wait for a0's reply */
    KSYS_SEND          = 5,  /* send to a0, block until delivered */
    KSYS_RECV          = 6,  /* wait for any sender (a6 = deadline or 0) */
    KSYS_REPLY         = 7,  /* reply to a0 if it waits on us; never blocks */
    KSYS_REPLY_RECV    = 8,  /* reply to a0 (if a0 != 0), then RECV */
    KSYS_SELF          = 9,  /* (): own tid */

    KSYS_AS_CREATE     = 16, /* PAGER (table_limit, flags): new address space
                                handle; it may hold at most table_limit page-
                                table pages (1..KINE_AS_TABLES_MAX); flags:
                                KINE_AS_INJECT */
    KSYS_AS_DESTROY    = 17, /* PAGER (as): destroys its threads too */
    KSYS_THREAD_CREATE = 18, /* PAGER (as, ipcbuf_va): tid, not yet running */
    KSYS_THREAD_START  = 19, /* PAGER (tid, pc, sp, a0, a1) */
    KSYS_THREAD_DESTROY= 20, /* PAGER (tid) */
    KSYS_MAP           = 21, /* PAGER (as, n): n struct kine_map_entry in IPC buf */
    KSYS_UNMAP         = 22, /* PAGER (as, va, npages) */
    KSYS_PROTECT       = 23, /* PAGER (as, va, npages, rights) */
    KSYS_POWEROFF      = 24, /* PAGER (status): QEMU exits with status */
    KSYS_MAP_REPLY_RECV= 25, /* PAGER (dest, as, n, va_rights, frame, -,
                                deadline): MAP (as, n) of the entry in a3/a4
                                and entries 1..n-1 of the IPC buffer, then an
                                empty REPLY to dest and RECV; if the map
                                fails nothing is sent or received */
    KSYS_AS_QUERY      = 26, /* PAGER (as, va, npages): up to KINE_MAP_BATCH
                                struct kine_map_entry into the IPC buffer, one
                                per present PTE in the range (va | rights |
                                KINE_PTE_ACCESSED/DIRTY, pool frame or
                                KINE_FRAME_NONE), in address order -> how many */
    KSYS_KMEM_INFO     = 27, /* PAGER (): free kernel object pages */
    KSYS_AS_TABLES     = 28, /* PAGER (as): page-table pages the space holds */
    KSYS_DEV_MAP       = 29, /* PAGER (as, va, pa, npages): map npages (1..
                                KINE_MAP_BATCH) of a device's registers at pa,
                                read-write and kernel-owned, at va of as; the
                                range must lie in the pages of one device node
                                of the device tree (struct kine_device) */
    KSYS_IRQ_BIND      = 30, /* PAGER (source, tid): each interrupt of that PLIC
                                source becomes a KINE_LABEL_IRQ message to tid;
                                tid 0 unbinds */
    KSYS_IRQ_ACK       = 31, /* (source): the bound thread has served the
                                interrupt it was sent; the line is unmasked */
    KSYS_AS_COPY       = 40, /* PAGER (src, dst, va, npages, flags): every
                                present PTE of src in the range, into dst with
                                the same frame and rights; KINE_COPY_COW drops
                                W in both.  All or nothing -> count */
    KSYS_AS_ACCESSED   = 41, /* PAGER (as, va, npages, flags): for npages (1..
                                KINE_ACCESS_PAGES_MAX) from va, two bitmaps
                                into the IPC buffer, bit i of page va + i*4K:
                                A from word 0, D from KINE_ACCESS_WORDS(npages);
                                flags: KINE_ACCESS_CLEAR, KINE_ACCESS_UNMAP;
                                TLB entries changed are flushed -> present PTEs */
    KSYS_NOTIFY        = 42, /* PAGER (tid, bits != 0): OR bits into tid's
                                notification word; tid gets them as a
                                KINE_LABEL_NOTIFY message when it next receives
                                (at once if it is receiving).  Never blocks */

    KSYS_COUNT
};

#endif
