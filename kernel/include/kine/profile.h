/* Profile windows: two instructions that do nothing (HINTs: addi x0, x0,
 * imm) with which a program brackets a stretch of work, so that
 * tools/profile's QEMU plugin counts the instructions executed between them,
 * per function.  apps/bench brackets every timed window with them. */
#ifndef KINE_PROFILE_H
#define KINE_PROFILE_H

#define KINE_PROFILE_OPEN   0x00100013u   /* addi x0, x0, 1 */
#define KINE_PROFILE_CLOSE  0x00200013u   /* addi x0, x0, 2 */

#define KINE_STR_(x) #x
#define KINE_STR(x) KINE_STR_(x)
#define kine_profile_open()  __asm__ volatile(".word " KINE_STR(KINE_PROFILE_OPEN) ::: "memory")
#define kine_profile_close() __asm__ volatile(".word " KINE_STR(KINE_PROFILE_CLOSE) ::: "memory")

#endif
