// OpenVeracruz · Multipagos: el módulo de pago (/kiosko/pagos/{módulo}), pantalla táctil. El personal escribe una vez la
// clave del módulo (ovk_…), que se guarda en este equipo (localStorage), nunca en la dirección. El ciudadano escribe su
// clave catastral o la línea de captura, o acerca el QR de su orden (BarcodeDetector donde exista); ve el importe de la
// orden (la abierta del predio se reutiliza), paga con el aceptador SIMULADO y recibe el recibo oficial imprimible.
// Sin conexión no se recibe dinero: los botones de cobro se desactivan. Cada intento de cobro lleva una Idempotency-Key
// propia que se conserva y se reenvía, la misma, si la petición falló a medio camino: nunca se cobra dos veces.
import { request } from '/lib/api.js';
import { elementsById, safeUrl } from '/lib/dom.js';
import { money } from '/lib/format.js';
import { canScanQr, qrScanner } from '/lib/scan.js';

const el = elementsById(`kiosk-name kiosk-offline kiosk-error setup setup-form setup-key setup-problem setup-save home lookup-form lookup
  lookup-problem lookup-submit scan scanner video scan-stop order order-title order-amount order-clave order-years order-reference pay-status
  acceptor pay-cash pay-card pay-retry order-cancel receipt receipt-title receipt-folio receipt-amount receipt-frame receipt-print receipt-done forget-key`);
const kiosk = decodeURIComponent(window.location.pathname.replace(/^\/kiosko\/pagos\/?/, '').replace(/\/$/, ''));
const KEY_STORE = `ov-paykiosk-key:${kiosk}`;
const PENDING_STORE = `ov-paykiosk-pending:${kiosk}`;
const RETURN_AFTER_MS = 120_000;
const PROBE_MS = 5_000;

let kioskKey = localStorage.getItem(KEY_STORE);
let networkFailed = false; // la última petición no llegó al servidor
let busy = false;
let order = null;
let pending = readPending(); // { reference, amount, method, key }: un cobro enviado cuya respuesta no llegó
let receiptOwed = null;      // línea de captura pagada cuyo recibo falta por la conexión
let probeTimer = null;
let returnTimer = null;

const state = (s) => { document.documentElement.dataset.ovState = s; };
const online = () => navigator.onLine && !networkFailed;
const auth = () => ({ Authorization: `Bearer ${kioskKey}` });

function readPending() {
  try { return JSON.parse(localStorage.getItem(PENDING_STORE) || 'null'); } catch { return null; }
}

function savePending(p) {
  pending = p;
  if (p) localStorage.setItem(PENDING_STORE, JSON.stringify(p)); else localStorage.removeItem(PENDING_STORE);
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function show(section) {
  for (const s of [el.setup, el.home, el.order, el.receipt]) s.hidden = s !== section;
  el.forgetKey.hidden = section === el.setup;
}

function fail(text) {
  el.kioskError.textContent = text || '';
  el.kioskError.hidden = !text;
}

function problem(node, text) {
  node.textContent = text || '';
  node.hidden = !text;
}

// ---------- Conexión: sin ella no se recibe dinero ----------
function refreshAcceptor() {
  const up = online();
  el.kioskOffline.hidden = up;
  const blocked = !up || busy || !order || pending !== null;
  el.payCash.disabled = blocked;
  el.payCard.disabled = blocked;
  el.acceptor.hidden = pending !== null;
  el.payRetry.hidden = pending === null;
  el.payRetry.disabled = !up || busy;
  el.orderCancel.disabled = busy || pending !== null;
  el.lookupSubmit.disabled = !up || busy;
  if (!up && !el.order.hidden) {
    el.payStatus.textContent = pending
      ? 'Sin conexión: el cobro enviado se confirmará, con la misma operación, al volver la conexión.'
      : 'Sin conexión: no se puede recibir pago.';
  }
}

function lostConnection() {
  networkFailed = true;
  refreshAcceptor();
  clearTimeout(probeTimer);
  probeTimer = setTimeout(probe, PROBE_MS);
}

// Un latido del módulo dice si el servidor responde (y si la clave sigue vigente).
async function probe() {
  clearTimeout(probeTimer);
  if (!kioskKey) return;
  try {
    await request('POST', '/api/payments/kiosk/heartbeat', { body: {}, headers: auth() });
    networkFailed = false;
  } catch (err) {
    if (err.status === 0) { lostConnection(); return; }
    if (err.status === 401) { forgetKey('La clave del módulo ya no es válida: el personal debe escribir una nueva.'); return; }
    networkFailed = false;
  }
  refreshAcceptor();
  if (online()) {
    if (!el.order.hidden && !pending && order) el.payStatus.textContent = '';
    if (pending) await sendPayment();
    else if (receiptOwed) await showReceipt(receiptOwed);
  }
}

window.addEventListener('offline', refreshAcceptor);
window.addEventListener('online', probe);

// ---------- Clave del módulo (personal) ----------
function forgetKey(reason) {
  kioskKey = null;
  localStorage.removeItem(KEY_STORE);
  el.setupKey.value = '';
  problem(el.setupProblem, reason || '');
  show(el.setup);
  state('setup');
  el.setupKey.focus();
}

el.setupForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const key = el.setupKey.value.trim();
  if (!key) { problem(el.setupProblem, 'Escriba la clave del módulo (ovk_…).'); return; }
  el.setupSave.disabled = true;
  try {
    await request('POST', '/api/payments/kiosk/heartbeat', { body: {}, headers: { Authorization: `Bearer ${key}` } });
    kioskKey = key;
    localStorage.setItem(KEY_STORE, key);
    el.setupKey.value = '';
    problem(el.setupProblem, '');
    home();
  } catch (err) {
    problem(el.setupProblem, err.status === 401 ? 'La clave no es válida para un módulo de pago, o fue revocada.' : err.message);
  } finally {
    el.setupSave.disabled = false;
  }
});

