/* TEMPORARY until the kernel branch lands: its ABI, declared here. */
#ifndef KSYS_AS_QUERY
#define KSYS_AS_QUERY 26
#define KSYS_KMEM_INFO 27
#define KSYS_AS_TABLES 28
#define KINE_AS_INJECT 1
#define KINE_AS_TABLES_MAX 8192
#define KINE_KMEM_THREAD_PAGES 2
#define KINE_KMEM_SPACE_PAGES 2
static inline int64_t kine_as_query(kine_as_t as, uint64_t va, uint64_t n)
{ return kine_syscall(KSYS_AS_QUERY, as, va, n, 0, 0); }
static inline int64_t kine_kmem_info(void) { return kine_syscall(KSYS_KMEM_INFO, 0, 0, 0, 0, 0); }
#define kine_as_create(l, f) kine_syscall(KSYS_AS_CREATE, (l), (f), 0, 0, 0)
#endif
