#include "allocation_counter.hpp"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <pthread.h>

extern "C" {
void* __libc_malloc(std::size_t size);
void __libc_free(void* p);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

// glibc exports its mutex functions under internal names too, but only as non-default symbol
// versions, which a plain declaration cannot bind to; .symver names the version explicitly.
#if defined(__x86_64__) && defined(__GLIBC__)
#define FLUXFORGE_COUNT_LOCKS 1
extern "C" int fluxforgeGlibcMutexLock(pthread_mutex_t* mutex);
extern "C" int fluxforgeGlibcMutexTrylock(pthread_mutex_t* mutex);
__asm__(".symver fluxforgeGlibcMutexLock,__pthread_mutex_lock@GLIBC_2.2.5");
__asm__(".symver fluxforgeGlibcMutexTrylock,__pthread_mutex_trylock@GLIBC_2.2.5");
#endif

namespace {

std::atomic<std::uint64_t> gAllocations{0};
std::atomic<std::uint64_t> gDeallocations{0};
std::atomic<std::uint64_t> gLocks{0};
thread_local int tRealtimeDepth = 0;

inline void countAllocation() noexcept {
    if (tRealtimeDepth > 0)
        gAllocations.fetch_add(1, std::memory_order_relaxed);
}
inline void countDeallocation(void* p) noexcept {
    if (tRealtimeDepth > 0 && p != nullptr)
        gDeallocations.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

extern "C" {

void* malloc(std::size_t size) {
    countAllocation();
    return __libc_malloc(size);
}
void free(void* p) {
    countDeallocation(p);
    __libc_free(p);
}
void* calloc(std::size_t count, std::size_t size) {
    countAllocation();
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) {
    countAllocation();
    return __libc_realloc(p, size);
}
void* memalign(std::size_t alignment, std::size_t size) {
    countAllocation();
    return __libc_memalign(alignment, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) {
    countAllocation();
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
    countAllocation();
    void* p = __libc_memalign(alignment, size);
    if (p == nullptr)
        return 12; // ENOMEM
    *out = p;
    return 0;
}

#if FLUXFORGE_COUNT_LOCKS
int pthread_mutex_lock(pthread_mutex_t* mutex) {
    if (tRealtimeDepth > 0)
        gLocks.fetch_add(1, std::memory_order_relaxed);
    return fluxforgeGlibcMutexLock(mutex);
}
int pthread_mutex_trylock(pthread_mutex_t* mutex) {
    if (tRealtimeDepth > 0)
        gLocks.fetch_add(1, std::memory_order_relaxed);
    return fluxforgeGlibcMutexTrylock(mutex);
}
#endif

} // extern "C"

namespace fluxforge::test {

RealtimeViolations realtimeViolations() noexcept {
    return {gAllocations.load(), gDeallocations.load(), gLocks.load()};
}

bool allocationCounterInstalled() noexcept {
    return true;
}

CountedRealtimeScope::CountedRealtimeScope() noexcept {
    ++tRealtimeDepth;
}
CountedRealtimeScope::~CountedRealtimeScope() {
    --tRealtimeDepth;
}

} // namespace fluxforge::test
