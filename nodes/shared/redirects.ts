/**
 * Following a media download's redirects by hand, one hop at a time, so each hop is checked like the
 * first URL (scheme, plain http, network policy) and the key goes only to the API's own origin: a
 * presigned CDN link behind the API's /content route gets no Authorization header.
 */

import { DownloadRefusedError } from './networkPolicy';

export const MAX_REDIRECTS = 5;

/** The redirects a GET follows; 300 (a choice) and 304 (a cache answer) are not. */
const FOLLOWED = new Set([301, 302, 303, 307, 308]);

export function isFollowedRedirect(status: number): boolean {
	return FOLLOWED.has(status);
}

/** The URL a redirect leads to; `followed` counts the redirects already taken before this one. */
export function nextHop(from: URL, location: string | undefined, followed: number): URL {
	if (followed >= MAX_REDIRECTS) {
		throw new DownloadRefusedError(
			`The media URL redirected more than ${MAX_REDIRECTS} times`,
			'The media host keeps redirecting (a loop, or a misconfigured link). Nothing was downloaded.',
		);
	}
	if (!location) {
		throw new DownloadRefusedError('The media host answered a redirect without a Location', 'Nothing was downloaded; try again later.');
	}
	if (!URL.canParse(location, from.href)) {
		throw new DownloadRefusedError('The media host redirected to an invalid URL', 'Nothing was downloaded; try again later.');
	}
	return new URL(location, from);
}
