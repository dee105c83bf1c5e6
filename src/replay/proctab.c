/*
 * proctab.c - the process table of ESET rules (see private.h): what
 * process-start events said about each process, so that parent and
 * ancestor conditions can be evaluated on later events of its children.
 *
 * The table has two generations of at most PROC_GEN processes: when the
 * current one is full, the older one is dropped, so memory stays bounded
 * and the last PROC_GEN to 2 x PROC_GEN process starts are remembered.
 * Each generation is a vector of processes with a hash index by id.
 */
#include "replay/private.h"

#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

/* ---- setup ---- */

bool
rp_proc_setup(struct replay *e)
{
	const struct image *im = e->im;
	uint32_t i;
	size_t j;

	e->pool_suffix = malloc((im->npool + 1) * sizeof(int));
	e->pool_up = calloc(im->npool + 1, sizeof(int));
	if (!e->pool_suffix || !e->pool_up)
		return false;
	for (i = 0; i < im->npool; i++) {
		const struct img_pool_entry *pe = &im->pool[i];
		const char *p;
		size_t n;
		int up = 0;

		e->pool_suffix[i] = -1;
		if (pe->type != POOL_FIELD)
			continue;
		p = pe->u.field.path.s;
		n = pe->u.field.path.len;
		if (n < 9 || memcmp(p, "process.", 8) != 0)
			continue;
		p += 8;
		n -= 8;
		while (n > 7 && memcmp(p, "parent.", 7) == 0) {
			p += 7;
			n -= 7;
			up++;
		}
		for (j = 0; j < e->psuffix.n; j++)
			if (e->psuffix.v[j].n == n &&
			    memcmp(e->psuffix.v[j].s, p, n) == 0)
				break;
		if (j == e->psuffix.n) {
			struct strbuf sb = STRBUF_INIT;
			struct psuffix *ps = vec_add(&e->psuffix);

			if (!ps || !(ps->s = rp_memdup(p, n)))
				return false;
			ps->n = n;
			sb_printf(&sb, "process.%s", ps->s);
			ps->path = sb.oom ? -1 : rp_path_id(e, sb.data, sb.len);
			sb_free(&sb);
			if (ps->path < 0)
				return false;
		}
		e->pool_suffix[i] = (int)j;
		e->pool_up[i] = up;
	}
	e->p_pid = rp_path_id(e, "process.entity_id", 17);
	e->p_ppid = rp_path_id(e, "process.parent.entity_id", 24);
	e->p_type = rp_path_id(e, "event.type", 10);
	e->exe = -1;
	for (j = 0; j < e->psuffix.n; j++)
		if (strcmp(e->psuffix.v[j].s, "executable") == 0)
			e->exe = (int)j;
	return !e->oom;
}

/* ---- lookup ---- */

static struct proc *
proc_in(struct procgen *g, uint32_t h, const char *id, size_t n)
{
	uint32_t pos, it;

	for (pos = hash_first(&g->ix, h);
	     (it = hash_next(&g->ix, h, &pos)) != HASH_NONE;) {
		struct proc *p = &g->p.v[it];

		if (p->idlen == n && memcmp(p->id, id, n) == 0)
			return p;
	}
	return NULL;
}

static struct proc *
proc_find(struct replay *e, const char *id, size_t n)
{
	uint32_t h = hash_str(id, n);
	struct proc *p = proc_in(&e->procs, h, id, n);

	return p ? p : proc_in(&e->oldprocs, h, id, n);
}

struct proc *
rp_proc_up(struct replay *e, int up)
{
	const struct vm_val *id = rp_str_of(rp_get_path(e, e->p_pid));
	struct proc *p;

	if (id->k != VK_STR)
		return NULL;
	p = proc_find(e, id->u.s.s, id->u.s.n);
	if (!p) {       /* the event's own parent id, if it has one */
		id = rp_str_of(rp_get_path(e, e->p_ppid));
		if (up < 1 || id->k != VK_STR)
			return NULL;
		p = proc_find(e, id->u.s.s, id->u.s.n);
		up--;
	}
	while (p && up-- > 0)
		p = p->parent ? proc_find(e, p->parent, p->parentlen) : NULL;
	return p;
}

