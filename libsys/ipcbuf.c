/* Where this thread's IPC buffer is mapped: a TLS variable, so each thread
 * finds its own (tp points at the thread's TLS block).  The first thread
 * is told at start-up (kine_startinfo.ipcbuf_va), a created one by the
 * pager in a1 (libsys/thread_start.S), a forked child's one thread uses
 * KINE_IPCBUF_VA. */
#include "kinesys.h"

static __thread uint64_t ipcbuf_va;

uint64_t *kine_ipcbuf(void) { return (uint64_t *)ipcbuf_va; }
void kine_set_ipcbuf(uint64_t va) { ipcbuf_va = va; }
