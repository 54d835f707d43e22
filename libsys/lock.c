/* picolibc's locks, for programs with several threads.  picolibc is built
 * with retargetable locking: malloc, atexit and the buffered FILEs call
 * __retarget_lock_* around their shared state, and its own versions do
 * nothing.  These are real: a recursive lock held by one thread at a time,
 * the thread known by its tp (each thread has a TLS block of its own).  A
 * thread that finds the lock taken yields to the others, so on one hart
 * the holder runs and lets go; on several it may also be running.  Defining
 * every symbol of picolibc's lock file keeps that file out of the link. */
#include <stdlib.h>
#include <sys/lock.h>
#include "libsys_internal.h"

struct __lock {
    int taken;               /* swapped atomically */
    void *owner;             /* its tp, while taken */
    unsigned depth;          /* acquisitions by the owner not yet released */
};

/* The lock picolibc names for malloc and the rest of its shared state. */
struct __lock __lock___libc_recursive_mutex;

static void *self(void)
{
    void *tp;
    __asm__("mv %0, tp" : "=r"(tp));
    return tp;
}

static int try_take(struct __lock *l)
{
    if (l->depth && l->owner == self()) {
        l->depth++;
        return 1;
    }
    if (__atomic_exchange_n(&l->taken, 1, __ATOMIC_ACQUIRE))
        return 0;
    l->owner = self();
    l->depth = 1;
    return 1;
}

static void take(struct __lock *l)
{
    while (!try_take(l))
        kine_yield();
}

static void give(struct __lock *l)
{
    if (--l->depth)
        return;
    l->owner = NULL;
    __atomic_store_n(&l->taken, 0, __ATOMIC_RELEASE);
}

static void make(_LOCK_T *lock) { *lock = calloc(1, sizeof(struct __lock)); }

/* A lock that could not be made (no memory) is none: its FILE goes unlocked. */
void __retarget_lock_init(_LOCK_T *lock) { make(lock); }
void __retarget_lock_init_recursive(_LOCK_T *lock) { make(lock); }
void __retarget_lock_close(_LOCK_T lock) { free(lock); }
void __retarget_lock_close_recursive(_LOCK_T lock) { free(lock); }
void __retarget_lock_acquire(_LOCK_T lock) { if (lock) take(lock); }
void __retarget_lock_acquire_recursive(_LOCK_T lock) { if (lock) take(lock); }
int __retarget_lock_try_acquire(_LOCK_T lock) { return lock ? try_take(lock) : 1; }
int __retarget_lock_try_acquire_recursive(_LOCK_T lock) { return lock ? try_take(lock) : 1; }
void __retarget_lock_release(_LOCK_T lock) { if (lock) give(lock); }
void __retarget_lock_release_recursive(_LOCK_T lock) { if (lock) give(lock); }

void libsys_lock_libc(void) { take(&__lock___libc_recursive_mutex); }
void libsys_unlock_libc(void) { give(&__lock___libc_recursive_mutex); }
