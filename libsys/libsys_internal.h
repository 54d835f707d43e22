/* libsys internals shared between its files. */
#ifndef LIBSYS_INTERNAL_H
#define LIBSYS_INTERNAL_H

#include "kinesys.h"

extern const struct kine_startinfo *libsys_startinfo;

/* stdout's and stderr's line buffers (stdio.c) */
void libsys_flush_stdout(void);

/* write() without flushing stdio first (posix_io.c) */
#include <sys/types.h>
ssize_t libsys_write_fd(int fd, const void *buf, size_t n);

/* One pager request; MR0 of the reply, or the IPC error. */
int64_t libsys_request(uint64_t label, uint64_t words, struct kine_msg *m);

/* Set errno from a -KINE_E* result and return -1; pass through otherwise. */
long libsys_errno(int64_t r);

/* picolibc's own lock (malloc's), held around fork (lock.c) */
void libsys_lock_libc(void);
void libsys_unlock_libc(void);

#endif
