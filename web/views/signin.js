// SPDX-License-Identifier: MIT
// Signed out: sign in, or (when the server allows it) create an account.
import { api } from '../api.js';
import { el, field, errorLine, busy, navigate, noteLine } from '../ui.js';

function credentials(newPassword) {
	const email = el('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
	const password = el('input', {
		type: 'password', name: 'password', required: true,
		autocomplete: newPassword ? 'new-password' : 'current-password',
		minlength: newPassword ? 10 : undefined,
	});
	return { email, password };
}

export function renderSignIn(ctx) {
	const { email, password } = credentials(false);
	const err = errorLine();
	const submit = el('button', { type: 'submit', text: 'Sign in' });
	const note = noteLine();
	if (ctx.state.message)
		note.say(ctx.state.message);
	const form = el('form', { class: 'card narrow', novalidate: true },
		el('h1', { text: 'Sign in' }), note,
		field('Email', email), field('Password', password),
		el('div', { class: 'actions' }, submit), err);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(submit, err, async () => {
			const r = await api.signIn(email.value.trim(), password.value);
			ctx.state.account = r.account;
			navigate(location.pathname === '/signup' ? '/' : location.pathname);
		});
	});
	ctx.main.append(form);
	if (ctx.state.signup) {
		const create = el('button', { type: 'button', class: 'secondary', text: 'Create account' });
		create.addEventListener('click', () => navigate('/signup'));
		ctx.main.append(el('div', { class: 'card narrow' },
			el('p', { text: 'New here? An account takes an e-mail address and a password.' }),
			create));
	}
	email.focus();
}

export function renderSignUp(ctx) {
	const { email, password } = credentials(true);
	const err = errorLine();
	const submit = el('button', { type: 'submit', text: 'Create account' });
	const back = el('button', { type: 'button', class: 'secondary', text: 'I have an account' });
	back.addEventListener('click', () => navigate('/'));
	const form = el('form', { class: 'card narrow', novalidate: true },
		el('h1', { text: 'Create account' }),
		field('Email', email),
		field('Password', password, 'At least 10 characters.'),
		el('div', { class: 'actions' }, submit, ' ', back), err);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(submit, err, async () => {
			await api.signUp(email.value.trim(), password.value);
			const r = await api.signIn(email.value.trim(), password.value);
			ctx.state.account = r.account;
			navigate('/');
		});
	});
	ctx.main.append(form);
	email.focus();
}
