/* What the assembly fast paths (fastpath.S) know of the kernel's C
 * constants, checked here against the definitions so that a change that
 * moves one stops the build instead of the kernel (the structure offsets
 * are checked in thread.h, smp.c and hot.c; their switch,
 * hot.fastpath_on, is in hot.h). */
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include <kine/ipc.h>
#include <kine/layout.h>
#include <kine/syscall.h>

_Static_assert(KSYS_CALL == FAST_KSYS_CALL && KSYS_REPLY_RECV == FAST_KSYS_REPLY_RECV &&
               KSYS_MAP_REPLY_RECV == FAST_KSYS_MAP_REPLY_RECV &&
               KINE_TAG_LEN_MASK == FAST_TAG_LEN_MASK && KINE_TAG_KERNEL == FAST_TAG_KERNEL &&
               KINE_TAG_CALL == FAST_TAG_CALL && KINE_LABEL_FAULT == FAST_LABEL_FAULT &&
               KINE_TAG_LABEL_SHIFT == FAST_TAG_LABEL_SHIFT, "fastpath.h: ABI constants");
_Static_assert(KINE_FAULT_READ == FAST_FAULT_READ && KINE_FAULT_WRITE == FAST_FAULT_WRITE &&
               KINE_FAULT_EXEC == FAST_FAULT_EXEC && KINE_USER_BASE == FAST_USER_BASE &&
               KINE_USER_LIMIT == FAST_USER_LIMIT, "fastpath.h: fault and map constants");
