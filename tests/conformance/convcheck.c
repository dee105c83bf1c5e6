/*
 * convcheck.c - the differential check of `rulec convert` over rule
 * files: each rule converted, read back and replayed against the
 * original (rulec_ctx_prove_convert), with a table of the outcomes.
 *
 *   convcheck [--to eql|kibana|toml|xml] [--drop] [--seed N] [--limit N]
 *             [--events FILE]... [--witness] [--quiet]
 *             [--against FILE --claim equal|subset|superset|none] PATH...
 *
 * Design note.  A plain program over the public interface, as the other
 * conformance drivers: scripts/convert-corpus and tests/scripts/prove.sh
 * run it.  It prints one line for each rule that was not proved ("violated
 * RULE: message", "unreadable RULE: message"; with --quiet only these
 * two), then "convcheck:" lines: the counts of conversions (exact,
 * approximate by direction, refused), of proofs (holds, no claim,
 * violated, unreadable) and the ten most frequent conversion diagnostics
 * with their quoted parts and numbers masked.  --against FILE takes the
 * rules of FILE, in order, as the translations of the rules of PATH
 * (rulec_ctx_prove_against) with the relation --claim gives: the check
 * of the check, with hand-written broader and narrower rules.  --witness prints the
 * witness events of each rule instead (NDJSON) and converts nothing.
 * Exit status: 0 every claimed relation held, 1 a relation was violated
 * or a converted text did not read back, 2 usage or I/O errors.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulec.h"

struct reason {
	char *text;
	unsigned long n;
};

struct state {
	int quiet;
	unsigned long exact, broader, narrower, mixed, refused, dropped;
	unsigned long st[RULEC_PROOF_UNREADABLE + 1];
	unsigned long long witnesses, results;
	struct reason *rs;
	size_t nrs, caprs;
	unsigned long io_errors;
};

/* The message with "..." and `...` contents after the first word and
 * numbers masked, so that messages of one kind fall together. */
static char *
pattern(const char *m)
{
	size_t n = strlen(m), i, o = 0;
	char *p = malloc(2 * n + 8);
	int inq = 0;

	if (!p)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = m[i];
		if (c == '"') {
			if (!inq)
				p[o++] = '"';
			inq = !inq;
			if (!inq) {
				p[o++] = '.';
				p[o++] = '.';
				p[o++] = '"';
			}
			continue;
		}
		if (inq)
			continue;
		if (isdigit((unsigned char)c)) {
			if (!o || p[o - 1] != 'N')
				p[o++] = 'N';
			continue;
		}
		p[o++] = c;
	}
	p[o] = 0;
	return p;
}

static void
on_diag(void *ud, const rulec_diag *d)
{
	struct state *s = ud;
	const char *fam = rulec_diag_family(d);
	char *p;
	size_t i;

	if (strcmp(fam, "io") == 0)
		s->io_errors += rulec_diag_severity(d) == RULEC_SEVERITY_ERROR;
	if (strcmp(fam, "conversion") != 0)
		return;
	p = pattern(rulec_diag_message(d));
	if (!p)
		return;
	for (i = 0; i < s->nrs; i++)
		if (strcmp(s->rs[i].text, p) == 0) {
			s->rs[i].n++;
			free(p);
			return;
		}
	if (s->nrs == s->caprs) {
		size_t c = s->caprs ? 2 * s->caprs : 64;
		struct reason *r = realloc(s->rs, c * sizeof *r);
		if (!r) {
			free(p);
			return;
		}
		s->rs = r;
		s->caprs = c;
	}
	s->rs[s->nrs].text = p;
	s->rs[s->nrs].n = 1;
	s->nrs++;
}

static const char *
rule_label(const rulec_rule *r)
{
	const char *n = rulec_rule_name(r);

	return n ? n : rulec_rule_file(r);
}

static void
on_proof(void *ud, const rulec_proof *p)
{
	struct state *s = ud;

	s->st[p->status]++;
	s->witnesses += p->witnesses;
	s->results += p->orig_results;
	if (p->status == RULEC_PROOF_REFUSED)
		s->refused++;
	else if (!p->broader && !p->narrower && !p->unrelated)
		s->exact++;
	else if (p->unrelated || (p->broader && p->narrower))
		s->mixed++;
	else if (p->broader)
		s->broader++;
	else
		s->narrower++;
	s->dropped += p->dropped > 0;
	if (p->status == RULEC_PROOF_VIOLATED ||
	    p->status == RULEC_PROOF_UNREADABLE)
		printf("%s %s: %s\n", rulec_proof_status_name(p->status),
		       rule_label(p->rule), p->message ? p->message : "");
	else if (!s->quiet && p->status != RULEC_PROOF_REFUSED)
		printf("%s %s (%s; %llu results, %llu/%llu of one side)\n",
		       rulec_proof_status_name(p->status), rule_label(p->rule),
		       rulec_relation_name(p->relation), p->orig_results,
		       p->only_orig, p->only_conv);
}

