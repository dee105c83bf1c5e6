/*
 * record.c - what the replay engine keeps of an event past the event
 * itself: the event summary (struct replay_ev) and join key tuples, with
 * owned copies of their values (see private.h).
 */
#include "replay/private.h"

#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

/* An event summary goes back to its engine's free list (struct
 * replay_ev.pool): hits are made and dropped at the rate of events, and
 * the list makes that cost no malloc once the engine has warmed up. */
void
rp_ev_free(struct replay_ev *e)
{
	if (e->tb.u.s.s != e->inl)
		rp_val_free(&e->tb);
	if (e->id.u.s.s != e->inl + e->inl_tb)
		rp_val_free(&e->id);
	e->next = *e->pool;
	*e->pool = e;
}

/* A copy of v in ev, its string in the record's inline room when it
 * fits; false on oom (dst then VK_NULL). */
static bool
ev_store(struct replay_ev *ev, struct vm_val *dst, const struct vm_val *v,
	 size_t *used)
{
	if (v->k == VK_STR && v->u.s.n < sizeof ev->inl - *used) {
		char *p = ev->inl + *used;

		*dst = *v;
		memcpy(p, v->u.s.s, v->u.s.n);
		p[v->u.s.n] = '\0';
		dst->u.s.s = p;
		*used += v->u.s.n + 1u;
		return true;
	}
	return rp_val_dup(dst, v);
}

struct replay_ev *
rp_ev_new(struct replay_ev **pool, uint64_t index, int64_t ts,
	  const struct vm_val *tb, const struct vm_val *id)
{
	struct replay_ev *ev = *pool;
	size_t used = 0;

	if (ev)
		*pool = ev->next;
	else if (!(ev = malloc(sizeof *ev)))
		return NULL;
	ev->refs = 1;
	ev->index = index;
	ev->ts = ts;
	ev->pool = pool;
	ev->next = NULL;
	ev->tb.k = ev->id.k = VK_NULL;
	ev->tb.u.s.s = ev->id.u.s.s = NULL;
	ev->inl_tb = 0;
	if (tb->k != VK_NULL && tb->k != VK_MULTI &&
	    !ev_store(ev, &ev->tb, tb, &used))
		goto nomem;
	ev->inl_tb = (uint8_t)used;
	if (id->k != VK_NULL && !ev_store(ev, &ev->id, id, &used))
		goto nomem;
	return ev;
nomem:
	rp_ev_free(ev);
	return NULL;
}

void
rp_ev_pool_free(struct replay_ev **pool)
{
	struct replay_ev *ev;

	while ((ev = *pool)) {
		*pool = ev->next;
		free(ev);
	}
}

/* Builds the JSON text (the key's identity, in the caller's reusable
 * buffer `tmp`), its hash, and one block holding the text and a copy of
 * the values with their strings NUL-terminated. */
bool
rp_key_make(struct key *k, const struct vm_val *v, uint16_t n,
	    struct strbuf *tmp)
{
	size_t strs = 0, at, vsz;
	uint16_t i;
	char *blk;

	memset(k, 0, sizeof *k);
	tmp->len = 0;
	sb_putc(tmp, '[');
	for (i = 0; i < n; i++) {
		if (i)
			sb_putc(tmp, ',');
		vm_val_json(&v[i], tmp);
		if (v[i].k == VK_STR)
			strs += v[i].u.s.n + 1u;
	}
	sb_putc(tmp, ']');
	if (tmp->oom) {
		tmp->oom = false;
		return false;
	}
	vsz = (n ? n : 1) * sizeof *k->v;
	blk = malloc(vsz + tmp->len + 1 + strs);
	if (!blk)
		return false;
	k->v = (struct vm_val *)(void *)blk;
	k->json = blk + vsz;
	memcpy(k->json, tmp->data, tmp->len);
	k->json[tmp->len] = '\0';
	k->len = tmp->len;
	k->vbuf = k->json + k->len + 1;
	k->hash = hash_str(k->json, k->len);
	k->n = n;
	for (i = 0, at = 0; i < n; i++) {
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

bool
rp_key_copy(struct key *dst, const struct key *src)
{
	size_t vsz = (src->n ? src->n : 1) * sizeof *src->v, strs = 0;
	uint16_t i;
	char *blk;

	memset(dst, 0, sizeof *dst);
	for (i = 0; i < src->n; i++)
		if (src->v[i].k == VK_STR)
			strs += src->v[i].u.s.n + 1u;
	blk = malloc(vsz + src->len + 1 + strs);
	if (!blk)
		return false;
	*dst = *src;
	dst->v = (struct vm_val *)(void *)blk;
	dst->json = blk + vsz;
	dst->vbuf = dst->json + src->len + 1;
	memcpy(dst->json, src->json, src->len + 1 + strs);
	for (i = 0; i < src->n; i++) {
		dst->v[i] = src->v[i];
		if (src->v[i].k == VK_STR)
			dst->v[i].u.s.s = dst->vbuf +
					  (src->v[i].u.s.s - src->vbuf);
	}
	return true;
}

void
rp_key_free(struct key *k)
{
	free(k->v);     /* the one block (rp_key_make) */
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
