/*
 * threads.c - replaying one input with worker threads (--threads N).
 *
 * Design note.  Reading an event (parsing, validation, field lookup) and
 * running the stage conditions on it is most of the work, and neither
 * depends on any other event; everything after it (the reorder window,
 * sequences, samples, pipes, results, problem reports, counts) depends
 * on the order of the events.  So the calling thread cuts the input into
 * line-aligned parts (PART_BYTES, grown for a longer line), worker
 * threads each read a whole part with their own reader and runtime
 * (struct rp_worker: its field cache, memos, scratch memory and lazy
 * DFA caches are per thread) and write, per record, what the ordered
 * side needs: a malformed record's message and place, an out-of-range
 * time's message, or an event's times and every stage whose condition
 * held with the event's summary and join key values (struct rp_out).
 * The calling thread takes the parts in input order and applies them
 * exactly as one thread would have (rp_apply_part): the same reports at
 * the same places, the same watermarks, the same hits in the same order,
 * so results are byte for byte those of one thread.
 *
 * What a worker cannot know is the rules' state: one thread skips a
 * stage that cannot matter (a stopped rule, a later stage of a sequence
 * with no state); workers evaluate it and the ordered side drops it by
 * the same test (stage_live) at the same point of the order.
 *
 * One thread reads, as before: an input that is not NDJSON in UTF-8 (a
 * JSON array is not line-aligned: its elements may span lines), an
 * input whose first 4 MiB hold no record, replay_feed_buffer, and any
 * run that keeps the ESET process table (an ancestor condition reads the
 * table as of its event, which every earlier event may have changed).
 * The first bytes are read to decide; the reader then goes on from them
 * (ev_open_fd), so stdin works either way.
 *
 * Memory: at most 2 x threads + 2 parts in flight (each PART_BYTES plus
 * the records found in it), so it stays bounded whatever the input.  The
 * threads and their runtimes live until replay_free.
 */
#include "replay/private.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/encoding.h"

#define PART_BYTES ((size_t)1 << 20)

enum { P_FREE, P_READY, P_DONE };

/* A line-aligned part of the input, or one line too long to keep. */
struct part {
	char *data;
	size_t len, cap;
	uint64_t line, off;     /* of data[0] (or of the long line) */
	uint64_t toolong;       /* a refused line: its length; 0: data */
	const char *error;      /* a read error after the data, or NULL */
	uint64_t eline, eoff;   /* where the error is reported */
	uint64_t nrec;          /* records in it (the worker's count) */
	struct rp_out out;
	int state;
};

struct rp_pool {
	struct replay *e;
	unsigned n;
	pthread_t *th;
	struct rp_worker *w;
	bool *started;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct part *ring;
	size_t nring;
	uint64_t head, give, tail;      /* taken, handed out, filled */
	bool quit;
};

/* ---- the workers ---- */

static void
out_reset(struct rp_out *o)
{
	o->recs.n = 0;
	o->cands.n = 0;
	arena_reset(&o->ar);
	o->oom = false;
}

/* A malformed record (its message copied) in o. */
static void
out_bad(struct rp_out *o, int kind, uint64_t index, uint64_t line,
	uint64_t off, const char *msg)
{
	struct rp_rec *r = vec_add(&o->recs);

	if (!r) {
		o->oom = true;
		return;
	}
	memset(r, 0, sizeof *r);
	r->kind = (uint8_t)kind;
	r->index = index;
	r->line = line;
	r->off = off;
	r->msg = arena_strdup(&o->ar, msg);
	if (!r->msg)
		o->oom = true;
}

/* Reads and evaluates every record of part p. */
static void
do_part(struct rp_worker *w, struct part *p)
{
	struct rp_out *o = &p->out;
	struct ev_reader *r;
	struct ev_event *ev;
	const char *err = NULL;
	char msg[320];
	int rc;

	out_reset(o);
	p->nrec = 0;
	/* a runtime of its own selects like the engine's: its pattern
	 * indexes answer the same leaves (the selection may have been
	 * chosen again by a one-thread input since the last part) */
	if (!w->rt || (w->rt != w->e->rt && vm_index_copy(w->rt,
							  w->e->rt) < 0)) {
		o->oom = true;
		return;
	}
	r = ev_open_buffer(p->data, p->len, &err);
	if (!r) {
		o->oom = true;
		return;
	}
	ev_set_origin(r, p->line, p->off);
	w->out = o;
	if (!rp_worker_reader(w, r))
		o->oom = true;
	while (!o->oom && (rc = ev_next(r, &ev)) != 0) {
		uint64_t line, off;
		const char *m = ev_error(r, &line, &off);
		size_t at = o->recs.n;

		if (rc < 0) {
			out_bad(o, RK_MALFORMED, 0, line, off, m);
			continue;
		}
		w->ev = ev;
		if (!rp_eval(w, ev_index(ev), msg, sizeof msg)) {
			out_bad(o, RK_BAD_TIME, ev_index(ev), line, off, msg);
		} else if (o->recs.n > at) {
			o->recs.v[at].line = line;
			o->recs.v[at].off = off;
		}
	}
	w->ev = NULL;
	w->out = NULL;
	p->nrec = ev_records(r);
	ev_close(r);
}

