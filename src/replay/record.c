/*
 * record.c - what the replay engine keeps of an event past the event
 * itself: the event summary (struct replay_ev) and join key tuples, with
 * owned copies of their values (see private.h).
 */
#include "replay/private.h"

#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

void
rp_ev_free(struct replay_ev *e)
{
	rp_val_free(&e->tb);
	rp_val_free(&e->id);
	free(e);
}

/* Builds the JSON text (the key's identity), its hash and a copy of the
 * values with their strings NUL-terminated in one buffer. */
bool
rp_key_make(struct key *k, const struct vm_val *v, uint16_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t strs = 0, at = 0;
	uint16_t i;

	memset(k, 0, sizeof *k);
	sb_putc(&sb, '[');
	for (i = 0; i < n; i++) {
		if (i)
			sb_putc(&sb, ',');
		vm_val_json(&v[i], &sb);
		if (v[i].k == VK_STR)
			strs += v[i].u.s.n + 1u;
	}
	sb_putc(&sb, ']');
	k->len = sb.len;
	k->json = sb_take(&sb);
	k->v = malloc((n ? n : 1) * sizeof *k->v);
	k->vbuf = malloc(strs + 1);
	if (!k->json || !k->v || !k->vbuf) {
		rp_key_free(k);
		return false;
	}
	k->hash = hash_str(k->json, k->len);
	k->n = n;
	for (i = 0; i < n; i++) {
		k->v[i] = v[i];
		if (v[i].k == VK_STR) {
			memcpy(k->vbuf + at, v[i].u.s.s, v[i].u.s.n);
			k->vbuf[at + v[i].u.s.n] = '\0';
			k->v[i].u.s.s = k->vbuf + at;
			at += v[i].u.s.n + 1u;
		}
	}
	return true;
}

void
rp_key_free(struct key *k)
{
	free(k->json);
	free(k->v);
	free(k->vbuf);
	memset(k, 0, sizeof *k);
}

/* A string or a VK_MULTI's elements with their strings go into one
 * block, so that rp_val_free releases it with one free. */
bool
rp_val_dup(struct vm_val *dst, const struct vm_val *v)
{
	size_t need, i;
	char *p;

	*dst = *v;
	if (v->k == VK_STR) {
		dst->u.s.s = rp_memdup(v->u.s.s, v->u.s.n);
		if (!dst->u.s.s)
			dst->k = VK_NULL;
		return dst->k != VK_NULL;
	}
	if (v->k != VK_MULTI)
		return true;
	need = v->u.m.n * sizeof(struct vm_val);
	for (i = 0; i < v->u.m.n; i++)
		if (v->u.m.v[i].k == VK_STR)
			need += v->u.m.v[i].u.s.n + 1u;
	p = malloc(need ? need : 1);
	if (!p) {
		dst->k = VK_NULL;
		return false;
	}
	{
		struct vm_val *el = (struct vm_val *)(void *)p;
		char *s = p + v->u.m.n * sizeof(struct vm_val);

		for (i = 0; i < v->u.m.n; i++) {
			el[i] = v->u.m.v[i];
			if (el[i].k == VK_MULTI) {
				el[i].k = VK_NULL;      /* not made by fields */
			} else if (el[i].k == VK_STR) {
				memcpy(s, el[i].u.s.s, el[i].u.s.n);
				s[el[i].u.s.n] = '\0';
				el[i].u.s.s = s;
				s += el[i].u.s.n + 1u;
			}
		}
		dst->u.m.v = el;
	}
	return true;
}

void
rp_val_free(struct vm_val *v)
{
	if (v->k == VK_STR)
		free((char *)v->u.s.s);
	else if (v->k == VK_MULTI)
		free((void *)v->u.m.v);
	v->k = VK_NULL;
}

bool
rp_has_str(const struct vm_val *v, const char *s, uint32_t n)
{
	uint32_t i, m = v->k == VK_MULTI ? v->u.m.n : 1;

	for (i = 0; i < m; i++) {
		const struct vm_val *x = v->k == VK_MULTI ? &v->u.m.v[i] : v;

		if (x->k == VK_STR && x->u.s.n == n &&
		    memcmp(x->u.s.s, s, n) == 0)
			return true;
	}
	return false;
}

char *
rp_memdup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}
