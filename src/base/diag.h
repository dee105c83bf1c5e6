/*
 * diag.h - diagnostics: the registry, building one, rendering it.
 *
 * Design note.  Every diagnostic kind is one row of diag.def; the enum, the
 * tables below, `rulec explain`, --help and docs/diagnostics.md all expand
 * from it.  A diagnostic is built in the arena of the compilation (message,
 * notes pointing at related spans, an optional help line) and handed to the
 * sink, which applies the user's severity settings (-W, -Wno-, -Werror) and
 * passes it to the library user's callback.  The library itself never
 * prints: rendering produces text in a strbuf.
 */
#ifndef RC_DIAG_H
#define RC_DIAG_H

#include <stdarg.h>
#include <stdbool.h>

#include "base/arena.h"
#include "base/source.h"
#include "base/strbuf.h"

enum diag_id {
#define X(e, id, name, fam, sev, sum, doc) e,
#include "base/diag.def"
#undef X
	D__COUNT
};

/* Families, in the order of the id ranges. */
#define DIAG_FAMILIES(F) \
	F(SYNTAX, "syntax") F(SCHEMA, "schema") F(TYPE, "type") \
	F(LOGIC, "logic") F(SEQUENCE, "sequence") \
	F(PERFORMANCE, "performance") F(METADATA, "metadata") \
	F(CONVERSION, "conversion") F(IO, "io")

enum diag_family {
#define F(e, s) FAM_##e,
	DIAG_FAMILIES(F)
#undef F
	FAM__COUNT
};

/* Ordered so that a larger value is more severe; OFF disables. */
enum diag_severity { SEV_OFF, SEV_NOTE, SEV_WARNING, SEV_ERROR };

struct diag_info {
	const char *id, *name, *summary, *doc;
	enum diag_family family;
	enum diag_severity severity;
};

extern const struct diag_info diag_table[D__COUNT];

const char *diag_family_name(enum diag_family f);
const char *diag_severity_name(enum diag_severity s);
/* Looks up a registry entry by id ("RC1001") or name ("syntax-error"),
 * case-insensitively; returns D__COUNT if there is none. */
enum diag_id diag_lookup(const char *key);

struct diag_note {
	struct diag_note *next;
	const struct rc_text *text; /* NULL: the note has no location */
	struct span span;
	const char *msg;
};

/* The rule a diagnostic is about, so that one of a file of a thousand
 * rules can be told apart: its id and name as the rule file writes them
 * (NULL when it has none), and whether it is an ESET <rule> element or a
 * rule object.  All NULL for a bare .eql query and for a problem with a
 * whole file. */
struct diag_rule {
	const char *id, *name;
	bool xml;
};

struct diag {
	enum diag_id id;
	enum diag_severity severity; /* after the sink's settings */
	const struct rc_text *text;  /* NULL: no location */
	struct rc_source *file;      /* file when there is no text span */
	struct span span;
	const char *msg;
	const char *help;            /* NULL or a concrete fix */
	struct diag_rule rule;       /* the sink's rule when it was made */
	struct diag_note *notes, **notes_tail;
};

typedef void (*diag_fn)(void *ud, const struct diag *d);

/* Decides about a diagnostic after its severity is settled, just before
 * it is delivered: true drops it (no longer counted, not delivered).  The
 * driver's suppressions of the configuration file and its baseline are
 * such filters. */
typedef bool (*diag_filter_fn)(void *ud, const struct diag *d);

/* Where diagnostics go.  `level` holds the per-id severity (defaults from
 * the registry, changed by -W/-Wno-); `werror` promotes warnings, and
 * `promote` per check overrides it (-Werror=NAME 1, -Wno-error=NAME -1,
 * 0 follows werror).  `rule` is the rule being read or checked: the
 * loader sets it when it starts a rule and clears it when the rule has
 * been added, and every diagnostic made meanwhile carries it. */
struct diag_sink {
	struct arena *arena;
	diag_fn fn;
	void *ud;
	enum diag_severity level[D__COUNT];
	bool werror;
	signed char promote[D__COUNT];
	struct diag_rule rule;
	diag_filter_fn filter;      /* NULL: none */
	void *filter_ud;
	unsigned count[SEV_ERROR + 1];
	/* checks turned off for the rule being processed (rulec-disable
	 * comments); NULL: none */
	const bool *suppressed;
	/* while deferring, emitted diagnostics wait here (counted at once,
	 * delivered by diag_flush in source order) */
	bool defer;
	struct diag **pending;
	size_t npending, cap;
};

void diag_sink_init(struct diag_sink *s, struct arena *a);
/* Reads the rulec-disable comments of a rule's text into off[D__COUNT]
 * (see diag.c); reports unknown names; true if any check was named. */
bool diag_scan_suppressions(struct diag_sink *s, const struct rc_text *t,
			    bool *off);
/* Starts holding diagnostics back (one rule's worth, typically). */
void diag_defer(struct diag_sink *s);
/* Delivers the held diagnostics ordered by file position (stable), through
 * the filter, and stops deferring. */
void diag_flush(struct diag_sink *s);
/* Names `rule` in the held diagnostics from pending[from] on that name no
 * rule and lie in span sp of text t (findings made before the rule was
 * known, such as those of an XML file's first pass). */
void diag_attribute(struct diag_sink *s, size_t from, const struct rc_text *t,
		    struct span sp, struct diag_rule rule);
void diag_sink_free(struct diag_sink *s);

/* Builds a diagnostic at `span` of `text` (text may be NULL for a file-level
 * diagnostic, then `file` names the file).  Returns NULL when out of
 * memory; diag_note/diag_help/diag_emit accept NULL. */
struct diag *diag_new(struct diag_sink *s, enum diag_id id,
		      const struct rc_text *text, struct span span,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
struct diag *diag_vnew(struct diag_sink *s, enum diag_id id,
		       const struct rc_text *text, struct span span,
		       const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
void diag_note(struct diag_sink *s, struct diag *d, const struct rc_text *text,
	       struct span span, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void diag_help(struct diag_sink *s, struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Applies the severity settings and delivers the diagnostic (or drops it
 * when its check is off, suppressed, or the filter takes it). */
void diag_emit(struct diag_sink *s, struct diag *d);
/* Shorthand: new + emit. */
void diag_report(struct diag_sink *s, enum diag_id id,
		 const struct rc_text *text, struct span span,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Location of a diagnostic, 1-based; line 0 when it has none. */
struct diag_loc {
	const char *file;
	unsigned line, col, end_line, end_col;
};
void diag_location(const struct diag *d, struct diag_loc *loc);
void diag_note_location(const struct diag_note *n, struct diag_loc *loc);

enum { DIAG_RENDER_COLOR = 1 };
/* `file:line:col: severity: message [ID name]`, source line, caret, notes,
 * help. */
void diag_render_text(const struct diag *d, struct strbuf *sb, unsigned flags);
/* One JSON object on one line, with a trailing newline. */
void diag_render_json(const struct diag *d, struct strbuf *sb);

#endif
