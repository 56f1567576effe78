// OpenVeracruz · sesión del personal, común a toda página de personal: el formulario de acceso, la barra de la cuenta
// en el encabezado (#site-header), la sesión (GET /api/auth/me) y el cierre de sesión. La página pone en su <main> una
// <section id="login-view" hidden> con su propia presentación (un párrafo, o nada) y enlaza /lib/staff.css.
import { fetchJson, request } from '/lib/api.js';
import { elementsById, setMessage } from '/lib/dom.js';

const ROLE_ORDER = ['viewer', 'editor', 'supervisor', 'admin'];
const ROLE_LABELS = { viewer: 'consulta', editor: 'edición', supervisor: 'supervisión', admin: 'administración' };

// Marcado fijo, sin texto de la API: el nombre de la cuenta se escribe después con textContent.
const ACCOUNT_HTML = `
    <div id="account" hidden>
      <span id="account-name"></span> <span id="account-role" class="badge"></span>
      <button id="logout" class="button button-small" type="button">Cerrar sesión</button>
    </div>`;
const LOGIN_TITLE_HTML = '<h2 id="login-title">Acceso del personal</h2>';
const LOGIN_FORM_HTML = `
      <form id="login-form" novalidate>
        <label for="login-email">Correo electrónico</label>
        <input id="login-email" class="field" type="email" autocomplete="username" required>
        <label for="login-password">Contraseña</label>
        <input id="login-password" class="field" type="password" autocomplete="current-password" required>
        <button id="login-submit" class="button" type="submit">Entrar</button>
        <p id="login-message" class="message" role="alert"></p>
      </form>`;

/**
 * Pone en marcha la sesión de una página de personal. Con la sesión abierta (o al entrar con el formulario) muestra la
 * cuenta y `workspace`, y espera a onSignedIn({ me, can }): `me` es la cuenta de /api/auth/me y can('supervisor') dice
 * si alguno de sus roles llega a ése. Sin sesión muestra el formulario y llama a onSignInShown().
 */
export async function startStaffSession({ workspace, onSignedIn, onSignInShown = () => {} }) {
  const view = document.getElementById('login-view');
  view.setAttribute('aria-labelledby', 'login-title');
  view.insertAdjacentHTML('afterbegin', LOGIN_TITLE_HTML);
  view.insertAdjacentHTML('beforeend', LOGIN_FORM_HTML);
  document.getElementById('site-header').insertAdjacentHTML('beforeend', ACCOUNT_HTML);
  const el = elementsById('login-form login-email login-password login-submit login-message account account-name account-role logout');

  function showSignIn() {
    workspace.hidden = true;
    el.account.hidden = true;
    view.hidden = false;
    el.loginEmail.focus();
    onSignInShown();
  }

  async function enter(me) {
    const rank = Math.max(-1, ...(me.roles || []).map((r) => ROLE_ORDER.indexOf(r)));
    const top = ROLE_ORDER[rank] || '';
    el.accountName.textContent = me.displayName || me.email;
    el.accountRole.textContent = ROLE_LABELS[top] || top;
    el.account.hidden = false;
    view.hidden = true;
    workspace.hidden = false;
    await onSignedIn({ me, can: (role) => rank >= ROLE_ORDER.indexOf(role) });
  }

  el.loginForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const email = el.loginEmail.value.trim();
    const password = el.loginPassword.value;
    if (!email || !password) { setMessage(el.loginMessage, 'Escriba su correo y su contraseña.', 'error'); return; }
    el.loginSubmit.disabled = true;
    setMessage(el.loginMessage, 'Entrando…');
    try {
      const { data } = await request('POST', '/api/auth/login', { body: { email, password } });
      el.loginPassword.value = '';
      setMessage(el.loginMessage, '');
      await enter(data);
    } catch (err) {
      setMessage(el.loginMessage, err.status === 401 ? 'Correo o contraseña incorrectos, o la cuenta está bloqueada temporalmente.' : err.message, 'error');
    } finally {
      el.loginSubmit.disabled = false;
    }
  });

  el.logout.addEventListener('click', async () => {
    try { await request('POST', '/api/auth/logout'); } catch { /* la sesión ya no existe */ }
    window.location.reload();
  });

  try {
    await enter(await fetchJson('/api/auth/me'));
  } catch (err) {
    if (err.status !== 401 && err.status !== 403) setMessage(el.loginMessage, err.message, 'error');
    showSignIn();
  }
}
