/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The Response MAC (RFC 7450 5.3.5): a keyed hash of the gateway's
 * address, port and Request nonce under a private secret.  The keyed
 * hash is libsodium's crypto_shorthash (SipHash-2-4, a PRF for short
 * inputs), cut to the 48 bits of the field.  The secret is replaced
 * every secret-lifetime (5.3.6: at most 2 hours); the previous one is
 * kept and still accepted for two query intervals (5.3.3.4), so that
 * Updates sent just before a rotation are not refused.
 */

#include <string.h>

#include <sodium.h>

#include "mac.h"
#include "buf.h"

void
mac_init(struct relay_mac *m, const uint8_t *key, uint64_t now)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->cur, key, MAC_KEYLEN);
	m->rotated = now;
}

/* A new current secret; the old one becomes the previous one. */
void
mac_rotate(struct relay_mac *m, const uint8_t *key, uint64_t now)
{
	memcpy(m->prev, m->cur, MAC_KEYLEN);
	m->have_prev = 1;
	memcpy(m->cur, key, MAC_KEYLEN);
	m->rotated = now;
}

/* MAC over (IPv4-compatible address, port, nonce) under key. */
/*
 * The gateway's address as 16 bytes (an IPv4 one as ::a.b.c.d, the
 * form of the Query's Gateway IP Address field), its port and the
 * nonce, under key.
 */
void
mac_compute(const uint8_t *key, const uint8_t *addr, uint16_t port,
    uint32_t nonce, uint8_t out[AMT_MAC_LEN])
{
	uint8_t	 in[22], h[crypto_shorthash_BYTES];

	memcpy(in, addr, 16);
	be16_store(in + 16, port);
	be32_store(in + 18, nonce);
	crypto_shorthash(h, in, sizeof(in), key);
	memcpy(out, h, AMT_MAC_LEN);
}

/* Does mac match under the current secret, or the previous one while
 * it is still honoured (two query intervals after the rotation)? */
int
mac_verify(const struct relay_mac *m, uint64_t now, uint32_t qi_ms,
    const uint8_t *addr, uint16_t port, uint32_t nonce,
    const uint8_t mac[AMT_MAC_LEN])
{
	uint8_t	 want[AMT_MAC_LEN];

	mac_compute(m->cur, addr, port, nonce, want);
	if (sodium_memcmp(want, mac, AMT_MAC_LEN) == 0)
		return 1;
	if (!m->have_prev || now - m->rotated > 2 * (uint64_t)qi_ms)
		return 0;
	mac_compute(m->prev, addr, port, nonce, want);
	return sodium_memcmp(want, mac, AMT_MAC_LEN) == 0;
}
