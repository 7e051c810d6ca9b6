/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Capture replay: every AMT packet recorded between a scripted gateway
 * and an independent relay (GrumpyOldTroll/amtrelayd) is read through
 * libpcap and decoded by our codecs; the sequence of message types and
 * the fields listed in tests/data/README.md are checked.
 */

#include <sys/socket.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amt_proto.h"
#include "buf.h"
#include "igmp_proto.h"
#include "unit.h"

#define CAPTURE		"amt-v4-loopback-amtrelayd.pcap"
#define MAXPKTS		32

struct amt_pkt {
	uint8_t		 bytes[2048];
	size_t		 len;
	uint16_t	 sport, dport;
	struct amt_msg	 m;
};

static struct amt_pkt	 pkts[MAXPKTS];
static unsigned		 npkts, nframes;

/* Pull the UDP payload out of an Ethernet/IPv4/UDP frame, if it is AMT. */
static int
frame_to_amt(const uint8_t *f, size_t len, struct amt_pkt *p)
{
	struct buf	 b;
	uint16_t	 etype, sport, dport, ulen;
	uint8_t		 vihl, proto;

	buf_init(&b, f, len);
	if (buf_skip(&b, 12) == -1 || buf_get_u16(&b, &etype) == -1 ||
	    etype != 0x0800)
		return 0;
	if (buf_peek_u8(&b, 0, &vihl) == -1 || buf_peek_u8(&b, 9, &proto) ==
	    -1 || proto != 17)
		return 0;
	if (buf_skip(&b, (size_t)(vihl & 0x0f) * 4) == -1 ||
	    buf_get_u16(&b, &sport) == -1 || buf_get_u16(&b, &dport) == -1 ||
	    buf_get_u16(&b, &ulen) == -1 || buf_skip(&b, 2) == -1)
		return 0;
	if (sport != AMT_PORT && dport != AMT_PORT)
		return 0;
	if (ulen < 8 || buf_left(&b) < (size_t)ulen - 8 ||
	    (size_t)ulen - 8 > sizeof(p->bytes))
		return -1;
	p->len = (size_t)ulen - 8;
	memcpy(p->bytes, buf_cur(&b), p->len);
	p->sport = sport;
	p->dport = dport;
	return 1;
}

static void
load_capture(void)
{
	char			 path[512], err[PCAP_ERRBUF_SIZE];
	const char		*dir = getenv("TESTDATA");
	pcap_t			*pc;
	struct pcap_pkthdr	*h;
	const u_char		*data;
	int			 r;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/data",
	    CAPTURE);
	pc = pcap_open_offline(path, err);
	ck_assert_msg(pc != NULL, "pcap_open_offline: %s", err);
	ck_assert_int_eq(pcap_datalink(pc), DLT_EN10MB);
	npkts = nframes = 0;
	while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
		nframes++;
		ck_assert_uint_lt(npkts, MAXPKTS);
		r = frame_to_amt(data, h->caplen, &pkts[npkts]);
		ck_assert_int_ne(r, -1);
		if (r == 1) {
			ck_assert_int_eq(amt_decode(pkts[npkts].bytes,
			    pkts[npkts].len, &pkts[npkts].m), AMT_OK);
			npkts++;
		}
	}
	ck_assert_int_eq(r, PCAP_ERROR_BREAK);	/* clean end of file */
	pcap_close(pc);
}

START_TEST(test_sequence)
{
	static const uint8_t	 want[] = { AMT_DISCOVERY, AMT_ADVERTISEMENT,
	    AMT_REQUEST, AMT_QUERY, AMT_UPDATE, AMT_DATA, AMT_DATA, AMT_DATA,
	    AMT_DATA, AMT_DATA, AMT_REQUEST, AMT_QUERY, AMT_UPDATE };
	unsigned		 i;

	load_capture();
	ck_assert_uint_eq(nframes, 33);
	ck_assert_uint_eq(npkts, sizeof(want));
	for (i = 0; i < npkts; i++) {
		ck_assert_msg(pkts[i].m.type == want[i], "packet %u is %s", i,
		    amt_type_name(pkts[i].m.type));
		/* Gateway-to-relay types go to 2268, the rest come from it. */
		if (want[i] == AMT_DISCOVERY || want[i] == AMT_REQUEST ||
		    want[i] == AMT_UPDATE)
			ck_assert_uint_eq(pkts[i].dport, AMT_PORT);
		else
			ck_assert_uint_eq(pkts[i].sport, AMT_PORT);
	}
}
END_TEST

START_TEST(test_discovery_fields)
{
	static const uint8_t	 lo[4] = { 127, 0, 0, 1 };

	load_capture();
	ck_assert_uint_eq(pkts[0].m.nonce, 0x62f26932);
	ck_assert_uint_eq(pkts[1].m.nonce, pkts[0].m.nonce);
	ck_assert_int_eq(pkts[1].m.relay_af, AF_INET);
	ck_assert_mem_eq(pkts[1].m.relay_addr, lo, 4);
}
END_TEST

