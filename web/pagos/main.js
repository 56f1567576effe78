// OpenVeracruz · pago del predial: adeudo por ejercicio, orden de pago con línea de captura, pago en línea (pasarela
// simulada) y recibo oficial. Nunca se pide ni se muestra un dato del propietario.
import { request, fetchJson } from '/lib/api.js';
import { elementsById, setMessage, safeUrl } from '/lib/dom.js';
import { money, fixed, longDate } from '/lib/format.js';

const el = elementsById('pagos-form pagos-clave pagos-message pagos-debt pagos-debt-clave pagos-lines pagos-total pagos-rounding pagos-order '
  + 'pagos-order-view pagos-reference pagos-amount pagos-expires pagos-online pagos-card pagos-receipt pagos-receipt-links pagos-print pagos-pdf');
const state = (s) => { document.documentElement.dataset.ovState = s; };
let current = null; // { clave, order }

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
}

function showDebt(debt) {
  el.pagosDebtClave.textContent = debt.clave;
  const body = el.pagosLines.tBodies[0];
  body.replaceChildren();
  for (const y of debt.years) {
    const tr = document.createElement('tr');
    cell(tr, String(y.year));
    cell(tr, money(y.base));
    cell(tr, fixed(y.ratePerThousand));
    cell(tr, money(y.tax) + (y.minimumApplied ? ' (mínimo)' : ''));
    cell(tr, y.discount > 0 ? `−${money(y.discount)} (${y.discountKind === 'vulnerable' ? 'adulto mayor, jubilado o discapacidad' : 'pronto pago'})` : money(0));
    cell(tr, y.surcharge > 0 ? `${money(y.surcharge)} (${y.monthsLate} meses)` : money(0));
    cell(tr, money(y.total));
    body.append(tr);
  }
  el.pagosTotal.textContent = money(debt.total);
  el.pagosRounding.textContent = debt.roundingRule.split(' / ')[0];
  el.pagosOrder.hidden = debt.years.length === 0;
  el.pagosDebt.hidden = false;
}

el.pagosForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const clave = el.pagosClave.value.trim();
  state('loading');
  el.pagosOrderView.hidden = true;
  try {
    const debt = await fetchJson(`/api/payments/predial/${encodeURIComponent(clave)}`);
    current = { clave: debt.clave, order: null };
    showDebt(debt);
    setMessage(el.pagosMessage, debt.years.length === 0 ? 'Este predio no tiene adeudo de predial.' : '', 'ok');
    state('ready');
  } catch (err) {
    el.pagosDebt.hidden = true;
    setMessage(el.pagosMessage, err.message, 'error');
    state('error');
  }
});

el.pagosOrder.addEventListener('click', async () => {
  state('loading');
  try {
    const { data: order } = await request('POST', '/api/payments/orders', { body: { clave: current.clave } });
    current.order = order;
    el.pagosReference.textContent = order.referenceDisplay;
    el.pagosAmount.textContent = money(order.amount);
    el.pagosExpires.textContent = longDate(new Date(`${order.expires}T12:00:00-06:00`));
    el.pagosReceiptLinks.hidden = true;
    el.pagosOrderView.hidden = false;
    setMessage(el.pagosMessage, '', 'ok');
    state('ready');
  } catch (err) {
    setMessage(el.pagosMessage, err.message, 'error');
    state('error');
  }
});

el.pagosOnline.addEventListener('submit', async (e) => {
  e.preventDefault();
  state('loading');
  try {
    const { data: intent } = await request('POST', '/api/payments/online/intents', {
      body: { reference: current.order.reference }, headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    const { data: confirmed } = await request('POST', intent.confirmUrl, { body: { card: el.pagosCard.value } });
    setMessage(el.pagosMessage, confirmed.status === 'succeeded'
      ? 'La pasarela aceptó el pago. En cuanto confirme el cargo, obtenga su recibo.'
      : 'La pasarela rechazó la tarjeta: no se hizo ningún cargo.', confirmed.status === 'succeeded' ? 'ok' : 'error');
    state('paid');
  } catch (err) {
    setMessage(el.pagosMessage, err.message, 'error');
    state('error');
  }
});

el.pagosReceipt.addEventListener('click', async () => {
  state('loading');
  try {
    const { data: receipt } = await request('POST', '/api/payments/receipts', { body: { reference: current.order.reference } });
    el.pagosPrint.href = safeUrl(receipt.printUrl) ?? '#';
    el.pagosPdf.href = safeUrl(receipt.pdfUrl) ?? '#';
    el.pagosPrint.textContent = `Recibo oficial ${receipt.folio} (imprimible)`;
    el.pagosReceiptLinks.hidden = false;
    setMessage(el.pagosMessage, `Recibo oficial ${receipt.folio} por ${money(receipt.amount)}.`, 'ok');
    state('receipt');
  } catch (err) {
    setMessage(el.pagosMessage, err.message, 'error');
    state('error');
  }
});

state('ready');
