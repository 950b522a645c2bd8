// SPDX-License-Identifier: MIT
// The console's entry point: who is signed in, the header, and which view
// a URL shows (/, /signup, /account, /hosts/NAME). Views are modules under
// views/; only api.js talks to the server.
import { api, whenSessionEnds } from './api.js';
import { el, leave, link, navigate, setNavigator, errorLine, busy } from './ui.js';
import { renderSignIn, renderSignUp } from './views/signin.js';
import { renderHosts } from './views/hosts.js';
import { renderHost } from './views/host.js';
import { renderAccount } from './views/account.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const state = { account: null, signup: false, message: '' };

function header() {
	nav.replaceChildren();
	if (!state.account)
		return;
	const err = errorLine();
	const out = el('button', { type: 'button', class: 'secondary', text: 'Sign out' });
	out.addEventListener('click', () => busy(out, err, async () => {
		await api.signOut();
		state.account = null;
		state.message = 'You are signed out.';
		navigate('/');
	}));
	nav.append(
		link('/', 'Hosts'),
		link('/account', 'Account', { title: state.account.email }),
		el('span', { class: 'who', text: state.account.email }),
		out, err);
}

async function show() {
	leave();
	const path = location.pathname;
	header();
	main.replaceChildren();
	const ctx = { state, main, refreshSession };
	if (!state.account) {
		if (path === '/signup' && state.signup)
			renderSignUp(ctx);
		else
			renderSignIn(ctx);
	} else if (path.startsWith('/hosts/')) {
		renderHost(ctx, decodeURIComponent(path.slice(7)));
	} else if (path === '/account') {
		renderAccount(ctx);
	} else {
		renderHosts(ctx);
	}
	state.message = '';
	const h1 = main.querySelector('h1');
	document.title = (h1 ? h1.textContent + ' – ' : '') + 'ddnsd console';
}

async function refreshSession() {
	const s = await api.session();
	state.account = s.account;
	state.signup = s.signup;
}

function go(path) {
	if (path !== location.pathname)
		history.pushState(null, '', path);
	show().then(() => main.focus({ preventScroll: true }));
	window.scrollTo(0, 0);
}

setNavigator(go);
window.addEventListener('popstate', () => show());
whenSessionEnds(() => {
	if (!state.account)
		return;
	state.account = null;
	state.message = 'Your session has ended. Sign in again.';
	show();
});

refreshSession().then(show, (e) => {
	main.replaceChildren(el('h1', { text: 'The console cannot start' }),
		el('p', { class: 'error', role: 'alert', text: e.detail || String(e) }));
});
