// SPDX-License-Identifier: MIT
// Router setup: each client's configuration from GET /v1/hosts/NAME/setup
// ({"token_placeholder", "items":[{"client","title","config"}]}), ready to
// paste. The server writes token_placeholder where the token goes; while
// a new token is on screen, it is filled in here (and nowhere else: it is
// never stored).
import { api } from '../api.js';
import { el, field, errorLine, copyText } from '../ui.js';

function fill(item, mark, token) {
	return token && mark ? item.config.split(mark).join(token) : item.config;
}

export function setupSection(name) {
	const client = el('select', { name: 'client' });
	const out = el('pre', { class: 'config', tabindex: '0', 'aria-label': 'Configuration' });
	const copy = el('button', { type: 'button', class: 'secondary', text: 'Copy configuration' });
	const hint = el('p', { class: 'hint', text: 'Make a New token above and it is filled in here.' });
	const err = errorLine();
	let items = [];
	let mark = null;
	let token = null;

	function render() {
		const item = items.find((i) => i.client === client.value) || items[0];
		out.textContent = item ? fill(item, mark, token) : '';
		hint.textContent = token
			? 'The new token is filled in. Paste this into the client now: the token is not shown again.'
			: `Make a New token above and it is filled in here (in place of ${mark || 'the placeholder'}).`;
	}
	client.addEventListener('change', render);
	copy.addEventListener('click', () => copyText(copy, out.textContent));

	const body = el('div', {}, el('p', { class: 'muted', text: 'Loading…' }));
	const s = el('section', { class: 'card', 'aria-labelledby': 'sec-router-setup' },
		el('h2', { id: 'sec-router-setup', text: 'Router setup' }), body, err);
	api.setup(name).then((r) => {
		items = r.items;
		mark = r.token_placeholder;
		client.replaceChildren(...items.map((i) => el('option', { value: i.client, text: i.title })));
		body.replaceChildren(
			el('p', { text: 'Choose your router or update client and paste its settings.' }),
			field('Client', client), out, el('div', { class: 'actions' }, copy), hint);
		render();
	}, (e) => {
		body.replaceChildren();
		if (e.status === 404)
			body.append(el('p', { class: 'muted', text: 'This server does not offer ready-made router settings yet. ' +
				'Any dyndns2 client works: server ' + location.host + ', user name ' + name + ', password a token of this host.' }));
		else
			err.show(e);
	});
	s.useToken = (t) => { token = t; render(); };
	return s;
}
