/* Threads in a process: kine_thread_create, kine_thread_join and
 * kine_thread_exit, over the pager's PGR_THREAD_* requests.
 *
 * A thread's stack is the caller's memory (struct kine_stack) or, given
 * NULL, KINE_THREAD_STACK_DEFAULT bytes libsys takes with malloc and
 * frees when the thread is joined.  Its top holds what the thread needs
 * before its first call: its TLS block (picolibc's errno, its IPC
 * buffer's address, its stdout lines), then the control block below,
 * and the stack proper below that:
 *
 *     stack.base + size  ->  | TLS block (_tls_size, aligned) |
 *                            | struct control                 |
 *     sp at start        ->  | the thread's frames, downwards  |
 *
 * The pager starts the thread at __kine_thread_entry (thread_start.S)
 * with a0 = the control block and a1 = its IPC buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <picotls.h>
#include "libsys_internal.h"

#define STACK_ALIGN 16

/* What a new thread finds at a0; tls first (thread_start.S loads it). */
struct control {
    void *tls;
    void *(*fn)(void *);
    void *arg;
};

/* Stacks libsys took for threads not yet joined: freed by the join. */
static struct { int64_t handle; void *stack; } owned[KINE_THREADS_MAX];

void __kine_thread_entry(void);
void __kine_thread_main(struct control *c, uint64_t ipcbuf_va) __attribute__((noreturn));

void __kine_thread_main(struct control *c, uint64_t ipcbuf_va)
{
    kine_set_ipcbuf(ipcbuf_va);
    kine_thread_exit(c->fn(c->arg));     /* returning from fn ends the thread */
}

static uint64_t align_down(uint64_t x, uint64_t a) { return x & ~(a - 1); }

static void remember_stack(int64_t handle, void *stack)
{
    libsys_lock_libc();
    for (unsigned i = 0; i < KINE_THREADS_MAX; i++)
        if (!owned[i].stack) {
            owned[i].handle = handle;
            owned[i].stack = stack;
            break;
        }
    libsys_unlock_libc();
}

static void free_stack(int64_t handle)
{
    void *stack = NULL;
    libsys_lock_libc();
    for (unsigned i = 0; i < KINE_THREADS_MAX; i++)
        if (owned[i].stack && owned[i].handle == handle) {
            stack = owned[i].stack;
            owned[i].stack = NULL;
        }
    libsys_unlock_libc();
    free(stack);
}

int64_t kine_thread_create(void *(*fn)(void *), void *arg, const struct kine_stack *stack)
{
    void *mine = NULL;
    uint64_t base, size;
    if (!fn)
        return -KINE_EINVAL;
    if (stack) {
        base = (uint64_t)stack->base;
        size = stack->size;
    } else {
        if (!(mine = malloc(KINE_THREAD_STACK_DEFAULT)))
            return -KINE_ENOMEM;
        base = (uint64_t)mine;
        size = KINE_THREAD_STACK_DEFAULT;
    }
    uint64_t align = _tls_align() > STACK_ALIGN ? _tls_align() : STACK_ALIGN;
    if (size < KINE_THREAD_STACK_MIN + _tls_size() + sizeof(struct control) + 2 * align ||
        base + size < base) {
        free(mine);
        return -KINE_EINVAL;
    }
    uint64_t tls = align_down(base + size - _tls_size(), align);
    struct control *c = (struct control *)align_down(tls - sizeof(*c), STACK_ALIGN);
    _init_tls((void *)tls);
    c->tls = (void *)tls;
    c->fn = fn;
    c->arg = arg;
    struct kine_msg m = { .mr = { (uint64_t)__kine_thread_entry, (uint64_t)c, (uint64_t)c } };
    int64_t r = libsys_request(PGR_THREAD_CREATE, 0, &m);
    if (r < 0)
        free(mine);
    else if (mine)
        remember_stack(r, mine);
    return r;
}

int64_t kine_thread_join(int64_t handle, void **value)
{
    struct kine_msg m = { .mr = { (uint64_t)handle } };
    int64_t r = libsys_request(PGR_THREAD_JOIN, 0, &m);
    if (r < 0)
        return r;
    free_stack(handle);                  /* the thread is gone: nothing runs on it */
    if (value)
        *value = (void *)m.mr[1];
    return 0;
}

void kine_thread_exit(void *value)
{
    libsys_flush_stdout();               /* this thread's unfinished lines */
    struct kine_msg m = { .mr = { (uint64_t)value } };
    libsys_request(PGR_THREAD_EXIT, 0, &m);
    /* only the main thread gets here (EINVAL): its end is the process's */
    exit((int)(uint64_t)value);
}
