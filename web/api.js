// SPDX-License-Identifier: MIT
// The one module that talks to the ddnsd REST API. Requests go to the
// same origin with the session cookie (HttpOnly: this code never sees it);
// no token is ever kept in localStorage or sessionStorage. Errors are
// ApiError with the problem+json detail in words.

export class ApiError extends Error {
	constructor(status, detail) {
		super(detail);
		this.status = status;
		this.detail = detail;
	}
}

let onSessionEnded = null;

// fn() runs when an authenticated request answers 401 (session ended).
export function whenSessionEnds(fn) {
	onSessionEnded = fn;
}

async function call(method, path, body) {
	const opts = { method, credentials: 'same-origin', headers: {} };
	if (body !== undefined) {
		opts.headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	let r;
	try {
		r = await fetch(path, opts);
	} catch (e) {
		throw new ApiError(0, 'The server cannot be reached. Check the connection and try again.');
	}
	let data = null;
	if ((r.headers.get('Content-Type') || '').includes('json') && r.status !== 204)
		data = await r.json().catch(() => null);
	if (!r.ok) {
		const detail = (data && typeof data.detail === 'string' && data.detail) ||
			(data && data.title) || `The server answered ${r.status}.`;
		if (r.status === 401 && path !== '/v1/session' && onSessionEnded)
			onSessionEnded();
		throw new ApiError(r.status, detail);
	}
	return data;
}

const h = (name) => '/v1/hosts/' + encodeURIComponent(name);

export const api = {
	session: () => call('GET', '/v1/session'),
	signIn: (email, password) => call('POST', '/v1/session', { email, password }),
	signOut: () => call('DELETE', '/v1/session'),
	signUp: (email, password) => call('POST', '/v1/accounts', { email, password }),
	changePassword: (current, next) => call('POST', '/v1/account/password',
		{ current_password: current, new_password: next }),

	zones: async () => (await call('GET', '/v1/zones')).items,
	hosts: async () => {
		const all = [];
		let cursor = null;
		do {
			const q = '?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
			const page = await call('GET', '/v1/hosts' + q);
			all.push(...page.items);
			cursor = page.next_cursor;
		} while (cursor);
		return all;
	},
	host: (name) => call('GET', h(name)),
	createHost: (name) => call('POST', '/v1/hosts', { name }),
	patchHost: (name, patch) => call('PATCH', h(name), patch),
	deleteHost: (name) => call('DELETE', h(name)),
	events: async (name, limit = 50) => (await call('GET', h(name) + '/events?limit=' + limit)).items,
	// {server, token_placeholder, items: [{client, title, config}]}
	setup: (name) => call('GET', h(name) + '/setup'),

	hostTokens: async (name) => (await call('GET', h(name) + '/tokens')).items,
	createHostToken: (name, label) => call('POST', h(name) + '/tokens', { label }),
	relabelHostToken: (name, id, label) =>
		call('PATCH', h(name) + '/tokens/' + encodeURIComponent(id), { label }),
	revokeHostToken: (name, id) => call('DELETE', h(name) + '/tokens/' + encodeURIComponent(id)),

	tokens: async () => (await call('GET', '/v1/tokens')).items,
	createToken: (name, scopes, expiresIn) => call('POST', '/v1/tokens',
		expiresIn ? { name, scopes, expires_in: expiresIn } : { name, scopes }),
	deleteToken: (id) => call('DELETE', '/v1/tokens/' + encodeURIComponent(id)),
};
