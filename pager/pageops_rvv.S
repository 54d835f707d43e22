/* The pager's vector copy and fill (RVV 1.0), for pageops.c to call only
 * when the harts have V.  The pager is built and linked rv64imac (the
 * picolibc multilib is picked by that exact -march); only this file is
 * assembled with V.  Both move whole groups of eight registers (8 * vlenb
 * bytes, 128 with VLEN 128) with the whole-register loads and stores,
 * which need no vtype, four groups an iteration, then the rest with
 * vsetvli and e8 loads and stores.  Any length and alignment. */
#define GROUP_SHIFT  3     /* eight registers: vlenb << 3 bytes */
#define UNROLL_SHIFT 2     /* four groups an iteration */

    .option push
    .option arch, +v
    .text

/* void *rvv_memcpy(void *dst = a0, const void *src = a1, size_t n = a2) */
    .globl rvv_memcpy
    .type rvv_memcpy, @function
rvv_memcpy:
    mv a3, a0                          /* destination cursor; a0 is returned */
    csrr t1, vlenb
    slli t1, t1, GROUP_SHIFT           /* bytes a group */
    slli t2, t1, UNROLL_SHIFT          /* bytes an iteration (a power of two) */
    neg t3, t2
    and t3, a2, t3                     /* bytes in whole iterations */
    sub a2, a2, t3                     /* ... and the rest */
    add a4, a1, t3                     /* where the whole iterations end */
    beq a1, a4, 2f
1:  vl8re8.v v0, (a1)
    add a1, a1, t1
    vl8re8.v v8, (a1)
    add a1, a1, t1
    vl8re8.v v16, (a1)
    add a1, a1, t1
    vl8re8.v v24, (a1)
    add a1, a1, t1
    vs8r.v v0, (a3)
    add a3, a3, t1
    vs8r.v v8, (a3)
    add a3, a3, t1
    vs8r.v v16, (a3)
    add a3, a3, t1
    vs8r.v v24, (a3)
    add a3, a3, t1
    bne a1, a4, 1b
2:  beqz a2, 4f
3:  vsetvli t0, a2, e8, m8, ta, ma
    vle8.v v0, (a1)
    vse8.v v0, (a3)
    add a1, a1, t0
    add a3, a3, t0
    sub a2, a2, t0
    bnez a2, 3b
4:  ret
    .size rvv_memcpy, . - rvv_memcpy

/* void *rvv_memset(void *dst = a0, int c = a1, size_t n = a2) */
    .globl rvv_memset
    .type rvv_memset, @function
rvv_memset:
    mv a3, a0
    vsetvli t0, zero, e8, m8, ta, ma   /* every byte of v0..v7 */
    vmv.v.x v0, a1
    csrr t1, vlenb
    slli t1, t1, GROUP_SHIFT
    slli t2, t1, UNROLL_SHIFT
    neg t3, t2
    and t3, a2, t3
    sub a2, a2, t3
    add a4, a3, t3
    beq a3, a4, 2f
1:  vs8r.v v0, (a3)
    add a3, a3, t1
    vs8r.v v0, (a3)
    add a3, a3, t1
    vs8r.v v0, (a3)
    add a3, a3, t1
    vs8r.v v0, (a3)
    add a3, a3, t1
    bne a3, a4, 1b
2:  beqz a2, 4f
3:  vsetvli t0, a2, e8, m8, ta, ma     /* v0 keeps its bytes */
    vse8.v v0, (a3)
    add a3, a3, t0
    sub a2, a2, t0
    bnez a2, 3b
4:  ret
    .size rvv_memset, . - rvv_memset

    .option pop
