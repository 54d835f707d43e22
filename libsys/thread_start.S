/* Where a thread made by kine_thread_create starts.  The pager starts it
 * (PGR_THREAD_CREATE) with sp = the top of its stack, a0 = its control
 * block (libsys/thread.c: the first word is the address of its TLS block)
 * and a1 = its IPC buffer.  The kernel starts a thread with gp and tp
 * zero: set gp as crt0 does, point tp at the thread's own TLS block (its
 * errno, its IPC buffer's address, its stdout line), then go to C. */
    .text
    .globl __kine_thread_entry
__kine_thread_entry:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    ld tp, 0(a0)
    call __kine_thread_main
1:  j 1b