el.forgetKey.addEventListener('click', () => {
  if (window.confirm('¿Borrar la clave del módulo de este equipo? Solo el personal puede escribir una nueva.')) forgetKey('');
});

// ---------- Consulta: clave catastral o línea de captura ----------
function home() {
  clearTimeout(returnTimer);
  scanner.stop();
  order = null;
  receiptOwed = null;
  fail('');
  el.lookup.value = '';
  problem(el.lookupProblem, '');
  el.receiptFrame.removeAttribute('src');
  show(el.home);
  refreshAcceptor();
  state('ready');
  el.lookup.focus();
}

// Del texto escrito o del QR: una línea de captura (20 dígitos) o una clave catastral.
function parseLookup(text) {
  const value = String(text ?? '').trim();
  const digits = value.replace(/[\s-]/g, '');
  if (/^\d{20}$/.test(digits)) return { reference: digits };
  const inside = value.replace(/\s/g, '').match(/(?:^|\D)(\d{20})(?:\D|$)/);
  if (inside) return { reference: inside[1] };
  const clave = value.match(/\d{3}-\d{4}-\d{3}/);
  if (clave) return { clave: clave[0] };
  return value ? { clave: value } : null;
}

async function lookup(text) {
  const what = parseLookup(text);
  if (!what) { problem(el.lookupProblem, 'Escriba su clave catastral (p. ej. 001-0001-001) o la línea de captura de su orden.'); return; }
  if (!online()) { problem(el.lookupProblem, 'Sin conexión: no se puede consultar ni recibir pago.'); return; }
  problem(el.lookupProblem, '');
  busy = true;
  refreshAcceptor();
  state('loading');
  try {
    let found;
    if (what.reference) {
      ({ data: found } = await request('GET', `/api/payments/orders/${encodeURIComponent(what.reference)}`));
      if (found.state === 'paid') throw new Error('Esta orden ya está pagada. Pida su recibo en la página de pagos o en la Tesorería.');
      if (found.state !== 'open') throw new Error('Esta orden ya no es válida: escriba su clave catastral para obtener la vigente.');
    } else {
      ({ data: found } = await request('POST', '/api/payments/orders', { body: { clave: what.clave } }));
    }
    showOrder(found);
  } catch (err) {
    if (err.status === 0) lostConnection();
    problem(el.lookupProblem, err.message);
    state('error');
  } finally {
    busy = false;
    refreshAcceptor();
  }
}

el.lookupForm.addEventListener('submit', (e) => {
  e.preventDefault();
  lookup(el.lookup.value);
});

function showOrder(o) {
  order = o;
  el.orderAmount.textContent = money(o.amount);
  el.orderClave.textContent = o.clave;
  el.orderYears.textContent = o.years.join(', ');
  el.orderReference.textContent = o.referenceDisplay;
  el.payStatus.textContent = '';
  show(el.order);
  refreshAcceptor();
  state('order');
  el.orderTitle.focus();
  clearTimeout(returnTimer);
  returnTimer = setTimeout(() => { if (!busy && !pending) home(); }, RETURN_AFTER_MS);
}

el.orderCancel.addEventListener('click', home);

