/* Threads in a process.  A process starts with one thread (proc.main);
 * PGR_THREAD_CREATE makes more in its address space, each a kernel thread
 * whose pager is us, with an IPC buffer of its own in one of the slots
 * above the stack (KINE_THREAD_IPCBUF_VA).  A thread ends itself with
 * PGR_THREAD_EXIT: its kernel thread (and with it its IPC buffer page) is
 * destroyed at once, and its record keeps the exit value until another
 * thread joins it.  The end of the process (exit, kill, exec) takes every
 * thread with its address space (threads_drop_others).  Every request,
 * fault and deferred reply names a thread by its kernel tid, so the
 * chains of live threads by tid are here too (thread_by_tid, pager.h). */
#include <stdlib.h>
#include "pager.h"

_Static_assert(KINE_THREAD_IPCBUF_VA + (KINE_THREADS_MAX - 1) * KINE_PAGE_SIZE <= KINE_IPCBUF_VA,
               "thread IPC buffer slots run into the main thread's");
_Static_assert(KINE_THREADS_MAX - 1 <= 32, "slots are bits of proc.thread_slots");

/* ---- finding threads ---- */

static struct thread **tid_bucket(kine_tid_t tid)
{
    return &pg.by_tid[tid % TID_BUCKETS];    /* as thread_by_tid (pager.h) */
}

struct thread *thread_by_tid_find(kine_tid_t tid)
{
    for (struct thread *t = *tid_bucket(tid); t; t = t->tid_next)
        if (t->tid == tid && t->proc->state == P_LIVE) {
            pg.tid_found = tid;
            pg.thread_found = t;
            pg.proc_found = t->proc;
            return t;
        }
    return NULL;
}

void thread_insert(struct thread *t)
{
    t->tid_next = *tid_bucket(t->tid);
    *tid_bucket(t->tid) = t;
}

void thread_remove(struct thread *t)
{
    if (t == pg.thread_found) {
        pg.tid_found = 0;
        pg.thread_found = NULL;
        pg.proc_found = NULL;
    }
    for (struct thread **pp = tid_bucket(t->tid); *pp; pp = &(*pp)->tid_next)
        if (*pp == t) {
            *pp = t->tid_next;
            t->tid_next = NULL;
            return;
        }
}

struct thread *thread_first(void)
{
    return pg.procs ? &pg.procs->main : NULL;
}

struct thread *thread_next(struct thread *t)
{
    if (t->next)
        return t->next;
    return t->proc->next ? &t->proc->next->main : NULL;
}

/* ---- a thread's waits and its end ---- */

void thread_unblock(struct thread *t)
{
    if (t->blocked == B_SLEEP)
        pg.sleepers--;
    for (struct thread *x = &t->proc->main; x; x = x->next)
        if (x->joiner == t)
            x->joiner = NULL;        /* its join ends with it */
    t->blocked = B_NONE;
    t->block_pipe = NULL;
    t->parked = false;
    free(t->parked_words);           /* a request that waited for frames */
    t->parked_words = NULL;
    t->parked_len = 0;
}

