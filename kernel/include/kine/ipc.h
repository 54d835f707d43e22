/* The IPC message: a tag, four message registers, and up to
 * KINE_IPC_BUF_WORDS words in the sender's and receiver's IPC buffers.
 * Kernel-made messages (faults, exits) carry KINE_TAG_KERNEL, a bit no user
 * send can set, so a server can tell them from forgeries. */
#ifndef KINE_IPC_H
#define KINE_IPC_H

#include <stdint.h>

typedef uint64_t kine_tid_t;      /* generation << 16 | slot; 0 is never valid */
typedef uint64_t kine_as_t;       /* generation << 16 | slot; 0 is never valid */

#define KINE_MSG_REGS        4
#define KINE_IPC_BUF_WORDS   512   /* one 4 KiB page of 64-bit words */
#define KINE_WORD_BYTES      8
#define KINE_IPC_BUF_BYTES   (KINE_IPC_BUF_WORDS * KINE_WORD_BYTES)

/* Words of the IPC buffer that `bytes` bytes of data take (a tag length). */
static inline uint64_t kine_words(uint64_t bytes)
{
    return (bytes + KINE_WORD_BYTES - 1) / KINE_WORD_BYTES;
}

/* tag = label << 16 | kernel bit << 15 | length (words in the IPC buffer) */
#define KINE_TAG_LEN_MASK    0x3ffUL
#define KINE_TAG_KERNEL      (1UL << 15)
#define KINE_TAG_CALL        (1UL << 14)   /* set by the kernel: the sender awaits a reply */
#define KINE_TAG_LABEL_SHIFT 16

static inline uint64_t kine_tag(uint64_t label, uint64_t len)
{
    return (label << KINE_TAG_LABEL_SHIFT) | (len & KINE_TAG_LEN_MASK);
}
static inline uint64_t kine_tag_label(uint64_t tag) { return tag >> KINE_TAG_LABEL_SHIFT; }
static inline uint64_t kine_tag_len(uint64_t tag) { return tag & KINE_TAG_LEN_MASK; }
static inline int kine_tag_is_kernel(uint64_t tag) { return (tag & KINE_TAG_KERNEL) != 0; }

/* Labels of kernel-made messages, sent to a thread's pager ... */
#define KINE_LABEL_FAULT     1   /* MR0 addr, MR1 access, MR2 pc, MR3 scause */
#define KINE_LABEL_EXIT      2   /* MR0 status */
/* ... and to the thread an interrupt source is bound to (KSYS_IRQ_BIND),
 * whenever it receives while one is pending; the sender id is 0. */
#define KINE_LABEL_IRQ       3   /* MR0 PLIC source; answer with KSYS_IRQ_ACK */
/* ... and to a thread the pager notified (KSYS_NOTIFY), whenever it
 * receives while a notification is pending; the sender id is 0. */
#define KINE_LABEL_NOTIFY    4   /* MR0 the bits notified since it last received */

/* MR1 of a fault message. */
#define KINE_FAULT_READ      1
#define KINE_FAULT_WRITE     2
#define KINE_FAULT_EXEC      3
#define KINE_FAULT_OTHER     4   /* illegal instruction, misaligned, ebreak... */

/* Rights for MAP and PROTECT. */
#define KINE_RIGHT_R         1UL
#define KINE_RIGHT_W         2UL
#define KINE_RIGHT_X         4UL
#define KINE_RIGHTS_ALL      (KINE_RIGHT_R | KINE_RIGHT_W | KINE_RIGHT_X)
/* Reported by KSYS_AS_QUERY only: the PTE's accessed and dirty bits. */
#define KINE_PTE_ACCESSED    8UL
#define KINE_PTE_DIRTY       16UL
/* MAP only: the PTE starts with A and D clear, so the first access sets A
 * and the first write sets D (KSYS_AS_ACCESSED reads them). */
#define KINE_MAP_NOAD        32UL
#define KINE_FRAME_NONE      (~0UL)   /* a PTE outside the pool (never the pager's) */

/* One page of a MAP batch: va (page aligned) | rights in the low bits, and a
 * frame number of the user pool (0 .. pool_frames-1). */
struct kine_map_entry {
    uint64_t va_rights;
    uint64_t frame;
};
#define KINE_MAP_BATCH (KINE_IPC_BUF_BYTES / sizeof(struct kine_map_entry))

#endif
