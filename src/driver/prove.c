/*
 * prove.c - rulec_ctx_prove_convert: a conversion proved (or refuted) by
 * replaying the same events through the original and the converted rule.
 *
 * Design note.  The rules are converted with rulec_ctx_convert and each
 * converted text is read back into a second, quiet context (checks off,
 * exceptions off) as the form it was printed in.  The originals of the
 * pairs that read back and compile go into one image, the converted
 * rules into another, at the same indexes, so that one replay per image
 * and input serves every rule: the witness events of all rules (each
 * rule's own probes are also plain events to the others, which costs
 * nothing and probes more), then each event file in a fresh replay of
 * its own.  Both images are compiled from the IR without exceptions and
 * with each rule's own metadata (category and timestamp fields, look-back
 * window), so a form that drops such metadata shows up.  A result is
 * kept as a 64-bit hash of its input and event positions (plus its first
 * three positions, to name it); the two sides' sorted lists are merged
 * to count the results of one side only.  The claimed relation comes
 * from the loss counts (prove.h); the first result that violates it is
 * named with its event.
 */
#include "rulec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/vec.h"
#include "driver/ctx.h"
#include "driver/prove.h"
#include "driver/witness.h"
#include "sema/rule.h"
#include "vm/image.h"

/* 2024-01-01T00:00:00.000Z: where witness time starts. */
#define WITNESS_T0 1704067200000LL

struct res {
	uint64_t h;
	uint32_t src;           /* 0: witness events; i: event file i */
	uint32_t n;
	unsigned long long pos[3];
};

typedef VEC(struct res) res_vec;

struct pair {
	const struct rc_rule *orig, *conv;
	rulec_proof p;
	char *text, *msg;
	res_vec got[2];         /* original, converted */
	size_t wit_start;       /* first witness position of the rule */
};

struct prover {
	rulec_ctx *ctx, *cv;
	enum rulec_form to;
	VEC(struct pair) pairs;
	VEC(size_t) img;        /* image index -> pair */
	struct strbuf err;      /* the first error reading back */
	struct strbuf wit;      /* the witness events */
	VEC(size_t) wline;      /* where each witness line starts */
	bool oom;
};

struct feed {
	struct prover *pv;
	int side;
	uint32_t src;
};

const char *
rulec_relation_name(enum rulec_relation r)
{
	static const char *const name[] = { "equal", "subset", "superset",
					    "none" };
	return (unsigned)r <= RULEC_REL_NONE ? name[r] : "?";
}

const char *
rulec_proof_status_name(enum rulec_proof_status s)
{
	static const char *const name[] = { "holds", "no-claim", "violated",
					    "refused", "unreadable" };
	return (unsigned)s <= RULEC_PROOF_UNREADABLE ? name[s] : "?";
}

enum rulec_relation
proof_relation(const struct ir_query *q, unsigned broader, unsigned narrower,
	       unsigned unrelated)
{
	if (!broader && !narrower && !unrelated)
		return RULEC_REL_EQUAL;
	if (unrelated || (broader && narrower))
		return RULEC_REL_NONE;
	/* a sequence keeps one partial match per key and stage, newest
	 * first: a broader stage can take an event the original would have
	 * completed with, so its results are not a superset */
	if (!q || q->kind != Q_EVENT || q->npipes)
		return RULEC_REL_NONE;
	return broader ? RULEC_REL_SUBSET : RULEC_REL_SUPERSET;
}

bool
proof_holds(enum rulec_relation rel, unsigned long long only_orig,
	    unsigned long long only_conv)
{
	switch (rel) {
	case RULEC_REL_EQUAL:    return !only_orig && !only_conv;
	case RULEC_REL_SUBSET:   return !only_orig;
	case RULEC_REL_SUPERSET: return !only_conv;
	default:                 return true;
	}
}

/* ------------------------------------------------------- reading back */

static enum rulec_input
input_of(enum rulec_form f)
{
	switch (f) {
	case RULEC_FORM_EQL:    return RULEC_INPUT_EQL;
	case RULEC_FORM_KIBANA: return RULEC_INPUT_NDJSON;
	case RULEC_FORM_TOML:   return RULEC_INPUT_TOML;
	default:                return RULEC_INPUT_XML;
	}
}