// ---------- Cobro (aceptador simulado) ----------
function startPayment(method) {
  if (!online() || busy || pending || !order) { refreshAcceptor(); return; }
  clearTimeout(returnTimer);
  // un intento, una clave: la misma se reenvía si la respuesta no llega
  savePending({ reference: order.reference, amount: order.amount, method, key: newKey() });
  sendPayment();
}

async function sendPayment() {
  if (!pending || busy) return;
  if (!online()) { refreshAcceptor(); return; }
  busy = true;
  refreshAcceptor();
  state('paying');
  el.payStatus.textContent = pending.method === 'cash' ? 'Recibiendo el efectivo…' : 'Procesando la tarjeta…';
  const attempt = pending;
  try {
    const { data } = await request('POST', '/api/payments/kiosk/pay', {
      body: { reference: attempt.reference, amount: attempt.amount, method: attempt.method },
      headers: { ...auth(), 'Idempotency-Key': attempt.key },
    });
    savePending(null);
    busy = false;
    if (data.status === 'applied') {
      await showReceipt(attempt.reference);
    } else {
      el.payStatus.textContent = `El pago no se aplicó a la orden (${data.refundReason === 'reference_already_paid' || data.refundReason === 'debt_already_paid'
        ? 'ya estaba pagada' : data.refundReason}); quedó registrado para devolución. Acuda a la Tesorería.`;
      state('refund');
    }
  } catch (err) {
    busy = false;
    if (err.status === 0) {
      // no se sabe si el servidor lo registró: se conserva el intento y su clave para reenviarlo igual
      lostConnection();
      state('offline');
    } else {
      // el servidor rechazó el cobro y no escribió nada: no se recibe dinero
      savePending(null);
      if (err.status === 401) { forgetKey('La clave del módulo ya no es válida: el personal debe escribir una nueva.'); return; }
      el.payStatus.textContent = `No se recibió el pago: ${err.message}`;
      state('error');
    }
  } finally {
    busy = false;
    refreshAcceptor();
  }
}

el.payCash.addEventListener('click', () => startPayment('cash'));
el.payCard.addEventListener('click', () => startPayment('card'));
el.payRetry.addEventListener('click', () => sendPayment());

// ---------- Recibo oficial ----------
async function showReceipt(reference) {
  receiptOwed = reference;
  try {
    const { data: r } = await request('POST', '/api/payments/receipts', { body: { reference } });
    receiptOwed = null;
    el.receiptFolio.textContent = r.folio;
    el.receiptAmount.textContent = money(r.amount);
    const url = safeUrl(r.printUrl);
    if (url) el.receiptFrame.src = url;
    show(el.receipt);
    state('receipt');
    el.receiptTitle.focus();
    clearTimeout(returnTimer);
    returnTimer = setTimeout(home, RETURN_AFTER_MS);
  } catch (err) {
    if (err.status === 0) lostConnection();
    el.payStatus.textContent = 'Pago aplicado. El recibo se imprimirá en cuanto vuelva la conexión.';
    state('paid');
  }
}

el.receiptPrint.addEventListener('click', () => {
  try { el.receiptFrame.contentWindow.print(); } catch { window.print(); }
});
el.receiptDone.addEventListener('click', home);

// ---------- QR de la orden con la cámara (web/lib/scan.js) ----------
const scanner = qrScanner({
  video: el.video,
  panel: el.scanner,
  pick: (values) => values.find((v) => parseLookup(v)?.reference || /\d{3}-\d{4}-\d{3}/.test(v)),
  onValue: (value) => { el.lookup.value = value; lookup(value); },
  onCameraError: () => problem(el.lookupProblem, 'No se pudo usar la cámara: escriba la clave catastral o la línea de captura.'),
});
el.scan.addEventListener('click', () => scanner.start());
el.scanStop.addEventListener('click', () => scanner.stop());

// ---------- Inicio ----------
async function start() {
  el.kioskName.textContent = `Módulo de pago ${kiosk}`;
  document.title = `Módulo de pago ${kiosk} · Multipagos`;
  if (!kiosk) { fail('Falta el código del módulo en la dirección: /kiosko/pagos/KIO-01'); state('error'); return; }
  el.scan.hidden = !(await canScanQr());
  if (!kioskKey) { forgetKey(''); return; }
  if (pending) {
    // un cobro quedó sin respuesta antes de recargar: se confirma con su misma clave antes de atender a nadie más
    showOrder({ reference: pending.reference, referenceDisplay: pending.reference.replace(/(\d{4})(?=\d)/g, '$1 '), amount: pending.amount, clave: '—', years: [] });
  } else {
    home();
  }
  await probe();
}

start();
