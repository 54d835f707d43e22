/* System-call dispatch (syscall.c) and what a handler returns to entry.S. */
#ifndef KINE_KSYSCALL_H
#define KINE_KSYSCALL_H

#include "thread.h"

#define KINE_EXIT_PAGER_DIED 254   /* QEMU exit status when the pager dies */

/* A handler's answer, in a0 and a1 (entry.S):
 *   a1 = 0:    the caller goes on at once with a0 = its result, without a
 *              trip through its frame or the scheduler;
 *   a1 = next: a0 is the caller, whose results (if it has any yet) are in
 *              its frame; next, chosen by the scheduler or a fast path with
 *              its address space and FP unit in place, runs from its own
 *              frame;
 *   a1 = SYSRET_NOBODY: as next, but nobody can run now: once the caller's
 *              registers are in its frame the hart waits (sched_run), so
 *              that another hart may run the caller meanwhile.
 * A 128-bit integer rather than a struct of two words: GCC 12 returns the
 * struct in a0/a1 too, but builds it on the stack first. */
__extension__ typedef unsigned __int128 sysret;

static inline sysret sysret_value(int64_t v)
{
    return (uint64_t)v;
}

/* The caller waits: whoever the scheduler has runs next (sched_next). */
static inline sysret sysret_schedule(struct thread *caller)
{
    struct thread *next = sched_next();
    return (sysret)(next ? (uint64_t)next : SYSRET_NOBODY) << 64 | (uint64_t)caller;
}

/* Every handler takes the caller's a0..a6 and the call number (a7). */
#define SYSCALL_ARG(r) uint64_t r __attribute__((unused))
#define SYSCALL_ARGS SYSCALL_ARG(a0), SYSCALL_ARG(a1), SYSCALL_ARG(a2), SYSCALL_ARG(a3), \
                     SYSCALL_ARG(a4), SYSCALL_ARG(a5), SYSCALL_ARG(a6), SYSCALL_ARG(n)
typedef sysret (*syscall_fn)(SYSCALL_ARGS);

/* Fill the tables entry.S dispatches through; general_only
 * (kernel.fastpath=off): every IPC call and fault takes the general path. */
void syscall_init(bool general_only);
/* The table for a thread of a privileged (the pager's) space or not. */
const syscall_fn *syscall_table(bool privileged);

/* The general paths of the calls that have fast ones (the fast paths'
 * fallback): ipc.c's for CALL, SEND, RECV, REPLY, REPLY_RECV (fastpath.S
 * tries CALL and REPLY_RECV first); syscall.c's MAP_REPLY_RECV, a MAP and
 * then ipc_general's REPLY_RECV. */
sysret ipc_general(SYSCALL_ARGS);
sysret syscall_map_reply_recv(SYSCALL_ARGS);

#endif