static void
on_cv_diag(void *ud, const rulec_diag *d)
{
	struct prover *pv = ud;

	if (rulec_diag_severity(d) != RULEC_SEVERITY_ERROR || pv->err.len)
		return;
	sb_printf(&pv->err, "the converted text does not read back: %u:%u: %s [%s]",
		  rulec_diag_line(d), rulec_diag_column(d),
		  rulec_diag_message(d), rulec_diag_id(d));
}

static void
on_converted(void *ud, const rulec_converted *c)
{
	struct prover *pv = ud;
	struct pair pr;
	size_t before = pv->cv->rules.n;
	int n;

	memset(&pr, 0, sizeof pr);
	pr.orig = (const struct rc_rule *)c->rule;
	pr.p.rule = c->rule;
	pr.p.broader = c->broader;
	pr.p.narrower = c->narrower;
	pr.p.unrelated = c->unrelated;
	pr.p.dropped = c->dropped;
	pr.p.refused = c->refused;
	pr.p.relation = proof_relation(pr.orig->ir, c->broader, c->narrower,
				       c->unrelated);
	if (!c->text) {
		pr.p.status = RULEC_PROOF_REFUSED;
		goto out;
	}
	pr.text = malloc(c->len + 1);
	if (!pr.text) {
		pv->oom = true;
		return;
	}
	memcpy(pr.text, c->text, c->len);
	pr.text[c->len] = 0;
	pr.p.converted = pr.text;
	pv->err.len = 0;
	if (pv->err.data)
		pv->err.data[0] = 0;
	n = rulec_ctx_load_buffer_as(pv->cv, c->file_name ? c->file_name
					     : "converted", input_of(pv->to),
				     c->text, c->len);
	if (n == 1 && pv->cv->rules.n == before + 1 &&
	    pv->cv->rules.v[before]->ir) {
		pr.conv = pv->cv->rules.v[before];
	} else {
		pr.p.status = RULEC_PROOF_UNREADABLE;
		if (pv->err.len)
			pr.msg = strdup(pv->err.data);
		else {
			struct strbuf sb = STRBUF_INIT;
			sb_printf(&sb, "the converted text holds %d rules, not one",
				  n < 0 ? 0 : n);
			pr.msg = sb_take(&sb);
		}
	}
out:
	if (vec_push(&pv->pairs, pr) < 0) {
		free(pr.text);
		free(pr.msg);
		pv->oom = true;
	}
}

/* ---------------------------------------------------------- compiling */

static int
compile_rule(struct img_builder *b, const struct rc_rule *r, char *err,
	     size_t errlen)
{
	struct vm_rule_info info = {
		r->meta.id, r->meta.name, r->src->name,
		r->meta.category_field, r->meta.timestamp_field,
		r->meta.tiebreaker_field,
		r->meta.has_lookback ? r->meta.lookback_ms : -1,
		r->meta.ts_no_fallback
	};

	return vm_compile_query(b, r->ir, &info, err, errlen);
}

static void
set_msg(struct pair *pr, const char *side, const char *err)
{
	struct strbuf sb = STRBUF_INIT;

	sb_printf(&sb, "the %s rule does not compile: %s", side, err);
	free(pr->msg);
	pr->msg = sb_take(&sb);
}

/* Builds the two images of the pairs that compile; false on out of
 * memory. */
static bool
build_images(struct prover *pv, struct strbuf *img0, struct strbuf *img1)
{
	struct img_builder b[2];
	char err[256];
	bool ok = true;

	img_builder_init(&b[0]);
	img_builder_init(&b[1]);
	for (size_t i = 0; i < pv->pairs.n; i++) {
		struct pair *pr = &pv->pairs.v[i];
		struct img_builder t;
		int side;

		if (!pr->conv)
			continue;
		for (side = 0; side < 2; side++) {
			img_builder_init(&t);
			err[0] = 0;
			if (compile_rule(&t, side ? pr->conv : pr->orig, err,
					 sizeof err) < 0) {
				img_builder_free(&t);
				break;
			}
			img_builder_free(&t);
		}
		if (side < 2) {
			pr->p.status = side ? RULEC_PROOF_UNREADABLE
					    : RULEC_PROOF_REFUSED;
			set_msg(pr, side ? "converted" : "original", err);
			pr->conv = NULL;
			continue;
		}
		if (compile_rule(&b[0], pr->orig, err, sizeof err) < 0 ||
		    compile_rule(&b[1], pr->conv, err, sizeof err) < 0 ||
		    vec_push(&pv->img, i) < 0) {
			ok = false;
			break;
		}
	}
	ok = ok && img_write(&b[0], img0) == 0 && img_write(&b[1], img1) == 0 &&
	     !img0->oom && !img1->oom;
	img_builder_free(&b[0]);
	img_builder_free(&b[1]);
	return ok;
}