static int
cmp_reason(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->text, y->text);
}

static int
usage(void)
{
	fprintf(stderr, "usage: convcheck [--to eql|kibana|toml|xml] [--drop] [--seed N] [--limit N] [--events FILE]... [--witness] [--quiet] [--against FILE --claim equal|subset|superset|none] PATH...\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct state s;
	rulec_proof_opts o = { 1, NULL, 0, 0 };
	const char **events = calloc((size_t)argc, sizeof *events);
	enum rulec_form to = RULEC_FORM_EQL;
	unsigned flags = 0;
	int witness = 0, i, n = 0, rc, claim = -1;
	const char *against = NULL;
	rulec_ctx *ctx = rulec_ctx_new();

	memset(&s, 0, sizeof s);
	if (!ctx || !events)
		return 2;
	rulec_ctx_set_checks(ctx, 0);
	rulec_ctx_set_diag_handler(ctx, on_diag, &s);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--to") == 0 && i + 1 < argc) {
			a = argv[++i];
			if (!strcmp(a, "eql")) to = RULEC_FORM_EQL;
			else if (!strcmp(a, "kibana")) to = RULEC_FORM_KIBANA;
			else if (!strcmp(a, "toml")) to = RULEC_FORM_TOML;
			else if (!strcmp(a, "xml")) to = RULEC_FORM_XML;
			else return usage();
		} else if (strcmp(a, "--drop") == 0) {
			flags |= RULEC_CONVERT_DROP;
		} else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
			o.seed = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(a, "--limit") == 0 && i + 1 < argc) {
			o.witness_limit = strtoul(argv[++i], NULL, 10);
		} else if (strcmp(a, "--events") == 0 && i + 1 < argc) {
			events[o.nevents++] = argv[++i];
		} else if (strcmp(a, "--against") == 0 && i + 1 < argc) {
			against = argv[++i];
		} else if (strcmp(a, "--claim") == 0 && i + 1 < argc) {
			a = argv[++i];
			for (claim = RULEC_REL_NONE; claim >= 0; claim--)
				if (!strcmp(a, rulec_relation_name((enum rulec_relation)claim)))
					break;
			if (claim < 0)
				return usage();
		} else if (strcmp(a, "--witness") == 0) {
			witness = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			s.quiet = 1;
		} else if (a[0] == '-' && a[1]) {
			return usage();
		} else if (rulec_ctx_load_path(ctx, a) < 0) {
			fprintf(stderr, "convcheck: cannot read %s\n", a);
			return 2;
		} else {
			n++;
		}
	}
	if (!n)
		return usage();
	o.events = events;
	if (witness) {
		for (size_t k = 0; k < rulec_ctx_rule_count(ctx); k++) {
			char *w = rulec_rule_witness(rulec_ctx_rule(ctx, k), o.seed);
			if (w)
				fputs(w, stdout);
			free(w);
		}
		rulec_ctx_free(ctx);
		free(events);
		return 0;
	}
	if (against && claim >= 0) {
		rulec_ctx *cv = rulec_ctx_new();
		if (!cv || rulec_ctx_load_path(cv, against) < 0) {
			fprintf(stderr, "convcheck: cannot read %s\n", against);
			return 2;
		}
		rc = rulec_ctx_prove_against(ctx, cv, (enum rulec_relation)claim,
					     &o, on_proof, &s);
		rulec_ctx_free(cv);
	} else if (against || claim >= 0) {
		return usage();
	} else {
		rc = rulec_ctx_prove_convert(ctx, to, flags, &o, on_proof, &s);
	}
	if (rc < 0) {
		fprintf(stderr, "convcheck: the check failed (%d)\n", rc);
		return 2;
	}
	printf("convcheck: %zu rules: %lu exact, %lu broader, %lu narrower, %lu mixed or unrelated, %lu refused (%lu with dropped atoms)\n",
	       rulec_ctx_rule_count(ctx), s.exact, s.broader, s.narrower,
	       s.mixed, s.refused, s.dropped);
	printf("convcheck: proofs: %lu hold, %lu no claim, %lu violated, %lu unreadable; %llu witness events, %llu results of the originals\n",
	       s.st[RULEC_PROOF_HOLDS], s.st[RULEC_PROOF_NO_CLAIM],
	       s.st[RULEC_PROOF_VIOLATED], s.st[RULEC_PROOF_UNREADABLE],
	       s.witnesses, s.results);
	if (s.nrs)      /* qsort's array must not be NULL */
		qsort(s.rs, s.nrs, sizeof *s.rs, cmp_reason);
	for (size_t k = 0; k < s.nrs && k < 10; k++)
		printf("convcheck: reason %6lu  %s\n", s.rs[k].n, s.rs[k].text);
	for (size_t k = 0; k < s.nrs; k++)
		free(s.rs[k].text);
	free(s.rs);
	free(events);
	rulec_ctx_free(ctx);
	return rc > 0 || s.io_errors ? 1 : 0;
}
