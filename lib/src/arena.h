/* arena.h - private: one allocation per object, carved into its arrays.
 *
 * An object's layout function carves every array it needs from an arena,
 * and is run twice: first on an arena with no base, which only counts the
 * bytes; then, after arena_commit has allocated exactly that many, on the
 * block itself, which sets the pointers.  The object then owns one block
 * (free it once) whose size is known exactly.  Every array starts on a
 * 64-byte boundary (a cache line, and an AVX-512 vector).
 *
 *     arena a = {0};
 *     layout(obj, &a, ...);          sizing pass: pointers NULL
 *     if (!arena_commit(&a)) fail;
 *     layout(obj, &a, ...);          the pointers, into a.base
 *     obj->mem = a.base, obj->bytes = a.used;
 */
#ifndef FF_ARENA_H
#define FF_ARENA_H

#include <stdlib.h>

/* Under AddressSanitizer each array is followed by a poisoned red zone (its
 * padding to 64 bytes and 64 more), so that an overrun into the next array
 * of the block is caught as it would be between two allocations. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_REDZONE 64
#else
#define ARENA_REDZONE 0
#endif

typedef struct {
    char *base; /* NULL in the sizing pass */
    size_t used;
} arena;

/* The next `bytes` of the arena, rounded up to 64 (NULL in the sizing pass). */
static inline void *carve(arena *a, size_t bytes)
{
    const size_t rounded = (bytes + 63) & ~(size_t)63;
    char *p = a->base ? a->base + a->used : NULL;
#ifdef ARENA_ASAN
    if (p)
        ASAN_POISON_MEMORY_REGION(p + bytes, rounded - bytes + ARENA_REDZONE);
#endif
    a->used += rounded + ARENA_REDZONE;
    return p;
}

/* After the sizing pass: allocate the bytes it counted (at least one line)
 * and rewind, for the pass that carves them.  0 when out of memory. */
static inline int arena_commit(arena *a)
{
    a->base = aligned_alloc(64, a->used ? a->used : 64);
    a->used = 0;
    return a->base != NULL;
}

#endif
