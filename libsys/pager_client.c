/* The client side of the pager protocol (kine/pager.h), and the POSIX calls
 * picolibc declares, built on it.  POSIX wrappers return -1 and set errno. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <signal.h>
#include "libsys_internal.h"

kine_tid_t kine_pager_tid(void) { return libsys_startinfo->pager_tid; }

#define MS_PER_S 1000

uint64_t kine_deadline_ms(uint64_t ms)
{
    return kine_rdtime() + ms * (libsys_startinfo->timebase_hz / MS_PER_S);
}

long libsys_errno(int64_t r)
{
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return (long)r;
}

/* One request; returns MR0 of the reply (or the IPC error). */
int64_t libsys_request(uint64_t label, uint64_t words, struct kine_msg *m)
{
    m->tag = kine_tag(label, words);
    int64_t r = kine_call(kine_pager_tid(), m);
    return r < 0 ? r : (int64_t)m->mr[0];
}

int64_t kine_pager_write(const void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        size_t n = len - done;
        if (n > KINE_IPC_BUF_BYTES)
            n = KINE_IPC_BUF_BYTES;
        memcpy(kine_ipcbuf(), (const char *)buf + done, n);
        struct kine_msg m = { .mr = { n } };
        int64_t r = libsys_request(PGR_WRITE, kine_words(n), &m);
        if (r < 0)
            return r;
        done += n;
    }
    return (int64_t)done;
}

int64_t kine_spawn(int argc, const char *const argv[], kine_tid_t *tid)
{
    return kine_spawn_policy(argc, argv, NULL, tid);
}

/* PGR_SPAWN or PGR_EXEC: argv packed into the IPC buffer, MR2..MR3 the
 * policy name (all zero: the caller's). */
static int64_t program_request(uint64_t label, int argc, const char *const argv[],
                               const char *policy, struct kine_msg *m)
{
    char name[KINE_POLICY_NAME_MAX] = { 0 };
    if (policy && strlen(policy) > sizeof(name))
        return -KINE_EINVAL;
    if (policy)
        memcpy(name, policy, strlen(policy));
    int64_t len = kine_argv_pack((char *)kine_ipcbuf(), KINE_IPC_BUF_BYTES, argc, argv);
    if (len < 0)
        return len;
    *m = (struct kine_msg){ .mr = { (uint64_t)len, (uint64_t)argc } };
    memcpy(&m->mr[2], name, sizeof(name));
    return libsys_request(label, kine_words((uint64_t)len), m);
}

int64_t kine_spawn_policy(int argc, const char *const argv[], const char *policy, kine_tid_t *tid)
{
    struct kine_msg m;
    int64_t r = program_request(PGR_SPAWN, argc, argv, policy, &m);
    if (r >= 0 && tid)
        *tid = m.mr[1];
    return r;
}

int64_t kine_exec(int argc, const char *const argv[])
{
    struct kine_msg m;
    libsys_flush_stdout();
    return program_request(PGR_EXEC, argc, argv, NULL, &m);   /* returns only on error */
}

int64_t kine_wait(int64_t pid, int *status)
{
    return kine_wait_flags(pid, 0, status);
}

int64_t kine_wait_flags(int64_t pid, uint64_t flags, int *status)
{
    struct kine_msg m = { .mr = { (uint64_t)pid, flags } };
    int64_t r = libsys_request(PGR_WAIT, 0, &m);
    if (r >= 0 && status)
        *status = (int)m.mr[1];
    return r;
}

/* A request whose answer is a struct in the IPC buffer. */
static int64_t fetch(uint64_t label, void *out, size_t size)
{
    struct kine_msg m = { 0 };
    int64_t r = libsys_request(label, 0, &m);
    if (r >= 0)
        memcpy(out, kine_ipcbuf(), size);
    return r;
}

int64_t kine_ledger(struct kine_ledger *out) { return fetch(PGR_LEDGER, out, sizeof(*out)); }

static int64_t procinfo(int64_t pid, uint64_t tid, struct kine_procinfo *out)
{
    struct kine_msg m = { .mr = { (uint64_t)pid, tid } };
    int64_t r = libsys_request(PGR_PROCINFO, 0, &m);
    if (r >= 0)
        memcpy(out, kine_ipcbuf(), sizeof(*out));
    return r;
}

int64_t kine_procinfo(int64_t pid, struct kine_procinfo *out) { return procinfo(pid, 0, out); }

int64_t kine_procinfo_next(struct kine_procinfo *pi)
{
    return procinfo(pi->pid, pi->tid + 1, pi);
}