/* ---------------------------------------------------------- replaying */

static void
on_result(void *ud, const rulec_match *m)
{
	struct feed *f = ud;
	size_t k = rulec_match_rule_index(m), i, n;
	struct res r;

	if (k >= f->pv->img.n)
		return;
	memset(&r, 0, sizeof r);
	r.src = f->src;
	r.h = 1469598103934665603ull ^ f->src;
	n = rulec_match_event_count(m);
	r.n = (uint32_t)n;
	for (i = 0; i < n; i++) {
		rulec_match_event ev;
		unsigned long long p = ~0ull;
		if (rulec_match_get_event(m, i, &ev) == RULEC_OK && !ev.missing)
			p = ev.index;
		if (i < 3)
			r.pos[i] = p;
		r.h = (r.h ^ p) * 1099511628211ull;
		r.h ^= r.h >> 29;
	}
	if (vec_push(&f->pv->pairs.v[f->pv->img.v[k]].got[f->side], r) < 0)
		f->pv->oom = true;
}

/* Replays one input through both images: path, or the witness events
 * when path is NULL.  False when an image cannot be replayed or the
 * input cannot be read. */
static bool
replay_both(struct prover *pv, const struct strbuf *img0,
	    const struct strbuf *img1, const char *path, uint32_t src)
{
	for (int side = 0; side < 2; side++) {
		const struct strbuf *img = side ? img1 : img0;
		struct feed f = { pv, side, src };
		rulec_replay_opts o;
		rulec_replay *r;
		char err[256];

		rulec_replay_opts_init(&o);
		o.size = -1;
		r = rulec_replay_new((const unsigned char *)img->data, img->len,
				     &o, err, sizeof err);
		if (!r)
			return false;
		long fed;
		rulec_replay_set_match_handler(r, on_result, &f);
		if (path)
			fed = rulec_replay_feed(r, path);
		else
			fed = rulec_replay_feed_buffer(r, "<witness>",
						       pv->wit.data ? pv->wit.data
								    : "",
						       pv->wit.len);
		if (fed < 0 || rulec_replay_finish(r) != RULEC_OK) {
			rulec_replay_free(r);
			return false;
		}
		rulec_replay_free(r);
	}
	return true;
}

/* ---------------------------------------------------------- comparing */

static int
cmp_res(const void *a, const void *b)
{
	const struct res *x = a, *y = b;

	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	if (x->pos[0] != y->pos[0])
		return x->pos[0] < y->pos[0] ? -1 : 1;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return 0;
}

/* Describes result r (of side `side`, missing on the other) into sb. */
static void
describe(struct prover *pv, const struct rulec_proof_opts *o,
	 const struct res *r, int side, struct strbuf *sb)
{
	unsigned long long p = r->pos[0];

	sb_printf(sb, "the %s rule's result at event%s ",
		  side ? "converted" : "original", r->n > 1 ? "s" : "");
	for (uint32_t i = 0; i < r->n && i < 3; i++) {
		if (r->pos[i] == ~0ull)
			sb_printf(sb, "%s-", i ? "," : "");
		else
			sb_printf(sb, "%s%llu", i ? "," : "", r->pos[i] + 1);
	}
	if (r->n > 3)
		sb_puts(sb, ",...");
	sb_printf(sb, " is not a result of the %s rule; ",
		  side ? "original" : "converted");
	if (r->src == 0 && p < pv->wline.n) {
		size_t s = pv->wline.v[p];
		size_t e = p + 1 < pv->wline.n ? pv->wline.v[p + 1] - 1
					       : pv->wit.len;
		if (e - s > 400)
			e = s + 400;
		sb_printf(sb, "witness event %llu: %.*s", p + 1, (int)(e - s),
			  pv->wit.data + s);
	} else if (r->src && r->src <= o->nevents) {
		sb_printf(sb, "event %llu of %s", p + 1, o->events[r->src - 1]);
	}
}

