/* fork's register context.  __kine_fork_save stores what a C caller expects
 * to survive a call (ra, sp, gp, tp, s0-s11) and returns 0.  The pager starts
 * the child at __kine_fork_child with a0 = that context in the child's copy
 * of memory; it restores the registers and returns 1 from the same call. */
#define CTX(i) (8 * (i))

    .text
    .globl __kine_fork_save
__kine_fork_save:
    sd ra, CTX(0)(a0)
    sd sp, CTX(1)(a0)
    sd gp, CTX(2)(a0)
    sd tp, CTX(3)(a0)
    sd s0, CTX(4)(a0)
    sd s1, CTX(5)(a0)
    sd s2, CTX(6)(a0)
    sd s3, CTX(7)(a0)
    sd s4, CTX(8)(a0)
    sd s5, CTX(9)(a0)
    sd s6, CTX(10)(a0)
    sd s7, CTX(11)(a0)
    sd s8, CTX(12)(a0)
    sd s9, CTX(13)(a0)
    sd s10, CTX(14)(a0)
    sd s11, CTX(15)(a0)
    li a0, 0
    ret

    .globl __kine_fork_child
__kine_fork_child:
    ld ra, CTX(0)(a0)
    ld sp, CTX(1)(a0)
    ld gp, CTX(2)(a0)
    ld tp, CTX(3)(a0)
    ld s0, CTX(4)(a0)
    ld s1, CTX(5)(a0)
    ld s2, CTX(6)(a0)
    ld s3, CTX(7)(a0)
    ld s4, CTX(8)(a0)
    ld s5, CTX(9)(a0)
    ld s6, CTX(10)(a0)
    ld s7, CTX(11)(a0)
    ld s8, CTX(12)(a0)
    ld s9, CTX(13)(a0)
    ld s10, CTX(14)(a0)
    ld s11, CTX(15)(a0)
    li a0, 1
    ret