static void *
worker_main(void *arg)
{
	struct rp_worker *w = arg;
	struct rp_pool *pool = w->e->pool;
	char err[256];

	if (!w->rt)     /* its own runtime: the pattern caches are per thread */
		w->rt = vm_rt_new(w->e->im, err, sizeof err);
	pthread_mutex_lock(&pool->mu);
	for (;;) {
		struct part *p;

		while (!pool->quit && pool->give == pool->tail)
			pthread_cond_wait(&pool->work, &pool->mu);
		if (pool->quit)
			break;
		p = &pool->ring[pool->give++ % pool->nring];
		pthread_mutex_unlock(&pool->mu);
		if (p->len)
			do_part(w, p);
		else
			out_reset(&p->out);
		pthread_mutex_lock(&pool->mu);
		p->state = P_DONE;
		pthread_cond_broadcast(&pool->done);
	}
	pthread_mutex_unlock(&pool->mu);
	return NULL;
}

void
rp_pool_free(struct replay *e)
{
	struct rp_pool *pool = e->pool;
	size_t i;

	if (!pool)
		return;
	pthread_mutex_lock(&pool->mu);
	pool->quit = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->mu);
	for (i = 0; i < pool->n; i++)
		if (pool->started[i])
			pthread_join(pool->th[i], NULL);
	for (i = 0; i < pool->n; i++) {
		/* the first worker runs on the engine's runtime */
		if (pool->w[i].rt != e->rt)
			vm_rt_free(pool->w[i].rt);
		rp_worker_free(&pool->w[i]);
	}
	for (i = 0; i < pool->nring; i++) {
		free(pool->ring[i].data);
		vec_free(&pool->ring[i].out.recs);
		vec_free(&pool->ring[i].out.cands);
		arena_release(&pool->ring[i].out.ar);
	}
	pthread_cond_destroy(&pool->work);
	pthread_cond_destroy(&pool->done);
	pthread_mutex_destroy(&pool->mu);
	free(pool->ring);
	free(pool->w);
	free(pool->th);
	free(pool->started);
	free(pool);
	e->pool = NULL;
}

uint64_t
rp_pool_tried(const struct replay *e)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; e->pool && i < e->pool->n; i++)
		n += e->pool->w[i].tried;
	return n;
}

/* Starts e->o.threads workers (once per engine); false when that cannot
 * be done (then one thread reads). */
static bool
pool_start(struct replay *e)
{
	struct rp_pool *pool;
	unsigned n = e->o.threads, i;

	if (e->pool)
		return true;
	pool = calloc(1, sizeof *pool);
	if (!pool)
		return false;
	e->pool = pool;
	pool->e = e;
	pool->n = n;
	pool->nring = 2 * (size_t)n + 2;
	pool->th = calloc(n, sizeof *pool->th);
	pool->w = calloc(n, sizeof *pool->w);
	pool->started = calloc(n, sizeof *pool->started);
	pool->ring = calloc(pool->nring, sizeof *pool->ring);
	if (pthread_mutex_init(&pool->mu, NULL) != 0) {
		free(pool);
		e->pool = NULL;
		return false;
	}
	pthread_cond_init(&pool->work, NULL);
	pthread_cond_init(&pool->done, NULL);
	if (!pool->th || !pool->w || !pool->started || !pool->ring)
		goto fail;
	for (i = 0; i < pool->nring; i++)
		arena_init(&pool->ring[i].out.ar, NULL);
	for (i = 0; i < n; i++)
		if (!rp_worker_init(&pool->w[i], e, i == 0 ? e->rt : NULL))
			goto fail;
	for (i = 0; i < n; i++) {
		if (pthread_create(&pool->th[i], NULL, worker_main,
				   &pool->w[i]) != 0)
			goto fail;
		pool->started[i] = true;
	}
	return true;
fail:
	rp_pool_free(e);
	return false;
}

/* ---- cutting the input ---- */

struct src {
	int fd;
	bool eof;
	const char *rderr;      /* a read error, or NULL */
	char *carry;            /* bytes after the last part's end */
	size_t ncarry, capcarry;
	uint64_t line, off;     /* of the next part's first byte */
	uint64_t bytes;         /* read so far */
	size_t max;             /* the longest record kept */
};

