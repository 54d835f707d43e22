/* Saving and loading a thread's vector state (vector.c owns the policy).
 * The kernel is built rv64imac; these two routines alone use V
 * instructions, so only they are assembled with it.  sstatus.VS must not
 * be Off while they run.  a0 = struct vecstate (thread.h): vl, vtype,
 * vstart, vcsr, then the address of the page holding v0..v31, each vlenb
 * bytes, in order.  Whole-register loads and stores move all of them
 * whatever vl and vtype say; vl and vtype come back through vsetvl (the
 * saved vl never exceeds what the saved vtype allows), vstart last,
 * since vector instructions clear it. */
#define VEC_VL     0
#define VEC_VTYPE  8
#define VEC_VSTART 16
#define VEC_VCSR   24
#define VEC_REGS   32
#define VGROUP_SHIFT 3     /* eight registers a whole-register move */

    .option push
    .option arch, +v
    .text

    .globl vec_save
vec_save:
    csrr t0, vl
    sd t0, VEC_VL(a0)
    csrr t0, vtype
    sd t0, VEC_VTYPE(a0)
    csrr t0, vstart
    sd t0, VEC_VSTART(a0)
    csrr t0, vcsr
    sd t0, VEC_VCSR(a0)
    csrw vstart, zero
    ld t1, VEC_REGS(a0)
    csrr t2, vlenb
    slli t2, t2, VGROUP_SHIFT
    vs8r.v v0, (t1)
    add t1, t1, t2
    vs8r.v v8, (t1)
    add t1, t1, t2
    vs8r.v v16, (t1)
    add t1, t1, t2
    vs8r.v v24, (t1)
    ret

    .globl vec_load
vec_load:
    csrw vstart, zero
    ld t1, VEC_REGS(a0)
    csrr t2, vlenb
    slli t2, t2, VGROUP_SHIFT
    vl8re8.v v0, (t1)
    add t1, t1, t2
    vl8re8.v v8, (t1)
    add t1, t1, t2
    vl8re8.v v16, (t1)
    add t1, t1, t2
    vl8re8.v v24, (t1)
    ld t0, VEC_VL(a0)
    ld t1, VEC_VTYPE(a0)
    vsetvl zero, t0, t1
    ld t0, VEC_VCSR(a0)
    csrw vcsr, t0
    ld t0, VEC_VSTART(a0)
    csrw vstart, t0
    ret

    .option pop
