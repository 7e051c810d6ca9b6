/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Bounds-checked reading and writing of network byte order fields.
 * A reader never moves its cursor when a read would run past the end;
 * a writer never writes past its capacity.  Both return -1 on failure.
 */

#ifndef AMT_BUF_H
#define AMT_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	const uint8_t	*data;
	size_t		 len;
	size_t		 off;
};

struct wbuf {
	uint8_t		*data;
	size_t		 cap;
	size_t		 len;
};

void	 buf_init(struct buf *, const void *, size_t);
size_t	 buf_left(const struct buf *);
const uint8_t *buf_cur(const struct buf *);
int	 buf_get_u8(struct buf *, uint8_t *);
int	 buf_get_u16(struct buf *, uint16_t *);
int	 buf_get_u32(struct buf *, uint32_t *);
int	 buf_get_bytes(struct buf *, void *, size_t);
int	 buf_skip(struct buf *, size_t);
int	 buf_get_sub(struct buf *, size_t, struct buf *);
int	 buf_peek_u8(const struct buf *, size_t, uint8_t *);
int	 buf_peek_u16(const struct buf *, size_t, uint16_t *);

void	 wbuf_init(struct wbuf *, void *, size_t);
size_t	 wbuf_left(const struct wbuf *);
int	 wbuf_put_u8(struct wbuf *, uint8_t);
int	 wbuf_put_u16(struct wbuf *, uint16_t);
int	 wbuf_put_u32(struct wbuf *, uint32_t);
int	 wbuf_put_bytes(struct wbuf *, const void *, size_t);
int	 wbuf_put_zero(struct wbuf *, size_t);
int	 wbuf_reserve(struct wbuf *, size_t, size_t *);
int	 wbuf_set_u8(struct wbuf *, size_t, uint8_t);
int	 wbuf_set_u16(struct wbuf *, size_t, uint16_t);
int	 wbuf_set_u32(struct wbuf *, size_t, uint32_t);

/* Unchecked big-endian loads and stores for already validated bytes. */
static inline uint16_t
be16_load(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t
be32_load(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
be16_store(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
be32_store(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
