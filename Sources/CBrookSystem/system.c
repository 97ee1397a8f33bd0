// Operating-system helpers that Swift's Glibc module does not export.
#include "CBrookSystem.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void brook_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