bool
rp_host_ancestor(void *h, uint32_t d)
{
	struct rp_worker *w = h;
	struct replay *e = w->e;
	const struct img_pool_entry *pe = &e->im->pool[d];
	struct proc *saved = w->subject, *p;
	const char *prev = NULL;
	unsigned level = 0;
	bool r = false;

	if (saved)
		return false;   /* ancestors of ancestors: not asked */
	for (p = rp_proc_up(e, 1); p && level < 1024;
	     p = p->parent ? proc_find(e, p->parent, p->parentlen) : NULL) {
		const struct vm_val *x = e->exe >= 0 ? &p->v[e->exe] : NULL;

		if (pe->u.anc.unique && x && x->k == VK_STR && prev &&
		    strcmp(prev, x->u.s.s) == 0)
			continue;       /* same executable: same level */
		prev = x && x->k == VK_STR ? x->u.s.s : NULL;
		level++;
		if (pe->u.anc.distance ? level != pe->u.anc.distance :
		    level <= pe->u.anc.skip)
			continue;
		w->subject = p;
		r = vm_test(w->rt, &pe->u.anc.code, &(struct vm_host){
				    rp_host_field, rp_host_ancestor, w,
				    false });
		w->subject = saved;
		if (r || pe->u.anc.distance)
			break;
	}
	return r;
}

/* ---- recording process starts ---- */

static void
proc_free(struct replay *e, struct proc *p)
{
	size_t j;

	for (j = 0; p->v && j < e->psuffix.n; j++)
		rp_val_free(&p->v[j]);
	free(p->v);
	free(p->id);
	free(p->parent);
	memset(p, 0, sizeof *p);
}

static void
gen_free(struct replay *e, struct procgen *g)
{
	size_t j;

	for (j = 0; j < g->p.n; j++)
		proc_free(e, &g->p.v[j]);
	vec_free(&g->p);
	hash_free(&g->ix);
}

/* The snapshot of the current event's process: its id, its parent's and
 * the process.* fields ancestor conditions read; false on oom. */
static bool
snapshot(struct replay *e, const struct vm_val *id, struct proc *s)
{
	const struct vm_val *pid = rp_str_of(rp_get_path(e, e->p_ppid));
	size_t j;

	memset(s, 0, sizeof *s);
	s->id = rp_memdup(id->u.s.s, id->u.s.n);
	s->idlen = id->u.s.n;
	if (pid->k == VK_STR) {
		s->parent = rp_memdup(pid->u.s.s, pid->u.s.n);
		s->parentlen = pid->u.s.n;
	}
	s->v = calloc(e->psuffix.n + 1, sizeof *s->v);
	if (!s->id || (pid->k == VK_STR && !s->parent) || !s->v)
		return false;
	for (j = 0; j < e->psuffix.n; j++) {
		const struct vm_val *v =
			rp_str_of(rp_get_path(e, e->psuffix.v[j].path));

		if (v->k == VK_MULTI)
			continue;       /* stays null */
		if (!rp_val_dup(&s->v[j], v))
			return false;
	}
	return true;
}

void
rp_proc_note(struct replay *e)
{
	const struct vm_val *id;
	struct proc snap, *p;
	uint32_t h;

	if (!rp_has_str(rp_get_path(e, e->p_cat), "process", 7) ||
	    !rp_has_str(rp_get_path(e, e->p_type), "start", 5))
		return;
	id = rp_str_of(rp_get_path(e, e->p_pid));
	if (id->k != VK_STR)
		return;
	if (e->procs.p.n >= PROC_GEN) {
		gen_free(e, &e->oldprocs);
		e->oldprocs = e->procs;
		memset(&e->procs, 0, sizeof e->procs);
	}
	if (!snapshot(e, id, &snap)) {
		proc_free(e, &snap);
		e->oom = true;
		return;
	}
	h = hash_str(id->u.s.s, id->u.s.n);
	p = proc_in(&e->procs, h, id->u.s.s, id->u.s.n);
	if (p) {
		proc_free(e, p);
	} else {
		p = vec_add(&e->procs.p);
		if (!p || hash_add(&e->procs.ix, h,
				   (uint32_t)(e->procs.p.n - 1)) < 0) {
			if (p)
				e->procs.p.n--;
			proc_free(e, &snap);
			e->oom = true;
			return;
		}
	}
	*p = snap;
}

void
rp_proc_free_all(struct replay *e)
{
	size_t k;

	gen_free(e, &e->procs);
	gen_free(e, &e->oldprocs);
	for (k = 0; k < e->psuffix.n; k++)
		free(e->psuffix.v[k].s);
	vec_free(&e->psuffix);
	free(e->pool_suffix);
	free(e->pool_up);
}
