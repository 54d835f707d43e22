/* fork, pipe, read, write, dup, dup2, close: the POSIX calls picolibc
 * declares, served by the pager.  Data goes through this thread's IPC buffer and is copied
 * to and from the caller's buffers here, in user mode, so a buffer in a
 * copy-on-write page is handled by an ordinary fault. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "libsys_internal.h"

#define STDIO_FDS 3

struct fork_ctx { uint64_t regs[16]; };

int __kine_fork_save(struct fork_ctx *ctx) __attribute__((returns_twice));
void __kine_fork_child(void);

pid_t fork(void)
{
    struct fork_ctx ctx __attribute__((aligned(16)));
    libsys_flush_stdout();                 /* or both would print it */
    /* The child is a copy of this thread only (POSIX).  With picolibc's
     * lock held, no other thread is halfway through malloc when memory is
     * copied, and in the child the lock is this thread's to let go (same
     * tp). */
    libsys_lock_libc();
    if (__kine_fork_save(&ctx)) {
        kine_set_ipcbuf(KINE_IPCBUF_VA);  /* the child's one thread's buffer */
        libsys_unlock_libc();
        return 0;                          /* the child, resumed by the pager */
    }
    struct kine_msg m = { .mr = { (uint64_t)&ctx, (uint64_t)__kine_fork_child } };
    int64_t r = libsys_request(PGR_FORK, 0, &m);
    libsys_unlock_libc();
    return (pid_t)libsys_errno(r);
}

int pipe(int fds[2])
{
    struct kine_msg m = { 0 };
    int64_t r = libsys_request(PGR_PIPE, 0, &m);
    if (r < 0)
        return (int)libsys_errno(r);
    fds[0] = (int)m.mr[1];
    fds[1] = (int)m.mr[2];
    return 0;
}

ssize_t read(int fd, void *buf, size_t n)
{
    if (n > KINE_IPC_BUF_BYTES)
        n = KINE_IPC_BUF_BYTES;
    struct kine_msg m = { .mr = { (uint64_t)fd, n } };
    int64_t r = libsys_request(PGR_READ, 0, &m);
    if (r > 0)
        memcpy(buf, kine_ipcbuf(), (size_t)r);
    return (ssize_t)libsys_errno(r);
}

ssize_t libsys_write_fd(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t k = n - done < KINE_IPC_BUF_BYTES ? n - done : KINE_IPC_BUF_BYTES;
        memcpy(kine_ipcbuf(), (const char *)buf + done, k);
        struct kine_msg m = { .mr = { (uint64_t)fd, k } };
        int64_t r = libsys_request(PGR_FDWRITE, kine_words(k), &m);
        if (r < 0)
            return done ? (ssize_t)done : (ssize_t)libsys_errno(r);
        done += (size_t)r;                 /* 0: the pipe was full; try again */
    }
    return (ssize_t)done;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd >= 0 && fd < STDIO_FDS)
        libsys_flush_stdout();             /* what printf buffered goes first */
    return libsys_write_fd(fd, buf, n);
}

int dup2(int old, int new)
{
    struct kine_msg m = { .mr = { (uint64_t)(int64_t)old, (uint64_t)(int64_t)new } };
    if (new < 0) {
        errno = EBADF;
        return -1;
    }
    if (old == new)
        libsys_flush_stdout();
    return (int)libsys_errno(libsys_request(PGR_DUP, 0, &m));
}

int dup(int old)
{
    struct kine_msg m = { .mr = { (uint64_t)(int64_t)old, (uint64_t)-1 } };
    return (int)libsys_errno(libsys_request(PGR_DUP, 0, &m));
}

int close(int fd)
{
    struct kine_msg m = { .mr = { (uint64_t)fd } };
    return (int)libsys_errno(libsys_request(PGR_CLOSE, 0, &m));
}
