// SPDX-License-Identifier: MIT
// The account: API tokens for scripts (created with scopes and expiry,
// shown once, revoked) and the password.
import { api } from '../api.js';
import { el, field, errorLine, noteLine, busy, table, time, copyText, confirmInline, uid, fieldError } from '../ui.js';

const EXPIRY = [
	['30 days', 30 * 86400], ['1 day', 86400], ['1 year', 365 * 86400], ['never', 0],
];

function check(labelText, value, checked) {
	const id = uid('c');
	return el('span', { class: 'check' },
		el('input', { type: 'checkbox', id, value, checked }),
		el('label', { for: id, text: labelText }));
}

function tokensSection() {
	const name = el('input', { type: 'text', name: 'name', maxlength: 100, autocomplete: 'off', placeholder: 'e.g. certbot on my server' });
	const read = check('read', 'read', true);
	const write = check('write (includes read)', 'write', false);
	const expiry = el('select', { name: 'expires_in' },
		EXPIRY.map(([t, s]) => el('option', { value: String(s), text: t })));
	const create = el('button', { type: 'submit', text: 'Create token' });
	const err = errorLine();
	const fresh = el('div', {});
	const list = el('div', {}, el('p', { class: 'muted', text: 'Loading…' }));
	const listErr = errorLine();

	async function load() {
		try {
			const tokens = await api.tokens();
			listErr.clear();
			if (tokens.length === 0) {
				list.replaceChildren(el('p', { class: 'muted', text: 'No API tokens.' }));
				return;
			}
			list.replaceChildren(table('API tokens', ['Name', 'Scopes', 'Created', 'Expires', 'Last used', ''],
				tokens.map((t) => {
					const revoke = el('button', { type: 'button', class: 'danger small', text: 'Revoke' });
					revoke.setAttribute('aria-label', `Revoke API token ${t.name}`);
					revoke.addEventListener('click', () => confirmInline(revoke,
						'Revoke this API token? Scripts using it stop working at once.', 'Yes, revoke',
						async () => { await api.deleteToken(t.id); await load(); }));
					return [t.name, t.scopes.join(', '), time(t.created_at),
						t.expires_at ? time(t.expires_at) : 'never', time(t.last_used_at), revoke];
				})));
		} catch (e) {
			listErr.show(e);
		}
	}

	const form = el('form', { novalidate: true },
		el('div', { class: 'row' }, field('Token name', name), field('Expires after', expiry)),
		el('fieldset', { class: 'scopes' }, el('legend', { text: 'Scopes' }), read, write),
		el('div', { class: 'actions' }, create), err);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(create, err, async () => {
			const scopes = [read, write].map((s) => s.querySelector('input'))
				.filter((i) => i.checked).map((i) => i.value);
			if (!name.value.trim())
				throw fieldError('name', 'Token name: say what the token is for.');
			if (scopes.length === 0)
				throw new Error('Scopes: choose read, write or both.');
			const t = await api.createToken(name.value.trim(), scopes, Number(expiry.value));
			const copy = el('button', { type: 'button', class: 'secondary', text: 'Copy' });
			copy.addEventListener('click', () => copyText(copy, t.token));
			fresh.replaceChildren(el('div', { class: 'once', role: 'region', 'aria-label': 'New API token' },
				el('p', { class: 'strong', text: 'Your new API token. Copy it now: it will not be shown again.' }),
				el('div', { class: 'secretrow' }, el('code', { class: 'secret', text: t.token }), copy),
				el('p', { class: 'hint', text: 'Use it as "Authorization: Bearer <token>" with the REST API (/v1/openapi.json).' })));
			name.value = '';
			await load();
			copy.focus();
		});
	});
	load();
	return el('section', { class: 'card', 'aria-labelledby': 'sec-api' },
		el('h2', { id: 'sec-api', text: 'API tokens' }),
		el('p', { text: 'For scripts and tools that use the REST API. Routers use host tokens instead (on each host\'s page).' }),
		form, fresh, list, listErr);
}

function passwordSection() {
	const cur = el('input', { type: 'password', name: 'current_password', autocomplete: 'current-password' });
	const next = el('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', minlength: 10 });
	const save = el('button', { type: 'submit', text: 'Change password' });
	const err = errorLine();
	const ok = noteLine();
	const form = el('form', { novalidate: true },
		field('Current password', cur),
		field('New password', next, 'At least 10 characters. Other signed-in browsers are signed out.'),
		el('div', { class: 'actions' }, save), err, ok);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		ok.hidden = true;
		busy(save, err, async () => {
			const r = await api.changePassword(cur.value, next.value);
			cur.value = '';
			next.value = '';
			const n = r.sessions_ended;
			ok.say('Password changed.' + (n ? ` ${n} other session${n === 1 ? ' was' : 's were'} signed out.` : ''));
		});
	});
	return el('section', { class: 'card', 'aria-labelledby': 'sec-pw' },
		el('h2', { id: 'sec-pw', text: 'Change password' }), form);
}

export function renderAccount(ctx) {
	ctx.main.append(el('h1', { text: 'Account' }),
		el('p', {}, 'Signed in as ', el('strong', { text: ctx.state.account.email }), '.'),
		tokensSection(), passwordSection());
}
