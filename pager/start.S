/* Pager entry: the kernel starts it with a0 = struct kine_bootinfo * and sp
 * at the top of a stack it mapped. */
    .section .text.start
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la tp, __tls_base
    call pager_main
1:  j 1b