/* Unlink a created thread's record and free it (joined, or its process ends). */
static void thread_free(struct thread *t)
{
    struct proc *p = t->proc;
    for (struct thread **pp = &p->main.next; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    if (pg.serving_thread == t)
        pg.serving_thread = NULL;
    p->nthreads--;
    free(t);
}

/* t's kernel thread goes (not its record): its IPC buffer slot and the
 * kernel memory reserved for it come back.  destroy: also destroy the
 * kernel thread (not needed when its whole space goes). */
static void thread_end(struct thread *t, bool destroy)
{
    struct proc *p = t->proc;
    if (!t->tid)
        return;
    thread_remove(t);
    thread_unblock(t);
    if (destroy)
        kine_sys_thread_destroy(t->tid);
    t->tid = 0;
    p->thread_slots &= ~(1U << t->slot);
    p->kmem_pages -= KINE_KMEM_THREAD_PAGES;
    pg.kmem_reserved -= KINE_KMEM_THREAD_PAGES;
}

void threads_drop_others(struct proc *p)
{
    while (p->main.next) {
        struct thread *t = p->main.next;
        thread_end(t, false);        /* the caller destroys the space, and them with it */
        thread_free(t);
    }
    p->main.joiner = NULL;
}

unsigned threads_live(const struct proc *p)
{
    unsigned n = 0;
    for (const struct thread *x = &p->main; x; x = x->next)
        n += x->tid != 0;
    return n;
}

/* ---- the requests ---- */

/* Is [sp - 16, sp) inside one region the thread may write (a stack it was
 * given on the heap, in data or in the main stack)?  sp is the top. */
static bool stack_ok(const struct proc *p, uint64_t sp)
{
    const struct region *r = sp >= KINE_USER_BASE + 16 && !(sp & 15) ?
                             region_find(&p->mm.regions, sp - 1) : NULL;
    return r && (r->rights & KINE_RIGHT_W) && sp - 16 >= r->start && r->kind != REGION_DMA;
}

static bool entry_ok(const struct proc *p, uint64_t pc)
{
    const struct region *r = (pc & 1) ? NULL : region_find(&p->mm.regions, pc);
    return r && (r->rights & KINE_RIGHT_X);
}

/* The handle of a thread of p, or NULL. */
static struct thread *by_handle(struct proc *p, uint64_t handle)
{
    for (struct thread *x = &p->main; x; x = x->next)
        if (x->handle == handle)
            return x;
    return NULL;
}

static unsigned free_slot(const struct proc *p)
{
    unsigned i = 0;
    while (p->thread_slots & (1U << i))
        i++;
    return i;
}

bool thread_create_req(struct thread *t, struct kine_msg *m)
{
    struct proc *p = t->proc;
    uint64_t pc = m->mr[0], sp = m->mr[1], arg = m->mr[2];
    if (p->driver)
        return reply_status(m, -KINE_EPERM);
    if (!entry_ok(p, pc) || !stack_ok(p, sp))
        return reply_status(m, -KINE_EFAULT);
    /* the quota, then the kernel memory the thread may take */
    if (p->nthreads >= KINE_THREADS_MAX ||
        pg.kmem_reserved + KINE_KMEM_THREAD_PAGES > pg.kmem_budget)
        return reply_status(m, -KINE_EAGAIN);
    struct thread *n = calloc(1, sizeof(*n));
    if (!n)
        return reply_status(m, -KINE_ENOMEM);
    unsigned slot = free_slot(p);    /* one is free: fewer records than slots */
    uint64_t ipcbuf = KINE_THREAD_IPCBUF_VA + slot * KINE_PAGE_SIZE;
    int64_t tid = kine_sys_thread_create(p->mm.as, ipcbuf);
    int64_t err = tid < 0 ? tid : kine_sys_thread_start((kine_tid_t)tid, pc, sp, arg, ipcbuf);
    if (err < 0) {
        if (tid >= 0)
            kine_sys_thread_destroy((kine_tid_t)tid);
        free(n);
        return reply_status(m, err);
    }
    *n = (struct thread){ .proc = p, .tid = (kine_tid_t)tid, .handle = p->next_handle++,
                          .slot = slot };
    struct thread **tail = &p->main.next;
    while (*tail)
        tail = &(*tail)->next;
    *tail = n;
    p->nthreads++;
    p->thread_slots |= 1U << slot;
    p->kmem_pages += KINE_KMEM_THREAD_PAGES;
    pg.kmem_reserved += KINE_KMEM_THREAD_PAGES;
    thread_insert(n);
    reply_status(m, (int64_t)n->handle);
    m->mr[1] = n->tid;
    return true;
}

bool thread_exit_req(struct thread *t, struct kine_msg *m)
{
    if (t == &t->proc->main)
        return reply_status(m, -KINE_EINVAL);   /* its end is the process's: exit */
    struct thread *joiner = t->joiner;
    t->exit_value = m->mr[0];
    t->exited = true;
    t->joiner = NULL;
    thread_end(t, true);             /* no reply: the thread is gone */
    if (joiner) {
        struct kine_msg r;
        reply_status(&r, 0);
        r.mr[1] = t->exit_value;
        joiner->blocked = B_NONE;
        reply_later(joiner->tid, &r);
        thread_free(t);              /* joined */
    }
    return false;
}

bool thread_join_req(struct thread *t, struct kine_msg *m)
{
    struct thread *x = by_handle(t->proc, m->mr[0]);
    if (!x)
        return reply_status(m, -KINE_ESRCH);    /* never was, or joined already */
    if (x == t)
        return reply_status(m, -KINE_EDEADLK);
    if (x == &t->proc->main || x->joiner)
        return reply_status(m, -KINE_EINVAL);   /* not joinable, or joined by another */
    /* a cycle of joins would never end: x (or whom it joins, ...) joins t */
    for (struct thread *y = x; y && y->blocked == B_JOIN; ) {
        struct thread *next = NULL;
        for (struct thread *z = &t->proc->main; z; z = z->next)
            if (z->joiner == y)
                next = z;
        if (next == t)
            return reply_status(m, -KINE_EDEADLK);
        y = next;
    }
    if (x->exited) {
        reply_status(m, 0);
        m->mr[1] = x->exit_value;
        thread_free(x);
        return true;
    }
    x->joiner = t;
    t->blocked = B_JOIN;
    return false;
}