/* Reads up to n bytes into p; false on error (src->rderr set). */
static bool
src_read(struct src *s, char *p, size_t n, size_t *got)
{
	ssize_t r;

	*got = 0;
	for (;;) {
		r = read(s->fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			s->rderr = strerror(errno);
			s->eof = true;
			return false;
		}
		if (r == 0)
			s->eof = true;
		*got = (size_t)r;
		s->bytes += (uint64_t)r;
		return true;
	}
}

static bool
part_room(struct part *p, size_t need)
{
	char *d;
	size_t cap = p->cap ? p->cap : PART_BYTES;

	if (need <= p->cap)
		return true;
	while (cap < need)
		cap *= 2;
	d = realloc(p->data, cap);
	if (!d)
		return false;
	p->data = d;
	p->cap = cap;
	return true;
}

static uint64_t
count_nl(const char *p, size_t n)
{
	const char *end = p + n;
	uint64_t c = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		c++;
		p++;
	}
	return c;
}

/* Skips the rest of a line too long to keep (its first `have` bytes are
 * read): p becomes the refused line. */
static void
skip_long(struct src *s, struct part *p, size_t have)
{
	uint64_t len = have;
	size_t got;

	p->toolong = 1;
	p->len = 0;
	for (;;) {
		char *nl;

		if (s->eof)
			break;
		if (!src_read(s, p->data, p->cap, &got))
			break;
		nl = memchr(p->data, '\n', got);
		if (nl) {
			size_t k = (size_t)(nl - p->data);

			len += k;
			s->ncarry = got - k - 1;
			if (s->ncarry > s->capcarry) {
				char *c = realloc(s->carry, s->ncarry);

				if (!c) {       /* the rest is lost */
					s->ncarry = 0;
					s->rderr = "out of memory";
					s->eof = true;
					break;
				}
				s->carry = c;
				s->capcarry = s->ncarry;
			}
			memcpy(s->carry, nl + 1, s->ncarry);
			s->line += 1;
			s->off += len + 1;
			p->toolong = len;
			return;
		}
		len += got;
	}
	p->toolong = len;
	s->off += len;
}

/* The last newline of p[0..n), or NULL. */
static char *
last_nl(char *p, size_t n)
{
	while (n > 0)
		if (p[--n] == '\n')
			return p + n;
	return NULL;
}

/* The next part of the input into p; false at the end of the input (or
 * out of memory: then s->eof is false). */
static bool
next_part(struct src *s, struct part *p)
{
	size_t len, got, end;
	char *nl;

	p->toolong = 0;
	p->error = NULL;
	p->line = s->line;
	p->off = s->off;
	if (!part_room(p, s->ncarry > PART_BYTES ? s->ncarry : PART_BYTES))
		return false;
	memcpy(p->data, s->carry, s->ncarry);
	len = s->ncarry;
	s->ncarry = 0;
	for (;;) {
		while (len < p->cap && !s->eof &&
		       src_read(s, p->data + len, p->cap - len, &got))
			len += got;
		nl = last_nl(p->data, len);
		if (nl || s->eof)
			break;
		/* one line longer than the part so far */
		if (len > s->max) {
			skip_long(s, p, len);
			return true;
		}
		if (!part_room(p, 2 * p->cap))
			return false;
	}
	if (len == 0 && !s->rderr)
		return false;
	end = len;
	if (nl && (!s->eof || s->rderr))
		end = (size_t)(nl - p->data) + 1;
	else if (s->rderr)
		end = 0;
	if (!s->eof && len > end) {
		if (len - end > s->capcarry) {
			char *c = realloc(s->carry, len - end);

			if (!c)
				return false;
			s->carry = c;
			s->capcarry = len - end;
		}
		memcpy(s->carry, p->data + end, len - end);
		s->ncarry = len - end;
	}
	p->len = end;
	s->line += count_nl(p->data, end);
	s->off += end;
	if (s->rderr) {
		/* the unfinished record is not read: the error ends the
		 * input, reported where that record starts */
		p->error = s->rderr;
		p->eline = s->line;
		p->eoff = s->off;
	}
	return true;
}

/* ---- the ordered side ---- */

/* Takes part p (done by a worker) in order. */
static void
take_part(struct replay *e, struct part *p, uint64_t *base, long *bad)
{
	char msg[200];

	e->loc_line = p->line;
	e->loc_off = p->off;
	if (p->toolong) {
		/* the reader's message for such a line (events/reader.cc) */
		snprintf(msg, sizeof msg, "event of %llu bytes is longer than "
			 "the maximum event size (%llu bytes; "
			 "--max-event-size): skipped",
			 (unsigned long long)p->toolong,
			 (unsigned long long)(e->o.max_event_size ?
					      e->o.max_event_size :
					      EV_DEFAULT_MAX_RECORD));
		rp_malformed(e, msg, bad);
		*base += 1;
		return;
	}
	if (p->out.oom) {
		e->oom = true;
		return;
	}
	rp_apply_part(e, &p->out, *base, bad);
	*base += p->nrec;
	if (p->error && !e->oom && !e->stopped) {
		e->loc_line = p->eline;
		e->loc_off = p->eoff;
		snprintf(msg, sizeof msg, "read error: %s", p->error);
		rp_malformed(e, msg, bad);
	}
}

