/* Program entry.  The pager starts a program with a0 = struct kine_startinfo *
 * (on the program's stack) and sp just below it.  picolibc's own crt0 writes
 * M-mode CSRs, so kine programs start here instead. */
    .section .text.start
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la tp, __tls_base
    andi sp, sp, -16
    call libsys_start
1:  j 1b
