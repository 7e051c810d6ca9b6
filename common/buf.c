/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Cursor-based readers and bounded writers.  Every getter checks the
 * remaining length first and leaves the cursor where it was on failure,
 * so a caller can report "short" without any partial state.
 */

#include <string.h>

#include "buf.h"

/* Start reading len bytes at data. */
void
buf_init(struct buf *b, const void *data, size_t len)
{
	b->data = data;
	b->len = data == NULL ? 0 : len;
	b->off = 0;
}

/* Bytes not yet read. */
size_t
buf_left(const struct buf *b)
{
	return b->len - b->off;
}

/* The next unread byte (valid only when buf_left() > 0). */
const uint8_t *
buf_cur(const struct buf *b)
{
	return b->data + b->off;
}

int
buf_get_u8(struct buf *b, uint8_t *v)
{
	if (buf_left(b) < 1)
		return -1;
	*v = b->data[b->off];
	b->off += 1;
	return 0;
}

int
buf_get_u16(struct buf *b, uint16_t *v)
{
	if (buf_left(b) < 2)
		return -1;
	*v = be16_load(b->data + b->off);
	b->off += 2;
	return 0;
}

int
buf_get_u32(struct buf *b, uint32_t *v)
{
	if (buf_left(b) < 4)
		return -1;
	*v = be32_load(b->data + b->off);
	b->off += 4;
	return 0;
}

int
buf_get_bytes(struct buf *b, void *dst, size_t n)
{
	if (buf_left(b) < n)
		return -1;
	if (n > 0)
		memcpy(dst, b->data + b->off, n);
	b->off += n;
	return 0;
}

int
buf_skip(struct buf *b, size_t n)
{
	if (buf_left(b) < n)
		return -1;
	b->off += n;
	return 0;
}

/* Split off the next n bytes as a reader of their own. */
int
buf_get_sub(struct buf *b, size_t n, struct buf *sub)
{
	if (buf_left(b) < n)
		return -1;
	sub->data = b->data + b->off;
	sub->len = n;
	sub->off = 0;
	b->off += n;
	return 0;
}

/* Read a byte at offset off past the cursor, without consuming it. */
int
buf_peek_u8(const struct buf *b, size_t off, uint8_t *v)
{
	if (buf_left(b) < 1 || off > buf_left(b) - 1)
		return -1;
	*v = b->data[b->off + off];
	return 0;
}

int
buf_peek_u16(const struct buf *b, size_t off, uint16_t *v)
{
	if (buf_left(b) < 2 || off > buf_left(b) - 2)
		return -1;
	*v = be16_load(b->data + b->off + off);
	return 0;
}

/* Start writing into cap bytes at data. */
void
wbuf_init(struct wbuf *w, void *data, size_t cap)
{
	w->data = data;
	w->cap = data == NULL ? 0 : cap;
	w->len = 0;
}

size_t
wbuf_left(const struct wbuf *w)
{
	return w->cap - w->len;
}

int
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	if (wbuf_left(w) < 1)
		return -1;
	w->data[w->len++] = v;
	return 0;
}

int
wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	if (wbuf_left(w) < 2)
		return -1;
	be16_store(w->data + w->len, v);
	w->len += 2;
	return 0;
}

int
wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	if (wbuf_left(w) < 4)
		return -1;
	be32_store(w->data + w->len, v);
	w->len += 4;
	return 0;
}

int
wbuf_put_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (wbuf_left(w) < n)
		return -1;
	if (n > 0)
		memcpy(w->data + w->len, src, n);
	w->len += n;
	return 0;
}

int
wbuf_put_zero(struct wbuf *w, size_t n)
{
	if (wbuf_left(w) < n)
		return -1;
	if (n > 0)
		memset(w->data + w->len, 0, n);
	w->len += n;
	return 0;
}

/* Reserve n zeroed bytes to fill in later; *off tells where they are. */
int
wbuf_reserve(struct wbuf *w, size_t n, size_t *off)
{
	size_t	 at = w->len;

	if (wbuf_put_zero(w, n) == -1)
		return -1;
	if (off != NULL)
		*off = at;
	return 0;
}

/* Back-patch already written bytes (a length or a checksum). */
int
wbuf_set_u8(struct wbuf *w, size_t off, uint8_t v)
{
	if (w->len < 1 || off > w->len - 1)
		return -1;
	w->data[off] = v;
	return 0;
}

int
wbuf_set_u16(struct wbuf *w, size_t off, uint16_t v)
{
	if (w->len < 2 || off > w->len - 2)
		return -1;
	be16_store(w->data + off, v);
	return 0;
}

int
wbuf_set_u32(struct wbuf *w, size_t off, uint32_t v)
{
	if (w->len < 4 || off > w->len - 4)
		return -1;
	be32_store(w->data + off, v);
	return 0;
}
