/* SPDX-License-Identifier: BSD-2-Clause */
/* test_sipscan.c: unit tests of the header-line scanner of SIP text. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/sipscan.h"

/*
 * Each input is copied into a buffer of exactly its length, no NUL after
 * it: a read past the end is a sanitizer report, not a lucky terminator.
 */
static char	*bufs[16];
static size_t	 nbufs;

static const char *
exact(const char *s, size_t *n)
{
	*n = strlen(s);
	assert_true(nbufs < sizeof bufs / sizeof bufs[0]);
	bufs[nbufs] = malloc(*n > 0 ? *n : 1);
	assert_non_null(bufs[nbufs]);
	memcpy(bufs[nbufs], s, *n);
	return (bufs[nbufs++]);
}

static int
teardown(void **state)
{
	(void)state;
	while (nbufs > 0)
		free(bufs[--nbufs]);
	return (0);
}

static void
line_ends_at_crlf_bare_cr_or_bare_lf(void **state)
{
	const char	*p, *eol;
	size_t		 n;

	(void)state;
	p = exact("a\r\nb", &n);
	assert_ptr_equal(sipscan_line_end(p, p + n, &eol), p + 3);
	assert_ptr_equal(eol, p + 1);
	p = exact("a\rb\n", &n);
	assert_ptr_equal(sipscan_line_end(p, p + n, &eol), p + 2);
	assert_ptr_equal(eol, p + 1);
	p = exact("ab\nc", &n);
	assert_ptr_equal(sipscan_line_end(p, p + n, &eol), p + 3);
	assert_ptr_equal(eol, p + 2);
	/* A CR in the last byte ends the line; no end at all is NULL. */
	p = exact("a\r", &n);
	assert_ptr_equal(sipscan_line_end(p, p + n, &eol), p + 2);
	assert_ptr_equal(eol, p + 1);
	p = exact("abc", &n);
	assert_null(sipscan_line_end(p, p + n, &eol));
}

static void
header_gives_trimmed_name_and_value(void **state)
{
	struct sipscan_header	 h;
	const char		*p;
	size_t			 n;

	(void)state;
	p = exact("Call-ID \t: \tabc@h \r\nX", &n);
	assert_int_equal(sipscan_header(p, p + n, &h), 1);
	assert_true(h.colon);
	assert_ptr_equal(h.name, p);
	assert_int_equal(h.nlen, 7);
	assert_ptr_equal(h.value, p + 12);
	assert_int_equal(h.vlen, 6);		/* "abc@h ", blank and all */
	assert_false(h.folded);
	assert_ptr_equal(h.next, p + 20);
	/* Compact form (RFC 3261 7.3.3). */
	p = exact("l:5\r\n", &n);
	assert_int_equal(sipscan_header(p, p + n, &h), 1);
	assert_int_equal(h.nlen, 1);
	assert_int_equal(h.vlen, 1);
	assert_int_equal(h.value[0], '5');
	assert_ptr_equal(h.next, p + n);
}

static void
folded_lines_join_their_header(void **state)
{
	struct sipscan_header	 h;
	const char		*p;
	size_t			 n;

	(void)state;
	p = exact("Subject: a\r\n b\r\n\tc\r\nTo: x\r\n\r\n", &n);
	assert_int_equal(sipscan_header(p, p + n, &h), 1);
	assert_true(h.folded);
	assert_int_equal(h.nlen, 7);
	assert_int_equal(h.vlen, 9);		/* "a\r\n b\r\n\tc" */
	assert_memory_equal(h.value, "a\r\n b\r\n\tc", 9);
	assert_ptr_equal(h.next, p + 20);
	assert_int_equal(sipscan_header(h.next, p + n, &h), 1);
	assert_false(h.folded);
	assert_int_equal(h.nlen, 2);
	assert_int_equal(sipscan_header(h.next, p + n, &h), 0);
	assert_ptr_equal(h.next, p + n);
	/* A continuation still open at the end of the buffer: incomplete. */
	p = exact("Subject: a\r\n b", &n);
	assert_int_equal(sipscan_header(p, p + n, &h), -1);
}

static void
line_without_colon_is_a_header_without_value(void **state)
{
	struct sipscan_header	 h;
	const char		*p;
	size_t			 n;

	(void)state;
	p = exact("garbage\r\n\r\n", &n);
	assert_int_equal(sipscan_header(p, p + n, &h), 1);
	assert_false(h.colon);
	assert_int_equal(h.nlen, 0);
	assert_int_equal(h.vlen, 0);
	assert_ptr_equal(h.next, p + 9);
}