static void
compare(struct prover *pv, const struct rulec_proof_opts *o, struct pair *pr)
{
	res_vec *a = &pr->got[0], *b = &pr->got[1];
	size_t i = 0, j = 0;
	const struct res *first[2] = { NULL, NULL };

	if (a->n)
		qsort(a->v, a->n, sizeof *a->v, cmp_res);
	if (b->n)
		qsort(b->v, b->n, sizeof *b->v, cmp_res);
	pr->p.orig_results = a->n;
	pr->p.conv_results = b->n;
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : cmp_res(&a->v[i], &b->v[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			if (!first[0])
				first[0] = &a->v[i];
			pr->p.only_orig++;
			i++;
		} else {
			if (!first[1])
				first[1] = &b->v[j];
			pr->p.only_conv++;
			j++;
		}
	}
	if (pr->p.relation == RULEC_REL_NONE) {
		pr->p.status = RULEC_PROOF_NO_CLAIM;
	} else if (proof_holds(pr->p.relation, pr->p.only_orig,
			       pr->p.only_conv)) {
		pr->p.status = RULEC_PROOF_HOLDS;
	} else {
		struct strbuf sb = STRBUF_INIT;
		int side = pr->p.relation == RULEC_REL_SUPERSET ||
			   (pr->p.relation == RULEC_REL_EQUAL && !first[0]);
		pr->p.status = RULEC_PROOF_VIOLATED;
		sb_printf(&sb, "relation %s violated (%llu result%s of the original only, %llu of the converted only): ",
			  rulec_relation_name(pr->p.relation), pr->p.only_orig,
			  pr->p.only_orig == 1 ? "" : "s", pr->p.only_conv);
		describe(pv, o, first[side], side, &sb);
		free(pr->msg);
		pr->msg = sb_take(&sb);
	}
}

/* ---------------------------------------------------------- the entry */

static void
index_lines(struct prover *pv, size_t from)
{
	for (size_t i = from; i < pv->wit.len; i++)
		if ((i == from || pv->wit.data[i - 1] == '\n') &&
		    vec_push(&pv->wline, i) < 0)
			pv->oom = true;
}

static void
prover_free(struct prover *pv)
{
	for (size_t i = 0; i < pv->pairs.n; i++) {
		free(pv->pairs.v[i].text);
		free(pv->pairs.v[i].msg);
		vec_free(&pv->pairs.v[i].got[0]);
		vec_free(&pv->pairs.v[i].got[1]);
	}
	vec_free(&pv->pairs);
	vec_free(&pv->img);
	vec_free(&pv->wline);
	sb_free(&pv->err);
	sb_free(&pv->wit);
}

