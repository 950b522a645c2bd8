// SPDX-License-Identifier: MIT
// Signed in: the account's hosts, and adding one.
import { api } from '../api.js';
import { el, field, errorLine, busy, navigate, link, table, stateBadge, dnsState, onLeave, noteLine, recentlyActive, fieldError } from '../ui.js';

const POLL_MS = 2000;

// "web" + zone "dyn.example" -> "web.dyn.example"; a full name stays.
function fullName(text, zone) {
	const name = text.trim().replace(/\.$/, '');
	if (name === '' || name.includes('.') || !zone)
		return name;
	return name + '.' + zone;
}

export function renderHosts(ctx) {
	const name = el('input', {
		type: 'text', name: 'name', autocomplete: 'off', spellcheck: 'false',
		autocapitalize: 'none', required: true, placeholder: 'web.dyn.example',
	});
	const zone = el('select', { name: 'zone' });
	const err = errorLine();
	const add = el('button', { type: 'submit', text: 'Add host' });
	const listErr = errorLine();
	const status = noteLine();
	const list = el('div', { class: 'hostlist', 'aria-live': 'polite' },
		el('p', { class: 'muted', text: 'Loading hosts…' }));
	const form = el('form', { class: 'card add-host', novalidate: true },
		el('h2', { text: 'Add a host' }),
		el('div', { class: 'row' },
			field('Host name', name, 'The full name, or just a label: then the zone chosen under Zone is appended.'),
			field('Zone', zone)),
		el('div', { class: 'actions' }, add), err);
	ctx.main.append(el('h1', { text: 'Hosts' }), status, form,
		el('section', { class: 'card', 'aria-labelledby': 'yours' },
			el('h2', { id: 'yours', text: 'Your hosts' }), list, listErr));

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(add, err, async () => {
			const n = fullName(name.value, zone.value);
			if (n === '')
				throw fieldError('name', 'Host name: type a name such as web.' + (zone.value || 'dyn.example') + '.');
			const h = await api.createHost(n);
			navigate('/hosts/' + encodeURIComponent(h.name));
		});
	});

	api.zones().then((zones) => {
		zone.replaceChildren(...zones.map((z) => el('option', { value: z.name, text: z.name })));
		if (zones.length === 0) {
			zone.append(el('option', { value: '', text: '(no zone)' }));
			err.show(new Error('There is no zone you may create hosts in yet. Ask the operator of this service.'));
		}
		if (zones.length > 0)
			name.placeholder = 'web.' + zones[0].name;
	}, (e) => err.show(e));

	let timer = null;
	let gone = false;
	onLeave(() => { gone = true; clearTimeout(timer); });
	async function refresh() {
		if (!recentlyActive()) {
			timer = setTimeout(refresh, POLL_MS);
			return;
		}
		try {
			const hosts = await api.hosts();
			if (gone)
				return;
			listErr.clear();
			if (hosts.length === 0) {
				list.replaceChildren(el('p', { class: 'muted',
					text: 'No hosts yet. Add one above: then make a token for your router.' }));
				return;
			}
			list.replaceChildren(table('Your hosts', ['Name', 'IPv4', 'IPv6', 'DNS'],
				hosts.map((h) => [
					link('/hosts/' + encodeURIComponent(h.name), h.name),
					h.ipv4 && el('code', { text: h.ipv4 }),
					h.ipv6 && el('code', { text: h.ipv6 }),
					stateBadge(h),
				])));
			if (hosts.some((h) => dnsState(h).word === 'pending'))
				timer = setTimeout(refresh, POLL_MS);
		} catch (e) {
			if (!gone)
				listErr.show(e);
		}
	}
	refresh();
	name.focus();
}
