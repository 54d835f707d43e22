/* What the assembly fast paths (fastpath.S) know of the kernel's C
 * structures and constants.  Every value is checked against the C
 * definitions at compile time (thread.h, handle.h, fastpath.c), so a
 * change there that moves one stops the build instead of the kernel. */
#ifndef KINE_FASTPATH_H
#define KINE_FASTPATH_H

/* struct thread: the fields the fast paths use come first after the frame */
#define THREAD_TID            288
#define THREAD_SPACE          296
#define THREAD_PARTNER        304
#define THREAD_SENDQ_HEAD     312
#define THREAD_DEADLINE       320
#define THREAD_NOTIFY_BITS    328
#define THREAD_STATE          336     /* 32 bits */
#define THREAD_IRQS_PENDING   340     /* 32 bits */
#define THREAD_UNITS_USED     344     /* 16 bits: fp_used, vec_used */
#define THREAD_FP_USED        344     /* 8 bits */
#define THREAD_VEC_USED       345     /* 8 bits */
#define THREAD_KMSG           346     /* 8 bits */
#define THREAD_PEER           352
/* ... and those of the fault paths, further on */
#define THREAD_PAGER          392
#define THREAD_FAULT_VA       488
#define THREAD_FAULT_PTE      496

/* enum thread_state */
#define THREAD_READY          2
#define THREAD_RECV_BLOCKED   4
#define THREAD_REPLY_BLOCKED  5

/* struct space */
#define SPACE_HANDLE          0
#define SPACE_ROOT            32
#define SPACE_ASID            14      /* 16 bits */
#define SPACE_SATP            24
#define SPACE_TLB_HARTS       64
#define SPACE_FLUSH_PENDING   72

/* the handle table (handle.h): a page of 16-byte slots per 256 handles */
#define SLOT_OBJ              0
#define SLOT_IS_THREAD        10      /* 8 bits */
#define SLOT_SIZE_SHIFT       4
#define SLOTS_PER_PAGE_SHIFT  8
#define SLOT_PAGES_MASK       0xff    /* page index: handle >> 8, these bits */

/* kine/syscall.h and kine/ipc.h */
#define FAST_KSYS_CALL        4
#define FAST_KSYS_REPLY_RECV  8
#define FAST_TAG_LEN_MASK     0x3ff
#define FAST_TAG_KERNEL       (1 << 15)
#define FAST_TAG_CALL         (1 << 14)
#define FAST_KSYS_MAP_REPLY_RECV 25
#define FAST_LABEL_FAULT      1
#define FAST_TAG_LABEL_SHIFT  16
#define FAST_FAULT_READ       1
#define FAST_FAULT_WRITE      2
#define FAST_FAULT_EXEC       3
#define FAST_USER_BASE        0x10000
#define FAST_USER_LIMIT       0x80000000

#endif
