/*
 * path.h - file paths for the configuration file and the baseline:
 * canonical absolute forms, and paths relative to a folder.
 *
 * Design note.  A configuration file's globs and a baseline's file names
 * are relative to the folder of the file that holds them, so that both
 * work from any current folder and on any checkout.  Paths are compared
 * in canonical form (realpath: absolute, symbolic links resolved), built
 * once per folder by the callers.  Strings are malloc'd; NULL means out
 * of memory or a path that cannot be resolved.
 */
#ifndef RC_DRIVER_PATH_H
#define RC_DRIVER_PATH_H

/* realpath(p). */
char *path_real(const char *p);
/* The canonical folder that holds `file` (which need not exist). */
char *path_real_dir(const char *file);
/* The part of canonical `abs` below canonical folder `base`: "" for base
 * itself, NULL when abs is not inside it. */
const char *path_below(const char *base, const char *abs);
/* Canonical `abs` relative to canonical folder `base`, with ".." segments
 * where it lies outside. */
char *path_relative(const char *base, const char *abs);
/* a "/" b (b alone when a is empty or b is absolute). */
char *path_join(const char *a, const char *b);

#endif
