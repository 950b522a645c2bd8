// SPDX-License-Identifier: MIT
// DOM helpers shared by the views. Everything is built with
// createElement and textContent: text from the API can never become HTML.

let navigator_ = null;
let lastActive = Date.now();
for (const ev of ['pointerdown', 'keydown', 'focusin', 'visibilitychange'])
	document.addEventListener(ev, () => { if (!document.hidden) lastActive = Date.now(); }, true);

// Has the person done anything here lately? Polling stops after
// ACTIVE_MS without a key or click, so an open but forgotten tab lets the
// session's idle lifetime run out (DDNS_SESSION_IDLE_S).
const ACTIVE_MS = 10 * 60 * 1000;
export function recentlyActive() {
	return !document.hidden && Date.now() - lastActive < ACTIVE_MS;
}
let leaveHooks = [];
let nextId = 0;

// el('p', {class: 'x', for: 'id', on: {click: fn}}, 'text', child, ...)
export function el(tag, props = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(props)) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k === 'on') {
			for (const [ev, fn] of Object.entries(v))
				e.addEventListener(ev, fn);
		} else if (k === 'class') {
			e.className = v;
		} else if (k === 'text') {
			e.textContent = v;
		} else if (k === 'value') {
			e.value = v;
		} else {
			e.setAttribute(k, v === true ? '' : String(v));
		}
	}
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		e.append(typeof c === 'string' ? document.createTextNode(c) : c);
	}
	return e;
}

export function uid(prefix) {
	nextId += 1;
	return `${prefix}-${nextId}`;
}

// A labelled control: <div class=field><label for>text</label>input hint</div>
export function field(label, input, hint) {
	if (!input.id)
		input.id = uid('f');
	const parts = [el('label', { for: input.id, text: label }), input];
	if (hint) {
		const hid = uid('hint');
		input.setAttribute('aria-describedby', hid);
		parts.push(el('p', { class: 'hint', id: hid, text: hint }));
	}
	return el('div', { class: 'field' }, parts);
}

// A place for an error next to what caused it (role=alert: read out).
export function errorLine() {
	const p = el('p', { class: 'error', role: 'alert' });
	p.hidden = true;
	let home = null;
	let marked = null;
	// A detail that names a field ("ttl: ...") goes under that field of
	// form, which is marked invalid and focused.
	p.show = (err, form) => {
		const text = err && err.detail ? err.detail : String(err && err.message || err);
		p.textContent = text;
		p.hidden = false;
		const m = /^([a-z_0-9]+):/.exec(text);
		const name = (err && err.field) || (m && m[1]);
		const input = name && form ? form.querySelector(`[name="${name}"]`) : null;
		if (input) {
			if (!home) {
				home = document.createComment('error');
				p.before(home);
			}
			input.setAttribute('aria-invalid', 'true');
			input.setAttribute('aria-errormessage', p.id || (p.id = uid('err')));
			marked = input;
			(input.closest('.field') || input).after(p);
			input.focus();
		}
	};
	p.clear = () => {
		p.textContent = '';
		p.hidden = true;
		if (marked) {
			marked.removeAttribute('aria-invalid');
			marked.removeAttribute('aria-errormessage');
			marked = null;
		}
		if (home) {
			home.after(p);
			home.remove();
			home = null;
		}
	};
	return p;
}

// An error found before asking the server, about the control named field.
export function fieldError(field, text) {
	const e = new Error(text);
	e.field = field;
	return e;
}

// A short-lived success note.
export function noteLine() {
	const p = el('p', { class: 'note', role: 'status' });
	p.hidden = true;
	p.say = (text) => {
		p.textContent = text;
		p.hidden = false;
	};
	return p;
}

// Runs fn while button shows progress; errors go to errLine (then kept
// where they were: nothing typed is lost).
export async function busy(button, errLine, fn) {
	if (button.disabled)
		return;
	const text = button.textContent;
	button.disabled = true;
	button.setAttribute('aria-busy', 'true');
	button.classList.add('busy');
	if (errLine)
		errLine.clear();
	try {
		await fn();
	} catch (e) {
		if (errLine)
			errLine.show(e, button.form);
		else
			throw e;
	} finally {
		button.disabled = false;
		button.removeAttribute('aria-busy');
		button.classList.remove('busy');
		button.textContent = text;
	}
}

export function setNavigator(fn) {
	navigator_ = fn;
}

export function navigate(path) {
	navigator_(path);
}

// A link inside the console: no page load.
export function link(href, text, props = {}) {
	return el('a', {
		href, text, ...props,
		on: {
			click: (ev) => {
				if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0)
					return;
				ev.preventDefault();
				navigate(href);
			},
		},
	});
}

// fn runs when the view is left (timers, polling).
export function onLeave(fn) {
	leaveHooks.push(fn);
}

export function leave() {
	const hooks = leaveHooks;
	leaveHooks = [];
	for (const fn of hooks)
		fn();
}

export function time(iso) {
	if (!iso)
		return 'never';
	const d = new Date(iso);
	if (Number.isNaN(d.getTime()))
		return iso;
	return d.toLocaleString(undefined, {
		year: 'numeric', month: 'short', day: 'numeric',
		hour: '2-digit', minute: '2-digit', second: '2-digit',
	});
}

// The DNS state of a host in the words people see.
export function dnsState(host) {
	const dns = host.dns || {};
	const s = dns.state || (dns.pushed ? 'pushed' : 'pending');
	if (s === 'pushed')
		return { word: 'in DNS', cls: 'ok' };
	if (s === 'refused')
		return { word: 'refused', cls: 'bad' };
	return { word: 'pending', cls: 'wait' };
}

export function stateBadge(host) {
	const s = dnsState(host);
	const title = host.dns && host.dns.rcode ? `the nameserver answered ${host.dns.rcode}` : undefined;
	return el('span', { class: 'state ' + s.cls, title, text: s.word });
}

// A table that turns into stacked rows on a phone (cells carry their
// column name for the CSS).
export function table(caption, columns, rows) {
	const head = el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })));
	const body = rows.map((cells) => el('tr', {}, cells.map((c, i) =>
		el('td', { 'data-label': columns[i] }, c === null || c === undefined ? '—' : c))));
	return el('table', { class: 'list' },
		el('caption', { class: 'sr-only', text: caption }),
		el('thead', {}, head), el('tbody', {}, body));
}

// Copies text to the clipboard; says so on the button.
export async function copyText(button, text) {
	const label = button.textContent;
	try {
		await navigator.clipboard.writeText(text);
		button.textContent = 'Copied';
	} catch (e) {
		button.textContent = 'Select and copy by hand';
	}
	setTimeout(() => { button.textContent = label; }, 2000);
}

// An inline "are you sure" under a button: yes runs fn.
export function confirmInline(anchor, question, yesText, fn) {
	const err = errorLine();
	const yes = el('button', { type: 'button', class: 'danger', text: yesText });
	const no = el('button', { type: 'button', class: 'secondary', text: 'Cancel' });
	const box = el('div', { class: 'confirm', role: 'group', 'aria-label': question },
		el('p', { text: question }), yes, ' ', no, err);
	yes.addEventListener('click', () => busy(yes, err, fn));
	no.addEventListener('click', () => { box.remove(); anchor.hidden = false; anchor.focus(); });
	anchor.hidden = true;
	anchor.after(box);
	no.focus();
	return box;
}
