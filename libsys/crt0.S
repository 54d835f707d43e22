/* Entry of every kine user program and of the pager.  picolibc's own crt0
 * writes M-mode CSRs, so kine programs start here instead: set gp and tp
 * (TLS, where picolibc keeps errno: a block of the first thread's own,
 * __tls_main), then __kine_start(a0).  Programs get
 * __kine_start from libsys (a0 = struct kine_startinfo *); the pager defines
 * its own (a0 = struct kine_bootinfo *). */
    .section .text.start
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    andi sp, sp, -16
    /* The first thread gets a copy of the TLS image, as every later one
     * does (libsys/thread.c): .tdata itself stays the pristine image they
     * copy, whatever this thread writes to its own. */
    mv s0, a0
    la a0, __tls_main
    call _init_tls
    la tp, __tls_main
    mv a0, s0
    call __kine_start
1:  j 1b
