/*
 * match.c - renders replay results (see match.h).
 */
#include "report/match.h"

#include <inttypes.h>

/* A pool string of the image as a JSON string, or null. */
static void
pool_json(struct strbuf *sb, const struct image *im, uint32_t i)
{
	if (i == IMG_NONE) {
		sb_puts(sb, "null");
		return;
	}
	sb_putc(sb, '"');
	sb_json_escape(sb, im->pool[i].u.str.s, im->pool[i].u.str.len);
	sb_putc(sb, '"');
}

static void
event_json(struct strbuf *sb, const struct replay_ev *ev)
{
	char buf[40];

	if (!ev) {
		sb_puts(sb, "{\"missing\":true,\"id\":null,\"index\":null,"
			"\"timestamp\":null}");
		return;
	}
	sb_puts(sb, "{\"id\":");
	vm_val_json(&ev->id, sb);
	sb_printf(sb, ",\"index\":%" PRIu64 ",\"timestamp\":", ev->index);
	if (ev->ts == REPLAY_NO_TS) {
		sb_puts(sb, "null}");
	} else {
		vm_format_date(ev->ts, buf, sizeof buf);
		sb_printf(sb, "\"%s\"}", buf);
	}
}

void
match_json(const struct replay_match *m, struct strbuf *sb)
{
	const struct img_rule *r = &m->im->rules[m->rule];
	uint16_t i;

	sb_puts(sb, "{\"rule\":{\"id\":");
	pool_json(sb, m->im, r->id);
	sb_puts(sb, ",\"name\":");
	pool_json(sb, m->im, r->name);
	sb_puts(sb, ",\"file\":");
	pool_json(sb, m->im, r->file);
	sb_puts(sb, "},\"events\":[");
	for (i = 0; i < m->nev; i++) {
		if (i)
			sb_putc(sb, ',');
		event_json(sb, m->ev[i]);
	}
	sb_puts(sb, "],\"join_keys\":[");
	for (i = 0; i < m->nkeys; i++) {
		if (i)
			sb_putc(sb, ',');
		vm_val_json(&m->keys[i], sb);
	}
	sb_puts(sb, "]}\n");
}
