#ifndef BROOK_CBROOKSYSTEM_H
#define BROOK_CBROOKSYSTEM_H

/// Returns freed heap memory to the operating system where the C library supports it
/// (glibc's malloc_trim); a no-op elsewhere.
void brook_release_free_memory(void);

#endif
