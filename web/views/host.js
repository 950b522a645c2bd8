// SPDX-License-Identifier: MIT
// One host: addresses and DNS state, router tokens (new token shown once),
// router setup for each client, history, addresses and TTL, followers,
// and deleting it. Its URL is /hosts/NAME, so a reload stays here.
import { api } from '../api.js';
import {
	el, field, errorLine, noteLine, busy, navigate, link, table, time, stateBadge, dnsState,
	onLeave, copyText, confirmInline, recentlyActive, fieldError,
} from '../ui.js';
import { setupSection } from './setup.js';

const POLL_PENDING_MS = 2000;
const POLL_IDLE_MS = 5000;

function summary(h) {
	const rows = [
		['IPv4', h.ipv4 ? el('code', { text: h.ipv4 }) : 'none yet'],
		['IPv6', h.ipv6 ? el('code', { text: h.ipv6 }) : 'none yet'],
		['DNS', stateBadge(h)],
		['TTL', `${h.ttl} s`],
		['Last change', time(h.updated_at)],
	];
	if (dnsState(h).word === 'refused')
		rows.push(['Why', `The nameserver refused this name (${h.dns.rcode || 'an error'}); the other hosts are not held up. ` +
			'ddnsd tries again by itself and with every change; if it stays refused, ask the operator of this service.']);
	if (h.follows)
		rows.push(['Follows', el('span', {}, link('/hosts/' + encodeURIComponent(h.follows), h.follows),
			h.ipv6_iid ? ` (interface ID ${h.ipv6_iid}, prefix /${h.prefix_len || 64})` : '')]);
	if (h.offline)
		rows.push(['Offline', 'yes: no A or AAAA record until the next update']);
	return el('dl', { class: 'summary' }, rows.map(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
}

// For a host that never had an address: what to do next.
function nextSteps(h) {
	if (h.ipv4 || h.ipv6 || h.follows)
		return null;
	return el('div', { class: 'card next', role: 'note' },
		el('p', { class: 'strong', text: 'Waiting for the first update.' }),
		el('ol', {},
			el('li', { text: 'Press New token below and copy the token (it is shown once).' }),
			el('li', { text: 'In Router setup, choose your router or client and paste its settings there.' }),
			el('li', { text: 'The address appears on this page by itself, and "in DNS" once the nameserver has it.' })));
}

function section(title, ...children) {
	const id = 'sec-' + title.toLowerCase().replace(/[^a-z]+/g, '-');
	return el('section', { class: 'card', 'aria-labelledby': id },
		el('h2', { id, text: title }), ...children);
}

function tokensSection(name, onNewToken) {
	const err = errorLine();
	const make = el('button', { type: 'button', text: 'New token' });
	const fresh = el('div', { class: 'fresh' });
	const list = el('div', {}, el('p', { class: 'muted', text: 'Loading tokens…' }));
	const listErr = errorLine();

	// quiet: a refresh the person did not ask for; it leaves an open
	// "Revoke?" question alone.
	async function load(quiet) {
		try {
			const tokens = await api.hostTokens(name);
			if (quiet && list.querySelector('.confirm'))
				return;
			listErr.clear();
			if (tokens.length === 0) {
				list.replaceChildren(el('p', { class: 'muted',
					text: 'No tokens. A router needs one to update this host.' }));
				return;
			}
			list.replaceChildren(table('Tokens of ' + name, ['Label', 'Created', 'Last used', ''],
				tokens.map((t) => {
					const revoke = el('button', { type: 'button', class: 'danger small', text: 'Revoke' });
					revoke.setAttribute('aria-label', `Revoke token ${t.label || t.id}`);
					revoke.addEventListener('click', () => confirmInline(revoke,
						'Revoke this token? A router using it stops updating at once.',
						'Yes, revoke', async () => { await api.revokeHostToken(name, t.id); await load(); }));
					return [t.label || el('span', { class: 'muted', text: '(no label)' }),
						time(t.created_at), time(t.last_used_at), revoke];
				})));
		} catch (e) {
			listErr.show(e);
		}
	}

	make.addEventListener('click', () => busy(make, err, async () => {
		const t = await api.createHostToken(name, '');
		onNewToken(t.token);
		const code = el('code', { class: 'secret', text: t.token });
		const copy = el('button', { type: 'button', class: 'secondary', text: 'Copy' });
		copy.addEventListener('click', () => copyText(copy, t.token));
		const label = el('input', { type: 'text', name: 'label', maxlength: 100, autocomplete: 'off',
			placeholder: 'e.g. FRITZ!Box at home' });
		const save = el('button', { type: 'submit', class: 'secondary', text: 'Save label' });
		const lerr = errorLine();
		const saved = noteLine();
		const lform = el('form', { class: 'inline', novalidate: true },
			field('Label', label), save, lerr, saved);
		lform.addEventListener('submit', (ev) => {
			ev.preventDefault();
			busy(save, lerr, async () => {
				await api.relabelHostToken(name, t.id, label.value.trim());
				saved.say('Label saved.');
				await load();
			});
		});
		fresh.replaceChildren(el('div', { class: 'once', role: 'region', 'aria-label': 'New token' },
			el('p', { class: 'strong', text: 'Your new token. Copy it now: it will not be shown again.' }),
			el('div', { class: 'secretrow' }, code, copy),
			el('p', { class: 'hint', text: 'It is filled into the router setup below while this page is open.' }),
			lform));
		await load();
		copy.focus();
	}));

	load();
	const s = section('Tokens',
		el('p', { text: 'A router or update client signs in with a token of this host; each token works for this host only.' }),
		el('div', { class: 'actions' }, make), err, fresh, list, listErr);
	s.reload = load;
	return s;
}

function historySection(name) {
	const list = el('div', {}, el('p', { class: 'muted', text: 'Loading history…' }));
	const err = errorLine();
	const again = el('button', { type: 'button', class: 'secondary small', text: 'Refresh' });
	let last = null;
	// quiet: skip the redraw when nothing changed (polling).
	async function load(quiet) {
		try {
			const events = await api.events(name, 50);
			err.clear();
			const sig = JSON.stringify(events);
			if (quiet && sig === last)
				return;
			last = sig;
			if (events.length === 0) {
				list.replaceChildren(el('p', { class: 'muted',
					text: 'No updates yet. They appear here as your router sends them.' }));
				return;
			}
			list.replaceChildren(table('History of ' + name, ['Time', 'Result', 'Addresses', 'Source', 'Client'],
				events.map((e) => [
					time(e.at),
					el('span', { class: 'result', text: e.result }),
					[e.ipv4, e.ipv6].filter(Boolean).join(' ') || null,
					e.source ? el('code', { text: e.source }) : (e.via || null),
					e.user_agent ? el('span', { class: 'ua', text: e.user_agent }) : null,
				])));
		} catch (e) {
			err.show(e);
		}
	}
	again.addEventListener('click', () => busy(again, err, () => load(false)));
	load();
	const s = section('History', el('div', { class: 'actions' }, again), list, err);
	s.reload = load;
	return s;
}

function settingsSection(h, onSaved) {
	const ttl = el('input', { type: 'number', name: 'ttl', min: 1, max: 86400, inputmode: 'numeric' });
	const v4 = el('input', { type: 'text', name: 'ipv4', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. 203.0.113.10' });
	const v6 = el('input', { type: 'text', name: 'ipv6', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. 2001:db8::10' });
	const save = el('button', { type: 'submit', text: 'Save changes' });
	const err = errorLine();
	const ok = noteLine();
	// What the server has; a field the person did not touch follows it
	// (a router may change the address while the page is open), and only
	// touched fields are sent.
	let shown = {};
	function show(host) {
		const next = { ttl: String(host.ttl), ipv4: host.ipv4 || '', ipv6: host.ipv6 || '' };
		for (const [k, input] of [['ttl', ttl], ['ipv4', v4], ['ipv6', v6]])
			if (shown[k] === undefined || input.value === shown[k])
				input.value = next[k];
		shown = next;
	}
	show(h);
	const form = el('form', { novalidate: true },
		el('div', { class: 'row' },
			field('TTL (seconds)', ttl),
			field('IPv4 address', v4, 'Empty: no A record.'),
			field('IPv6 address', v6, 'Empty: no AAAA record.')),
		el('div', { class: 'actions' }, save), err, ok);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		ok.hidden = true;
		busy(save, err, async () => {
			const patch = {};
			if (ttl.value.trim() !== shown.ttl) {
				const n = Number(ttl.value);
				if (!Number.isInteger(n) || ttl.value.trim() === '')
					throw fieldError('ttl', 'TTL: a whole number of seconds.');
				patch.ttl = n;
			}
			if (v4.value.trim() !== shown.ipv4)
				patch.ipv4 = v4.value.trim() || null;
			if (v6.value.trim() !== shown.ipv6)
				patch.ipv6 = v6.value.trim() || null;
			if (Object.keys(patch).length === 0) {
				ok.say('Nothing to save: nothing was changed.');
				return;
			}
			const updated = await api.patchHost(h.name, patch);
			shown = {};
			show(updated);
			ok.say(dnsState(updated).word === 'in DNS' ? 'Saved. DNS has it.'
				: 'Saved. The DNS state above says when the nameserver has it.');
			onSaved(updated);
		});
	});
	const s = section('Addresses and TTL',
		el('p', { text: 'Routers set the addresses by themselves; set them here to fix one by hand.' }), form);
	s.show = show;
	return s;
}

function followersSection(name, h) {
	const body = el('div', {}, el('p', { class: 'muted', text: 'Loading…' }));
	api.hosts().then((hosts) => {
		const f = hosts.filter((x) => x.follows === name);
		if (f.length === 0 && !('follows' in h)) {
			s.hidden = true; // this server has no followers (REST "follows")
			return;
		}
		if (f.length === 0) {
			body.replaceChildren(el('p', { class: 'muted',
				text: 'No host follows this one. A device behind this router can follow it to get its IPv6 prefix (REST: "follows").' }));
			return;
		}
		body.replaceChildren(table('Followers of ' + name, ['Name', 'IPv4', 'IPv6', 'Interface ID', 'DNS'],
			f.map((x) => [link('/hosts/' + encodeURIComponent(x.name), x.name),
				x.ipv4 && el('code', { text: x.ipv4 }), x.ipv6 && el('code', { text: x.ipv6 }),
				x.ipv6_iid && el('code', { text: x.ipv6_iid }), stateBadge(x)])));
	}, (e) => { const err = errorLine(); err.show(e); body.replaceChildren(err); });
	const s = section('Followers', el('p', { text: 'Hosts behind this router whose addresses are derived from its prefix.' }), body);
	return s;
}

function deleteSection(name) {
	const del = el('button', { type: 'button', class: 'danger', text: 'Delete host' });
	del.addEventListener('click', () => confirmInline(del,
		`Delete ${name}? Its records leave DNS and its tokens stop working.`,
		'Yes, delete host', async () => {
			await api.deleteHost(name);
			navigate('/');
		}));
	return section('Delete host', el('div', { class: 'actions' }, del));
}

export function renderHost(ctx, name) {
	const head = el('div', { class: 'crumbs' }, link('/', '← All hosts'));
	// Long names may wrap after a dot, never inside a label.
	const title = el('h1', { class: 'hostname' },
		name.split('.').flatMap((part, i) => (i ? [el('wbr'), '.' + part] : [part])));
	const sum = el('div', { class: 'card', 'aria-live': 'polite' }, el('p', { class: 'muted', text: 'Loading…' }));
	const err = errorLine();
	ctx.main.append(head, title, err, sum);

	let gone = false;
	let timer = null;
	let lastVersion = null;
	onLeave(() => { gone = true; clearTimeout(timer); });

	api.host(name).then((h) => {
		if (gone)
			return;
		const setup = setupSection(name);
		const hist = historySection(name);
		const toks = tokensSection(name, (token) => setup.useToken(token));
		let next = nextSteps(h);
		// What a new state of the host changes on the page.
		const apply = (u) => {
			sum.replaceChildren(summary(u));
			if (next && !nextSteps(u)) {
				next.remove();
				next = null;
			}
		};
		const settings = settingsSection(h, (u) => { apply(u); hist.reload(true); });
		sum.replaceChildren(summary(h));
		if (next)
			sum.before(next);
		ctx.main.append(toks, setup, hist, settings, followersSection(name, h), deleteSection(name));
		// updated_at has one-second steps: compare what is shown instead.
		const signature = (x) => JSON.stringify([x.ipv4, x.ipv6, x.ttl, x.offline, x.dns, x.updated_at, x.follows]);
		lastVersion = signature(h);
		const poll = async () => {
			let wait = POLL_IDLE_MS;
			if (!recentlyActive()) {
				timer = setTimeout(poll, wait);
				return;
			}
			try {
				const u = await api.host(name);
				if (gone)
					return;
				err.clear();
				if (signature(u) !== lastVersion) {
					lastVersion = signature(u);
					apply(u);
					settings.show(u);
					toks.reload(true);
				}
				// Every attempt shows in History, also one that changed
				// nothing (nochg) or was refused (badauth).
				await hist.reload(true);
				if (dnsState(u).word === 'pending')
					wait = POLL_PENDING_MS;
			} catch (e) {
				if (gone)
					return;
				err.show(e);
			}
			if (!gone)
				timer = setTimeout(poll, wait);
		};
		timer = setTimeout(poll, dnsState(h).word === 'pending' ? POLL_PENDING_MS : POLL_IDLE_MS);
	}, (e) => {
		if (e.status === 404) {
			title.textContent = 'No such host';
			sum.replaceChildren(el('p', { text: `There is no host ${name} in your account.` }),
				link('/', 'Back to your hosts'));
		} else {
			err.show(e);
			sum.replaceChildren();
		}
	});
}