/* Compiles, replays and compares the pairs of pv; the records to fn. */
static int
prove_pairs(struct prover *pv, const rulec_proof_opts *o, rulec_proof_fn fn,
	    void *ud)
{
	static const rulec_proof_opts none = { 0, NULL, 0, 0 };
	struct strbuf img0 = STRBUF_INIT, img1 = STRBUF_INIT;
	int64_t t = WITNESS_T0;
	int bad = 0, rc;
	size_t i;

	if (!o)
		o = &none;
	rc = RULEC_ERR_NOMEM;
	if (pv->oom || !build_images(pv, &img0, &img1))
		goto done;
	/* the witness events of both sides of every pair */
	for (i = 0; i < pv->img.n; i++) {
		struct pair *pr = &pv->pairs.v[pv->img.v[i]];
		char pre[32];
		size_t from = pv->wit.len;
		snprintf(pre, sizeof pre, "%zuo", i);
		pr->p.witnesses = witness_events(pr->orig->ir, o->seed, pre, &t,
						 o->witness_limit, &pv->wit);
		snprintf(pre, sizeof pre, "%zuc", i);
		pr->p.witnesses += witness_events(pr->conv->ir, o->seed, pre,
						  &t, o->witness_limit,
						  &pv->wit);
		index_lines(pv, from);
	}
	if (pv->wit.oom || pv->oom)
		goto done;
	if (pv->img.n) {
		rc = RULEC_ERR_ARG;
		if (!replay_both(pv, &img0, &img1, NULL, 0))
			goto done;
		for (i = 0; i < o->nevents; i++)
			if (!replay_both(pv, &img0, &img1, o->events[i],
					 (uint32_t)i + 1))
				goto done;
	}
	rc = RULEC_ERR_NOMEM;
	if (pv->oom)
		goto done;
	for (i = 0; i < pv->img.n; i++)
		compare(pv, o, &pv->pairs.v[pv->img.v[i]]);
	for (i = 0; i < pv->pairs.n; i++) {
		struct pair *pr = &pv->pairs.v[i];
		pr->p.message = pr->msg;
		bad += pr->p.status == RULEC_PROOF_VIOLATED ||
		       pr->p.status == RULEC_PROOF_UNREADABLE;
		if (fn)
			fn(ud, &pr->p);
	}
	rc = bad;
done:
	sb_free(&img0);
	sb_free(&img1);
	return rc;
}

int
rulec_ctx_prove_convert(rulec_ctx *ctx, enum rulec_form to, unsigned flags,
			const rulec_proof_opts *o, rulec_proof_fn fn, void *ud)
{
	struct prover pv;
	int rc;

	memset(&pv, 0, sizeof pv);
	pv.ctx = ctx;
	pv.to = to;
	pv.cv = rulec_ctx_new();
	if (!pv.cv)
		return RULEC_ERR_NOMEM;
	rulec_ctx_set_checks(pv.cv, 0);
	rulec_ctx_set_exceptions(pv.cv, 0);
	rulec_ctx_set_diag_handler(pv.cv, on_cv_diag, &pv);
	rc = rulec_ctx_convert(ctx, to, flags, on_converted, &pv);
	if (rc >= 0)
		rc = pv.oom ? RULEC_ERR_NOMEM : prove_pairs(&pv, o, fn, ud);
	prover_free(&pv);
	rulec_ctx_free(pv.cv);
	return rc;
}

int
rulec_ctx_prove_against(rulec_ctx *ctx, rulec_ctx *conv,
			enum rulec_relation claim, const rulec_proof_opts *o,
			rulec_proof_fn fn, void *ud)
{
	struct prover pv;
	int rc;

	if (ctx->rules.n != conv->rules.n || (unsigned)claim > RULEC_REL_NONE)
		return RULEC_ERR_ARG;
	memset(&pv, 0, sizeof pv);
	pv.ctx = ctx;
	pv.cv = conv;
	for (size_t i = 0; i < ctx->rules.n; i++) {
		struct pair pr;
		memset(&pr, 0, sizeof pr);
		pr.orig = ctx->rules.v[i];
		pr.p.rule = (const rulec_rule *)pr.orig;
		pr.p.relation = claim;
		if (!pr.orig->ir)
			pr.p.status = RULEC_PROOF_REFUSED;
		else if (!conv->rules.v[i]->ir)
			pr.p.status = RULEC_PROOF_UNREADABLE;
		else
			pr.conv = conv->rules.v[i];
		if (pr.p.status == RULEC_PROOF_UNREADABLE)
			pr.msg = strdup("the translation has errors");
		if (vec_push(&pv.pairs, pr) < 0) {
			free(pr.msg);
			prover_free(&pv);
			return RULEC_ERR_NOMEM;
		}
	}
	rc = prove_pairs(&pv, o, fn, ud);
	prover_free(&pv);
	return rc;
}



char *
rulec_rule_witness(const rulec_rule *rule, unsigned long long seed)
{
	const struct rc_rule *r = (const struct rc_rule *)rule;
	struct strbuf sb = STRBUF_INIT;
	int64_t t = WITNESS_T0;

	if (!r || !r->ir)
		return NULL;
	witness_events(r->ir, seed, "", &t, 0, &sb);
	if (sb.oom) {
		sb_free(&sb);
		return NULL;
	}
	return sb.data ? sb_take(&sb) : strdup("");
}
