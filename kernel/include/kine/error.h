/* Error codes returned (negated) by every kernel system call and every pager
 * reply.  The values equal picolibc's errno values so libsys can hand them to
 * errno unchanged; the names are kine's own so no libc header is needed. */
#ifndef KINE_ERROR_H
#define KINE_ERROR_H

#define KINE_OK           0
#define KINE_EPERM        1   /* caller lacks the privilege (pager-only call) */
#define KINE_ENOENT       2   /* no such program */
#define KINE_E2BIG        7   /* too many arguments */
#define KINE_ESRCH        3   /* stale or unknown thread / address space / pid */
#define KINE_EINTR        4   /* a console read ended by Ctrl-C */
#define KINE_EIO          5   /* the disk failed a transfer */
#define KINE_ENOEXEC      8   /* program image is not a valid kine ELF */
#define KINE_EBADF        9   /* bad file descriptor */
#define KINE_ECHILD      10   /* wait: no such child */
#define KINE_ENOMEM      12   /* out of frames or kernel object memory */
#define KINE_EFAULT      14   /* address outside the allowed user range */
#define KINE_EBUSY       16   /* object in use (kernel-owned page, live thread) */
#define KINE_ENODEV      19   /* not a device node's range or interrupt; no PLIC */
#define KINE_EINVAL      22   /* malformed argument */
#define KINE_EMFILE      24   /* too many open descriptors */
#define KINE_EPIPE       32   /* write to a pipe with no reader */
#define KINE_ERANGE      34   /* numeric argument out of range */
#define KINE_EDEADLK     45   /* IPC to oneself */
#define KINE_ENOSYS      88   /* unknown system call or request label */
#define KINE_ENAMETOOLONG 91
#define KINE_ETIMEDOUT  116   /* receive deadline passed */
#define KINE_EAGAIN      11   /* resource temporarily exhausted (process slots) */

#endif