int64_t kine_policystats(unsigned i, char *text, size_t cap)
{
    struct kine_msg m = { .mr = { i } };
    int64_t r = libsys_request(PGR_POLICYSTATS, 0, &m);
    if (r < 0 || cap == 0)
        return r < 0 ? r : -KINE_EINVAL;
    size_t n = (size_t)r < cap - 1 ? (size_t)r : cap - 1;
    memcpy(text, kine_ipcbuf(), n);
    text[n] = '\0';
    return r;
}
int64_t kine_memstats(struct kine_memstats *out) { return fetch(PGR_MEMSTATS, out, sizeof(*out)); }

int64_t kine_trace_drain(struct kine_fault_record *out, uint64_t max, uint64_t *lost)
{
    struct kine_msg m = { .mr = { max } };
    int64_t r = libsys_request(PGR_TRACE, 0, &m);
    if (r < 0)
        return r;
    uint64_t n = (uint64_t)r < max ? (uint64_t)r : max;    /* the pager sends no more */
    memcpy(out, kine_ipcbuf(), n * sizeof(*out));
    if (lost)
        *lost = m.mr[1];
    return (int64_t)n;
}

int64_t kine_pte_check(uint64_t *pages, uint64_t *procs)
{
    struct kine_msg m = { 0 };
    int64_t r = libsys_request(PGR_CHECK, 0, &m);
    if (r >= 0 && pages)
        *pages = m.mr[1];
    if (r >= 0 && procs)
        *procs = m.mr[2];
    return r;
}

int64_t kine_poweroff(int status)
{
    libsys_flush_stdout();
    struct kine_msg m = { .mr = { (uint64_t)status } };
    return libsys_request(PGR_POWEROFF, 0, &m);
}

int64_t kine_setintr(int ignore)
{
    struct kine_msg m = { .mr = { ignore ? KINE_INTR_IGNORE : KINE_INTR_DEFAULT } };
    return libsys_request(PGR_SETINTR, 0, &m);
}

int64_t kine_sleep_ticks(uint64_t ticks)
{
    struct kine_msg m = { .mr = { ticks } };
    return libsys_request(PGR_SLEEP, 0, &m);
}

/* ---- POSIX, as declared by picolibc ---- */

void _exit(int status)
{
    libsys_flush_stdout();
    struct kine_msg m = { .mr = { (uint64_t)status } };
    libsys_request(PGR_EXIT, 0, &m);
    kine_syscall(KSYS_EXIT, (uint64_t)status, 0, 0, 0, 0);   /* not reached */
    for (;;)
        ;
}

pid_t getpid(void)
{
    struct kine_msg m = { 0 };
    return (pid_t)libsys_errno(libsys_request(PGR_GETPID, 0, &m));
}

pid_t getppid(void)
{
    struct kine_msg m = { 0 };
    int64_t r = libsys_request(PGR_GETPID, 0, &m);
    return (pid_t)libsys_errno(r < 0 ? r : (int64_t)m.mr[1]);
}

void *sbrk(ptrdiff_t incr)
{
    struct kine_msg m = { .mr = { (uint64_t)incr } };
    int64_t r = libsys_request(PGR_SBRK, 0, &m);
    if (r < 0) {
        errno = (int)-r;
        return (void *)-1;
    }
    return (void *)r;
}

unsigned sleep(unsigned seconds)
{
    kine_sleep_ticks((uint64_t)seconds * KINE_TICK_HZ);
    return 0;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    if (options & ~WNOHANG) {
        errno = EINVAL;
        return -1;
    }
    return (pid_t)libsys_errno(kine_wait_flags(pid, options & WNOHANG ? KINE_WAIT_NOHANG : 0,
                                               status));
}

pid_t wait(int *status) { return waitpid(-1, status, 0); }

/* Programs are named by their boot-image name (a directory part of path is
 * ignored: "/bin/cat" runs "cat"), which the new image sees as argv[0].
 * The environment is ignored (kine has none). */
int execve(const char *path, char *const argv[], char *const envp[])
{
    const char *args[KINE_ARGV_MAX];
    const char *slash = path ? strrchr(path, '/') : NULL;
    int argc = 1;
    (void)envp;
    if (!path) {
        errno = EFAULT;
        return -1;
    }
    args[0] = slash ? slash + 1 : path;
    for (; argv && argv[0] && argv[argc]; argc++) {
        if (argc == KINE_ARGV_MAX) {
            errno = E2BIG;
            return -1;
        }
        args[argc] = argv[argc];
    }
    return (int)libsys_errno(kine_exec(argc, args));
}

int execv(const char *path, char *const argv[]) { return execve(path, argv, NULL); }

int kill(pid_t pid, int sig)
{
    struct kine_msg m = { .mr = { (uint64_t)(int64_t)pid, (uint64_t)sig } };
    return (int)libsys_errno(libsys_request(PGR_KILL, 0, &m));
}
