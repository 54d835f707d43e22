/* System call dispatch (syscall.c). */
#ifndef KINE_KSYSCALL_H
#define KINE_KSYSCALL_H

#include "thread.h"

#define KINE_EXIT_PAGER_DIED 254   /* QEMU exit status when the pager dies */

void syscall_dispatch(struct thread *t);

#endif