static void
crlf_or_lf_line_ends_the_headers(void **state)
{
	struct sipscan_header	 h;
	const char		*p;
	size_t			 n;

	(void)state;
	p = exact("\r\n\r\n", &n);		/* a keep-alive, twice */
	assert_int_equal(sipscan_header(p, p + n, &h), 0);
	assert_ptr_equal(h.next, p + 2);
	p = exact("\nbody", &n);
	assert_int_equal(sipscan_header(p, p + n, &h), 0);
	assert_ptr_equal(h.next, p + 1);
	/* Nothing left, or a line with no end: incomplete. */
	p = exact("To: x", &n);
	assert_int_equal(sipscan_header(p, p + n, &h), -1);
	assert_int_equal(sipscan_header(p + n, p + n, &h), -1);
}

static void
content_length_value_is_digits_then_blanks(void **state)
{
	(void)state;
	assert_int_equal(sipscan_content_length("0", 1), 0);
	assert_int_equal(sipscan_content_length("512", 3), 512);
	assert_int_equal(sipscan_content_length("512 \t", 5), 512);
	assert_int_equal(sipscan_content_length("512\r\n ", 6), 512);
	/* Only the first n bytes count. */
	assert_int_equal(sipscan_content_length("512x", 3), 512);
	assert_int_equal(sipscan_content_length("", 0), -1);
	assert_int_equal(sipscan_content_length(" 5", 2), -1);
	assert_int_equal(sipscan_content_length("5a", 2), -1);
	assert_int_equal(sipscan_content_length("5 6", 3), -1);
	assert_int_equal(sipscan_content_length("-1", 2), -1);
	assert_int_equal(sipscan_content_length("5;x", 3), -1);
	/* The bound, and no overflow past it. */
	assert_int_equal(sipscan_content_length("100000000", 9),
	    SIPSCAN_CLEN_MAX);
	assert_int_equal(sipscan_content_length("100000001", 9), -1);
	assert_int_equal(sipscan_content_length("99999999999999999999999",
	    23), -1);
}

static void
content_length_names_long_and_compact(void **state)
{
	(void)state;
	assert_true(sipscan_is_content_length("l", 1));
	assert_true(sipscan_is_content_length("L", 1));
	assert_true(sipscan_is_content_length("Content-Length", 14));
	assert_true(sipscan_is_content_length("CONTENT-length", 14));
	assert_false(sipscan_is_content_length("c", 1));
	assert_false(sipscan_is_content_length("ll", 2));
	assert_false(sipscan_is_content_length("Content-Type", 12));
	assert_false(sipscan_is_content_length("Content-Lengths", 15));
	assert_false(sipscan_is_content_length("Content-Lengt", 13));
}

static void
content_length_of_headers_first_one_wins(void **state)
{
	const char	*p;
	size_t		 n;

	(void)state;
	p = exact("Via: x\r\nl: 12\r\n\r\n", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), 12);
	p = exact("Via: x\nContent-Length :7\n\n", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), 7);
	p = exact("l: 3\r\nContent-Length: 4\r\n\r\n", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), 3);
	p = exact("Via: x\r\n\r\n", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), 0);
	p = exact("Content-Length: x\r\nl: 4\r\n\r\n", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), -1);
	/* A number cut by a continuation line is no number. */
	p = exact("Content-Length: 7\r\n 8\r\n\r\n", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), -1);
	/* A Content-Length after the empty line is body, not a header. */
	p = exact("Via: x\r\n\r\nl: 9\r\n", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), 0);
}

static void
content_length_at_the_edge_of_the_buffer(void **state)
{
	const char	*p;
	size_t		 n;

	(void)state;
	/* Its line ends in the last bytes: read. */
	p = exact("Via: x\r\nContent-Length: 25\r\n", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), 25);
	p = exact("Via: x\r\nl: 25\r", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), 25);
	/* Its line is cut by the end: not read, more bytes may change it. */
	p = exact("Via: x\r\nContent-Length: 25", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), 0);
	p = exact("Via: x\r\nContent-Len", &n);
	assert_int_equal(sipscan_headers_content_length(p, n), 0);
}

