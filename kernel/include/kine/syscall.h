/* System call numbers and register conventions.
 *
 * ecall with the number in a7 and arguments in a0..a6.  Every call returns
 * a0 = 0 (or a non-negative value) on success, or -KINE_E* on error.  The IPC
 * calls use the same registers for the message in both directions:
 *   in:  a0 = destination tid, a1 = tag, a2..a5 = MR0..MR3, a6 = deadline
 *   out: a0 = status,          a1 = tag, a2..a5 = MR0..MR3, a6 = sender tid
 * Calls marked PAGER return -KINE_EPERM from any thread but the pager's. */
#ifndef KINE_SYSCALL_H
#define KINE_SYSCALL_H

enum kine_sysno {
    KSYS_DEBUG_WRITE   = 1,  /* (len): print len bytes of own IPC buffer */
    KSYS_YIELD         = 2,  /* (): give up the rest of the time slice */
    KSYS_EXIT          = 3,  /* (status): stop; pager gets an EXIT message */
    KSYS_CALL          = 4,  /* send to a0, then wait for a0's reply */
    KSYS_SEND          = 5,  /* send to a0, block until delivered */
    KSYS_RECV          = 6,  /* wait for any sender (a6 = deadline or 0) */
    KSYS_REPLY         = 7,  /* reply to a0 if it waits on us; never blocks */
    KSYS_REPLY_RECV    = 8,  /* reply to a0 (if a0 != 0), then RECV */
    KSYS_SELF          = 9,  /* (): own tid */

    KSYS_AS_CREATE     = 16, /* PAGER (): new address space handle */
    KSYS_AS_DESTROY    = 17, /* PAGER (as): destroys its threads too */
    KSYS_THREAD_CREATE = 18, /* PAGER (as, ipcbuf_va): tid, not yet running */
    KSYS_THREAD_START  = 19, /* PAGER (tid, pc, sp, a0, a1) */
    KSYS_THREAD_DESTROY= 20, /* PAGER (tid) */
    KSYS_MAP           = 21, /* PAGER (as, n): n struct kine_map_entry in IPC buf */
    KSYS_UNMAP         = 22, /* PAGER (as, va, npages) */
    KSYS_PROTECT       = 23, /* PAGER (as, va, npages, rights) */
    KSYS_POWEROFF      = 24, /* PAGER (status): QEMU exits with status */
    KSYS_MAP_REPLY_RECV= 25, /* PAGER (dest, as, n, -, -, -, deadline): MAP
                                (as, n), then an empty REPLY to dest and RECV;
                                if the map fails nothing is sent or received */

    KSYS_COUNT
};

#endif
