/* Where this thread's IPC buffer is mapped (told at start-up). */
#include "kinesys.h"

static uint64_t ipcbuf_va;

uint64_t *kine_ipcbuf(void) { return (uint64_t *)ipcbuf_va; }
void kine_set_ipcbuf(uint64_t va) { ipcbuf_va = va; }
