/* SPDX-License-Identifier: BSD-2-Clause */
/* privacy.c: hashing or masking caller numbers before they are published. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ccmetrics/privacy.h"
#include "ccmetrics/sha256.h"
#include "ccmetrics/xmalloc.h"

struct privacy {
	enum config_privacy	 mode;
	char			*secret;
	size_t			 secret_len;
	int			 mask_digits;
};

struct privacy *
privacy_create(const struct config *cfg)
{
	struct privacy	*pv;

	pv = xcalloc(1, sizeof *pv);
	pv->mode = (enum config_privacy)cfg->privacy_caller;
	pv->mask_digits = cfg->privacy_mask_digits;
	if (cfg->privacy_secret != NULL) {
		pv->secret = xstrdup(cfg->privacy_secret);
		pv->secret_len = strlen(pv->secret);
	}
	return (pv);
}

void
privacy_free(struct privacy *pv)
{
	if (pv == NULL)
		return;
	if (pv->secret != NULL) {
		memset(pv->secret, 0, pv->secret_len);
		free(pv->secret);
	}
	free(pv);
}

/* Not a person's number: nothing to hide (as contact.c's repeat rule). */
static int
privacy_exempt(const char *number)
{
	return (*number == '\0' || strcasecmp(number, "anonymous") == 0 ||
	    strcasecmp(number, "restricted") == 0 ||
	    strcasecmp(number, "unavailable") == 0);
}

static void
privacy_hash(const struct privacy *pv, const char *number, size_t n,
    char *buf, size_t len)
{
	static const char	hex[] = "0123456789abcdef";
	uint8_t			mac[SHA256_DIGEST_LEN];
	size_t			i;

	hmac_sha256(pv->secret, pv->secret_len, number, n, mac);
	for (i = 0; i < SHA256_DIGEST_LEN && 2 * i + 2 < len; i++) {
		buf[2 * i] = hex[mac[i] >> 4];
		buf[2 * i + 1] = hex[mac[i] & 0xf];
	}
	buf[2 * i] = '\0';
}

/* Every character 'x' but a leading '+' and the last mask_digits digits. */
static void
privacy_mask(const struct privacy *pv, const char *number, size_t n,
    char *buf, size_t len)
{
	size_t	i;
	int	keep = pv->mask_digits;

	if (n >= len) {
		memset(buf, 'x', len - 1);
		buf[len - 1] = '\0';
		return;
	}
	buf[n] = '\0';
	for (i = n; i-- > 0;) {
		if (keep > 0 && isdigit((unsigned char)number[i])) {
			buf[i] = number[i];
			keep--;
		} else if (i == 0 && number[i] == '+')
			buf[i] = '+';
		else
			buf[i] = 'x';
	}
}

static void
privacy_apply(const struct privacy *pv, const char *number, size_t n,
    char *buf, size_t len)
{
	if (pv->mode == PRIVACY_HASH)
		privacy_hash(pv, number, n, buf, len);
	else
		privacy_mask(pv, number, n, buf, len);
}

const char *
privacy_number(const struct privacy *pv, const char *number, char *buf,
    size_t len)
{
	if (number == NULL || pv->mode == PRIVACY_CLEAR ||
	    privacy_exempt(number) || len == 0)
		return (number);
	privacy_apply(pv, number, strlen(number), buf, len);
	return (buf);
}

const char *
privacy_uri(const struct privacy *pv, const char *uri, char *buf, size_t len)
{
	static const char *const schemes[] = { "sips:", "sip:", "tel:" };
	char		 user[PRIVACY_MAX], out[PRIVACY_MAX];
	const char	*p = NULL;
	size_t		 i, n;

	if (uri == NULL || pv->mode == PRIVACY_CLEAR)
		return (uri);
	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
		if ((p = strcasestr(uri, schemes[i])) != NULL)
			break;
	}
	if (p == NULL)
		return (uri);
	p += strlen(schemes[i]);
	/* The user part: up to '@' (sip, sips; RFC 3261 19.1.1), or up to a
	   parameter (tel, RFC 3966). A sip URI without '@' has no user. */
	n = strcspn(p, ";@>?");
	if (strcmp(schemes[i], "tel:") != 0 && strchr(p, '@') == NULL)
		return (uri);
	if (n == 0 || n >= sizeof user)
		return (uri);
	memcpy(user, p, n);
	user[n] = '\0';
	if (privacy_exempt(user))
		return (uri);
	privacy_apply(pv, user, n, out, sizeof out);
	snprintf(buf, len, "%.*s%s%s", (int)(p - uri), uri, out, p + n);
	return (buf);
}
