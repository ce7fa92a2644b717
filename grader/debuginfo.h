/* The C library's debug information, lean, for valgrind's runs. */
#ifndef RACECOURSE_DEBUGINFO_H
#define RACECOURSE_DEBUGINFO_H

/*
 * Helgrind and DRD need the symbol table of the C library's own functions,
 * which Debian ships in libc6-dbg (without it, Helgrind fails an assertion
 * in its pthread_create wrapper).  That file also holds libc's DWARF: its
 * line tables and inlined functions, which describe libc's sources only,
 * and which a report never shows (its places are the student's lines).
 * Reading that DWARF was 200 of each valgrind run's 500 ms.
 *
 * Returns the path of the debug file valgrind reads for the C library the
 * grader itself runs with (found by build ID under /usr/lib/debug), and
 * sets *lean to a copy of it with the symbol table and no DWARF
 * (objcopy --strip-debug), made once in cache_dir.  Returns NULL when there
 * is no such file or the copy could not be made: valgrind then reads the
 * whole file, slower, and finds the same (tests/kit.sh compares the two).
 */
char *debuginfo_lean_libc(const char *cache_dir, char **lean);

/* The hex build ID of the loaded C library, or NULL. */
char *debuginfo_libc_build_id(void);

#endif