static void
header_block_ends_at_an_empty_line(void **state)
{
	const char	*p;
	size_t		 n;

	(void)state;
	p = exact("INVITE x SIP/2.0\r\nA: b\r\n\r\nbody", &n);
	assert_int_equal(sipscan_headers_len(p, n), 26);
	p = exact("A\n\nX", &n);
	assert_int_equal(sipscan_headers_len(p, n), 3);
	/* Cut inside the empty line: incomplete. */
	p = exact("INVITE x SIP/2.0\r\nA: b\r\n\r", &n);
	assert_int_equal(sipscan_headers_len(p, n), 0);
	p = exact("INVITE x SIP/2.0\r\nA: b\r\n", &n);
	assert_int_equal(sipscan_headers_len(p, n), 0);
	/* One CRLF keep-alive is no header block; two are an empty one. */
	p = exact("\r\n", &n);
	assert_int_equal(sipscan_headers_len(p, n), 0);
	p = exact("\r\n\r\n", &n);
	assert_int_equal(sipscan_headers_len(p, n), 4);
}

static void
untracked_requests_by_their_request_line(void **state)
{
	(void)state;
	assert_true(sipscan_untracked_request("OPTIONS sip:a SIP/2.0", 21));
	/* REGISTER is parsed: agent presence (DESIGN.md 7). */
	assert_false(sipscan_untracked_request("REGISTER ", 9));
	assert_true(sipscan_untracked_request("SUBSCRIBE s", 11));
	assert_true(sipscan_untracked_request("PUBLISH s", 9));
	assert_true(sipscan_untracked_request("MESSAGE s", 9));
	assert_true(sipscan_untracked_request("INFO s", 6));
	/* The space is part of the method's end; case counts. */
	assert_false(sipscan_untracked_request("OPTIONS", 7));
	assert_false(sipscan_untracked_request("OPTIONSX s", 10));
	assert_false(sipscan_untracked_request("options s", 9));
	assert_false(sipscan_untracked_request("INVITE s", 8));
	assert_false(sipscan_untracked_request("NOTIFY s", 8));
	assert_false(sipscan_untracked_request("SIP/2.0 200 OK", 14));
}

static void
untracked_responses_by_their_cseq_method(void **state)
{
	const char	*m;
	size_t		 mlen;

	(void)state;
	m = sipscan_cseq_method("101 \tNOTIFY ;x", 14, &mlen);
	assert_int_equal(mlen, 6);
	assert_memory_equal(m, "NOTIFY", 6);
	assert_true(sipscan_untracked_cseq(m, mlen));
	m = sipscan_cseq_method("1 INVITE", 8, &mlen);
	assert_int_equal(mlen, 6);
	assert_false(sipscan_untracked_cseq(m, mlen));
	m = sipscan_cseq_method("1", 1, &mlen);
	assert_int_equal(mlen, 0);
	assert_false(sipscan_untracked_cseq(m, mlen));
	assert_true(sipscan_untracked_cseq("OPTIONS", 7));
	assert_true(sipscan_untracked_cseq("INFO", 4));
	assert_false(sipscan_untracked_cseq("notify", 6));
	assert_false(sipscan_untracked_cseq("NOTIF", 5));
	assert_false(sipscan_untracked_cseq("BYE", 3));
	assert_int_equal(sipscan_token_len("refer;id=1", 10), 5);
	assert_int_equal(sipscan_token_len("refer", 5), 5);
	assert_int_equal(sipscan_token_len("a,b", 3), 1);
	assert_int_equal(sipscan_token_len("", 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(line_ends_at_crlf_bare_cr_or_bare_lf,
		    teardown),
		cmocka_unit_test_teardown(header_gives_trimmed_name_and_value,
		    teardown),
		cmocka_unit_test_teardown(folded_lines_join_their_header,
		    teardown),
		cmocka_unit_test_teardown(
		    line_without_colon_is_a_header_without_value, teardown),
		cmocka_unit_test_teardown(crlf_or_lf_line_ends_the_headers,
		    teardown),
		cmocka_unit_test(content_length_value_is_digits_then_blanks),
		cmocka_unit_test(content_length_names_long_and_compact),
		cmocka_unit_test_teardown(
		    content_length_of_headers_first_one_wins, teardown),
		cmocka_unit_test_teardown(
		    content_length_at_the_edge_of_the_buffer, teardown),
		cmocka_unit_test_teardown(header_block_ends_at_an_empty_line,
		    teardown),
		cmocka_unit_test(untracked_requests_by_their_request_line),
		cmocka_unit_test(untracked_responses_by_their_cseq_method),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
