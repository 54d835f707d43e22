/* Entry of every kine user program and of the pager.  picolibc's own crt0
 * writes M-mode CSRs, so kine programs start here instead: set gp and tp
 * (TLS, where picolibc keeps errno), then __kine_start(a0).  Programs get
 * __kine_start from libsys (a0 = struct kine_startinfo *); the pager defines
 * its own (a0 = struct kine_bootinfo *). */
    .section .text.start
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la tp, __tls_base
    andi sp, sp, -16
    call __kine_start
1:  j 1b