/* Both Queries: QQIC 20 -> 20 s, Max Resp 16 -> 1.6 s, QRV 2, RA. */
START_TEST(test_query_fields)
{
	static const unsigned	 qi[] = { 3, 11 };
	struct ip4_info		 ip;
	struct igmp_msg		 g;
	const struct amt_pkt	*q, *req, *upd;
	unsigned		 k;

	load_capture();
	for (k = 0; k < 2; k++) {
		req = &pkts[qi[k] - 1];
		q = &pkts[qi[k]];
		upd = &pkts[qi[k] + 1];
		ck_assert_uint_eq(req->m.flags & AMT_FLAG_P, 0);
		/* The Request nonce is echoed by the Query and the Update. */
		ck_assert_uint_eq(q->m.nonce, req->m.nonce);
		ck_assert_uint_eq(upd->m.nonce, req->m.nonce);
		ck_assert_mem_eq(upd->m.mac, q->m.mac, AMT_MAC_LEN);
		/* That relay never sets L or G. */
		ck_assert_uint_eq(q->m.flags, 0);
		ck_assert_uint_eq(q->m.inner_ver, 4);
		ck_assert_uint_eq(q->m.inner_len, 36);
		ck_assert_int_eq(igmp_decode_packet(q->bytes + q->m.inner_off,
		    q->m.inner_len, &ip, &g), IGMP_OK);
		ck_assert_int_eq(ip.router_alert, 1);
		ck_assert_uint_eq(ip.dst, 0xe0000001);
		ck_assert_uint_eq(g.type, IGMP_QUERY);
		ck_assert_uint_eq(g.version, 3);
		ck_assert_uint_eq(g.group, 0);
		ck_assert_uint_eq(g.qqic, 20);
		ck_assert_uint_eq(igmp_code_to_value(g.qqic), 20);	/* s */
		ck_assert_uint_eq(g.code, 16);
		ck_assert_uint_eq(igmp_code_to_value(g.code) * 100, 1600);
		ck_assert_uint_eq(g.qrv, 2);
		ck_assert_uint_eq(g.nsrcs, 0);
	}
	/* Each cycle used a fresh nonce. */
	ck_assert_uint_ne(pkts[2].m.nonce, pkts[10].m.nonce);
	ck_assert_uint_eq(pkts[2].m.nonce, 0x5f9c89db);
	ck_assert_uint_eq(pkts[10].m.nonce, 0x322aaa3d);
}
END_TEST

/* The Updates: ALLOW then BLOCK of 232.1.1.1 source 127.0.0.1. */
START_TEST(test_update_reports)
{
	static const unsigned	 ui[] = { 4, 12 };
	static const uint8_t	 rt[] = { MC_ALLOW,
	    MC_BLOCK };
	struct ip4_info		 ip;
	struct igmp_msg		 g;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;
	const struct amt_pkt	*u;
	unsigned		 k;

	load_capture();
	for (k = 0; k < 2; k++) {
		u = &pkts[ui[k]];
		ck_assert_int_eq(igmp_decode_packet(u->bytes + u->m.inner_off,
		    u->m.inner_len, &ip, &g), IGMP_OK);
		ck_assert_uint_eq(ip.src, 0);		/* 0.0.0.0, 5.2.1 */
		ck_assert_uint_eq(ip.dst, 0xe0000016);
		ck_assert_int_eq(ip.router_alert, 1);
		ck_assert_uint_eq(g.type, IGMP_V3_REPORT);
		ck_assert_uint_eq(g.nrecs, 1);
		igmp_rec_iter_init(&it, &g);
		ck_assert_int_eq(igmp_rec_next(&it, &r), 1);
		ck_assert_uint_eq(r.type, rt[k]);
		ck_assert_uint_eq(r.group, 0xe8010101);
		ck_assert_uint_eq(r.nsrcs, 1);
		ck_assert_uint_eq(igmp_src(r.srcs, 0), 0x7f000001);
	}
}
END_TEST

/* Data: inner IPv4 UDP 127.0.0.1 -> 232.1.1.1:5001, checksum zero. */
START_TEST(test_data_fields)
{
	struct ip4_info		 ip;
	const struct amt_pkt	*d;
	const uint8_t		*udp;
	unsigned		 i, n = 0;

	load_capture();
	for (i = 5; i < 10; i++) {
		d = &pkts[i];
		ck_assert_uint_eq(d->m.inner_ver, 4);
		ck_assert_uint_eq(d->m.inner_off, 2);
		ck_assert_uint_eq(d->m.inner_len, 141);
		/* ip4_decode checks the header checksum too. */
		ck_assert_int_eq(ip4_decode(d->bytes + 2, d->m.inner_len, &ip),
		    IGMP_OK);
		ck_assert_uint_eq(ip.src, 0x7f000001);
		ck_assert_uint_eq(ip.dst, 0xe8010101);
		ck_assert_uint_eq(ip.proto, 17);
		udp = d->bytes + 2 + ip.hlen;
		ck_assert_uint_eq(be16_load(udp), 5001);
		ck_assert_uint_eq(be16_load(udp + 2), 5001);
		ck_assert_uint_eq(be16_load(udp + 6), 0);	/* zeroed */
		ck_assert_mem_eq(udp + 8, "amt-test-", 9);
		n++;
	}
	ck_assert_uint_eq(n, 5);
}
END_TEST

Suite *
replay_suite(void)
{
	Suite	*s = suite_create("replay");
	TCase	*tc = tcase_create("amtrelayd-capture");

	tcase_add_test(tc, test_sequence);
	tcase_add_test(tc, test_discovery_fields);
	tcase_add_test(tc, test_query_fields);
	tcase_add_test(tc, test_update_reports);
	tcase_add_test(tc, test_data_fields);
	suite_add_tcase(s, tc);
	return s;
}