/* Whether the first bytes say NDJSON in UTF-8 with a record in them;
 * *start: where the first part begins (after a byte order mark). */
static bool
ndjson_start(const char *b, size_t n, size_t *start)
{
	struct enc_guess g = enc_sniff(b, n);
	size_t i;

	if (g.enc != ENC_UTF8)
		return false;
	*start = g.bom;
	for (i = g.bom; i < n; i++)
		if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' &&
		    b[i] != '\n')
			return b[i] != '[';
	return false;
}

long
rp_feed_threads(struct replay *e, const char *path, replay_error_fn fn,
		void *ud)
{
	struct src s;
	struct rp_pool *pool;
	struct stat st;
	uint64_t base = e->next_index;
	long bad = 0;
	size_t have = 0, got, start = 0;
	char *first;
	bool own = strcmp(path, "-") != 0, more = true;

	memset(&s, 0, sizeof s);
	s.fd = own ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (s.fd < 0 || (own && fstat(s.fd, &st) == 0 &&
			 S_ISDIR(st.st_mode))) {
		/* as ev_open says it */
		struct replay_input_error ie = { path, 0, 0, NULL, true,
						 RP_UNREADABLE, 0, 0 };

		ie.msg = strerror(s.fd < 0 ? errno : EISDIR);
		if (s.fd >= 0)
			close(s.fd);
		if (fn)
			fn(ud, &ie);
		return REPLAY_UNREADABLE;
	}
	first = malloc(PART_BYTES);
	if (!first) {
		if (own)
			close(s.fd);
		e->oom = true;
		return REPLAY_NOMEM;
	}
	while (have < PART_BYTES && !s.eof &&
	       src_read(&s, first + have, PART_BYTES - have, &got))
		have += got;
	if (s.rderr || !ndjson_start(first, have, &start) ||
	    !pool_start(e)) {
		/* one thread reads it, from the bytes already read on */
		const char *err = NULL;
		struct ev_reader *r = ev_open_fd(s.fd, own, first, have, &err);

		free(first);
		if (!r) {
			e->oom = true;
			return REPLAY_NOMEM;
		}
		return rp_feed_reader(e, r, path, fn, ud);
	}
	pool = e->pool;
	s.carry = first;
	s.capcarry = PART_BYTES;
	s.ncarry = have - start;
	memmove(s.carry, first + start, s.ncarry);
	s.off = start;
	s.line = 1;
	s.max = e->o.max_event_size ? (size_t)e->o.max_event_size :
		EV_DEFAULT_MAX_RECORD;
	e->inname = path;
	e->fn = fn;
	e->fnud = ud;
	for (;;) {
		struct part *p;
		/* the selection is chosen again once SEL_LEARN events were
		 * applied: the ring drains first, since the workers read
		 * the lists it rebuilds */
		bool drain = !e->learned && e->stats.events >= SEL_LEARN;

		/* fill the ring */
		while (more && !drain && !e->oom && !e->stopped &&
		       pool->tail - pool->head < pool->nring) {
			p = &pool->ring[pool->tail % pool->nring];
			if (!next_part(&s, p)) {
				if (!s.eof)
					e->oom = true;
				more = false;
				break;
			}
			if (p->error)
				more = false;
			pthread_mutex_lock(&pool->mu);
			p->state = P_READY;
			pool->tail++;
			pthread_cond_signal(&pool->work);
			pthread_mutex_unlock(&pool->mu);
		}
		if (pool->head == pool->tail) {
			if (!drain || e->oom || e->stopped)
				break;
			if (!rp_select_again(e))
				e->oom = true;
			continue;       /* refill, or end when nothing is left */
		}
		/* take the oldest part once it is done (after a stop, only
		 * wait for the parts in flight) */
		p = &pool->ring[pool->head % pool->nring];
		pthread_mutex_lock(&pool->mu);
		while (p->state != P_DONE)
			pthread_cond_wait(&pool->done, &pool->mu);
		pthread_mutex_unlock(&pool->mu);
		if (!e->oom && !e->stopped)
			take_part(e, p, &base, &bad);
		p->state = P_FREE;
		pool->head++;
	}
	e->fn = NULL;
	e->stats.bytes += s.bytes;
	e->next_index = base;
	if (own)
		close(s.fd);
	free(s.carry);
	return e->oom ? REPLAY_NOMEM : bad;
}
