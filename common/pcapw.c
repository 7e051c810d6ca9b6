/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* pcap-file: AMT messages to a pcap file through libpcap's dump API. */

#include <sys/time.h>
#include <sys/types.h>

#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cksum.h"
#include "ip6.h"
#include "log.h"
#include "pcapw.h"

#define PCAPW_SNAPLEN	65535

/*
 * Open path for writing (as root, before the privilege drop; the file
 * is then given to user).  limit_kb 0 means no limit.
 */
int
pcapw_open(struct pcapw *p, const char *path, unsigned limit_kb, int data,
    const char *user)
{
	struct passwd	*pw;

	memset(p, 0, sizeof(*p));
	if ((p->dead = pcap_open_dead(DLT_RAW, PCAPW_SNAPLEN)) == NULL) {
		log_warnx("pcap_open_dead");
		return -1;
	}
	if ((p->fp = fopen(path, "we")) == NULL) {
		log_warn("pcap-file %s", path);
		pcap_close(p->dead);
		p->dead = NULL;
		return -1;
	}
	if ((p->d = pcap_dump_fopen(p->dead, p->fp)) == NULL) {
		log_warnx("pcap-file %s: %s", path, pcap_geterr(p->dead));
		fclose(p->fp);
		pcap_close(p->dead);
		p->dead = NULL;
		return -1;
	}
	if (user != NULL && (pw = getpwnam(user)) != NULL && pw->pw_uid != 0 &&
	    fchown(fileno(p->fp), pw->pw_uid, pw->pw_gid) == -1)
		log_warn("chown %s", path);
	p->limit = (uint64_t)limit_kb * 1024;
	p->data = data;
	p->written = 24;		/* the file header */
	log_info("capturing AMT %s to %s", data ? "messages" :
	    "control messages", path);
	return 0;
}

/* Start the file again from its header: it never passes the limit. */
static void
restart(struct pcapw *p)
{
	pcap_dump_flush(p->d);
	if (ftruncate(fileno(p->fp), 0) == -1) {
		log_warn("pcap-file: truncate; capture stopped");
		p->d = NULL;
		return;
	}
	rewind(p->fp);
	if ((p->d = pcap_dump_fopen(p->dead, p->fp)) == NULL) {
		log_warnx("pcap-file: restart failed; capture stopped");
		return;
	}
	p->written = 24;
	if (p->restarts++ == 0)
		log_info("pcap-file reached its size limit: starting it over "
		    "(it keeps the latest traffic)");
}

static const uint8_t	 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0xff, 0xff };

/*
 * The datagram src:sport -> dst:dport carrying head (at most 16 bytes)
 * then payload, into out (cap bytes; the payload is cut to fit): IPv4
 * when both addresses are IPv4 (the 16-byte ::ffff:a.b.c.d form), else
 * IPv6 with its UDP checksum.  Returns the length.  Pure: the tests
 * check the frames it makes.
 */
size_t
pcapw_frame(uint8_t *out, size_t cap, const uint8_t *src, uint16_t sport,
    const uint8_t *dst, uint16_t dport, const uint8_t *head, size_t hlen,
    const uint8_t *payload, size_t len)
{
	int	 v4 = memcmp(src, v4mapped, 12) == 0 &&
		    memcmp(dst, v4mapped, 12) == 0;
	size_t	 ih = v4 ? 20 : 40, tot;

	if (hlen > 16)
		hlen = 16;
	if (cap < ih + 8 + hlen)
		return 0;
	if (len > cap - ih - 8 - hlen)
		len = cap - ih - 8 - hlen;
	if (len > 65535 - ih - 8 - hlen)
		len = 65535 - ih - 8 - hlen;
	tot = ih + 8 + hlen + len;
	memset(out, 0, ih + 8);
	if (v4) {
		out[0] = 0x45;
		be16_store(out + 2, (uint16_t)tot);
		out[6] = 0x40;			/* DF */
		out[8] = 64;
		out[9] = 17;
		memcpy(out + 12, src + 12, 4);
		memcpy(out + 16, dst + 12, 4);
		be16_store(out + 10, in_cksum(out, 20));
	} else {
		out[0] = 0x60;
		be16_store(out + 4, (uint16_t)(tot - ih));
		out[6] = 17;
		out[7] = 64;
		memcpy(out + 8, src, 16);
		memcpy(out + 24, dst, 16);
	}
	be16_store(out + ih, sport);
	be16_store(out + ih + 2, dport);
	be16_store(out + ih + 4, (uint16_t)(8 + hlen + len));
	if (hlen > 0)
		memcpy(out + ih + 8, head, hlen);
	memcpy(out + ih + 8 + hlen, payload, len);
	if (!v4)
		ip6_udp_csum_fill(out, tot);	/* zero is not allowed */
	return tot;
}

/* One UDP datagram src:sport -> dst:dport (16-byte addresses). */
void
pcapw_udp(struct pcapw *p, const uint8_t *src, uint16_t sport,
    const uint8_t *dst, uint16_t dport, const uint8_t *head, size_t hlen,
    const uint8_t *payload, size_t len)
{
	uint8_t			 pkt[PCAPW_SNAPLEN];
	struct pcap_pkthdr	 h;
	size_t			 tot;

	if (!pcapw_on(p))
		return;
	tot = pcapw_frame(pkt, sizeof(pkt), src, sport, dst, dport, head,
	    hlen, payload, len);
	if (p->limit != 0 && p->written + 16 + tot > p->limit) {
		restart(p);
		if (!pcapw_on(p))
			return;
	}
	gettimeofday(&h.ts, NULL);
	h.caplen = h.len = (bpf_u_int32)tot;
	pcap_dump((u_char *)p->d, &h, pkt);
	p->written += 16 + tot;
	p->dirty = 1;
}

/* Out to the file, so that a reader sees it (once a second). */
void
pcapw_flush(struct pcapw *p)
{
	if (!pcapw_on(p) || !p->dirty)
		return;
	if (pcap_dump_flush(p->d) == -1)
		log_warn("pcap-file: flush");
	p->dirty = 0;
}

void
pcapw_close(struct pcapw *p)
{
	if (p->d != NULL) {
		pcap_dump_flush(p->d);
		pcap_dump_close(p->d);		/* closes fp */
	} else if (p->fp != NULL)
		fclose(p->fp);
	if (p->dead != NULL)
		pcap_close(p->dead);
	memset(p, 0, sizeof(*p));
}
