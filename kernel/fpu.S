/* Saving and loading a thread's floating-point registers (fpu.c owns the
 * policy).  The kernel is built rv64imac; these two routines alone use D
 * instructions, so only they are assembled with it.  sstatus.FS must not be
 * Off while they run.  a0 = struct fpstate: f0..f31 at 8*i, fcsr at 256. */
#define FP_FCSR 256

    .option push
    .option arch, +d
    .text

    .globl fpu_save
fpu_save:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd f\n, (8 * \n)(a0)
    .endr
    frcsr t0
    sd t0, FP_FCSR(a0)
    ret

    .globl fpu_load
fpu_load:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fld f\n, (8 * \n)(a0)
    .endr
    ld t0, FP_FCSR(a0)
    fscsr t0
    ret

    .option pop
