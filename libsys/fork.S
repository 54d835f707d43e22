/* fork's register context.  __kine_fork_save stores what a C caller expects
 * to survive a call (ra, sp, gp, tp, s0-s11) and returns 0.  The pager starts
 * the child at __kine_fork_child with a0 = that context in the child's copy
 * of memory; it restores the registers and returns 1 from the same call. */

/* OP each preserved register to/from 8 * slot(a0) */
.macro CONTEXT op
    \op ra, 0(a0)
    \op sp, 8(a0)
    \op gp, 16(a0)
    \op tp, 24(a0)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    \op s\n, (32 + 8 * \n)(a0)
    .endr
.endm

    .text
    .globl __kine_fork_save
__kine_fork_save:
    CONTEXT sd
    li a0, 0
    ret

    .globl __kine_fork_child
__kine_fork_child:
    CONTEXT ld
    li a0, 1
    ret
