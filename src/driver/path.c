/*
 * path.c - canonical and relative paths (see path.h).
 */
/* realpath is an XSI function: glibc declares it only for X/Open */
#define _XOPEN_SOURCE 700

#include "driver/path.h"

#include <stdlib.h>
#include <string.h>

char *
path_real(const char *p)
{
	return realpath(p, NULL);
}

char *
path_join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *r;

	if (!na || b[0] == '/')
		na = 0;
	r = malloc(na + 1 + nb + 1);
	if (!r)
		return NULL;
	memcpy(r, a, na);
	if (na && a[na - 1] != '/')
		r[na++] = '/';
	memcpy(r + na, b, nb + 1);
	return r;
}

char *
path_real_dir(const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir, *real;

	if (!slash)
		return realpath(".", NULL);
	if (slash == file)
		return realpath("/", NULL);
	dir = malloc((size_t)(slash - file) + 1);
	if (!dir)
		return NULL;
	memcpy(dir, file, (size_t)(slash - file));
	dir[slash - file] = '\0';
	real = realpath(dir, NULL);
	free(dir);
	return real;
}

const char *
path_below(const char *base, const char *abs)
{
	size_t n = strlen(base);

	if (n == 1 && base[0] == '/')
		return abs[0] == '/' ? abs + 1 : NULL;
	if (strncmp(abs, base, n) != 0)
		return NULL;
	if (abs[n] == '\0')
		return abs + n;
	return abs[n] == '/' ? abs + n + 1 : NULL;
}

char *
path_relative(const char *base, const char *abs)
{
	const char *b = base, *a = abs;
	size_t ups = 0, i, n;
	char *r, *w;

	/* walk the segments both have in common */
	for (;;) {
		size_t lb, la;

		while (*b == '/')
			b++;
		while (*a == '/')
			a++;
		if (!*b)
			break;
		lb = strcspn(b, "/");
		la = strcspn(a, "/");
		if (lb != la || strncmp(a, b, lb) != 0)
			break;
		b += lb;
		a += la;
	}
	/* one ".." per segment of base left */
	while (*b) {
		ups++;
		b += strcspn(b, "/");
		while (*b == '/')
			b++;
	}
	n = strlen(a);
	r = malloc(ups * 3 + n + 2);
	if (!r)
		return NULL;
	w = r;
	for (i = 0; i < ups; i++) {
		memcpy(w, "../", 3);
		w += 3;
	}
	memcpy(w, a, n + 1);
	if (!n && w > r)
		w[-1] = '\0';          /* "../.." without the last slash */
	else if (!n)
		strcpy(r, ".");
	return r;
}
