// OpenVeracruz · Multipagos para el personal: búsqueda de pagos y recibos (cancelación de un recibo con motivo, por un
// supervisor; nunca se borra), bandeja de conciliación, tablero de módulos de pago en el mapa y corte de caja por módulo.
// Lecturas: cualquier cuenta del personal; cancelar, conciliar y resolver: supervisión (el servidor lo comprueba).
import { fetchJson, request, withQuery } from '/lib/api.js';
import { elementsById, setMessage } from '/lib/dom.js';
import { dateTime, integer, isoDay, money } from '/lib/format.js';
import { startStaffSession } from '/lib/staff.js';

const el = elementsById('message search-form search-q search-day search-rows cancel-form cancel-title cancel-reason cancel-close '
  + 'rec-form rec-day rec-run rec-rows rec-items board-map board-rows report-form report-day report-csv report-rows report-total tab-reconciliation');
const state = (s) => { document.documentElement.dataset.ovState = s; };
state('loading');

const CHANNEL = { kiosk: 'módulo', online: 'en línea', bank: 'banco', total: 'Total' };
const METHOD = { cash: 'efectivo', card: 'tarjeta', counter: 'ventanilla' };
const STATUS = { applied: 'aplicado', refund: 'a devolver' };
const REFUND = { reference_already_paid: 'la línea ya estaba pagada', debt_already_paid: 'el adeudo ya estaba pagado', amount_differs: 'otro importe', expired: 'vencida' };
const KIOSK = { operating: 'operando', out_of_service: 'fuera de servicio', no_paper: 'sin papel', no_cash: 'sin efectivo' };
const KIOSK_COLOR = { operating: '#2e7d32', out_of_service: '#b00020', no_paper: '#ef6c00', no_cash: '#6a1b9a' };
const DIFFERENCE = {
  paid_without_receipt: 'Pagado sin recibo', receipt_without_settlement: 'Recibo sin liquidación de la pasarela',
  amount_differs: 'El importe difiere', settled_without_payment: 'Cobrado por la pasarela sin pago registrado',
};
let supervisor = false;
let cancelling = null; // el folio cuyo recibo se cancela
let map = null;
let markers = null;

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

const yesterday = () => isoDay(Date.now() - 86_400_000);

// ---- pestañas -----------------------------------------------------------------------------------------------------
const TABS = ['search', 'reconciliation', 'board', 'report'];
const LOADERS = { search: () => {}, reconciliation: () => loadReconciliation(), board: () => loadBoard(), report: () => loadReport() };
const loaded = new Set();

async function showTab(name) {
  for (const t of TABS) {
    document.getElementById(`tab-${t}`).setAttribute('aria-selected', String(t === name));
    document.getElementById(`panel-${t}`).hidden = t !== name;
  }
  setMessage(el.message, '');
  if (!loaded.has(name)) {
    loaded.add(name);
    await LOADERS[name]();
  } else if (name === 'board' && map) {
    map.invalidateSize();
  }
}
for (const t of TABS) document.getElementById(`tab-${t}`).addEventListener('click', () => showTab(t));

// ---- pagos y recibos ----------------------------------------------------------------------------------------------
function paymentRow(p) {
  const tr = document.createElement('tr');
  tr.dataset.reference = p.reference;
  const channel = `${CHANNEL[p.channel] || p.channel}${p.kiosk ? ` ${p.kiosk}` : ''} · ${METHOD[p.method] || p.method}`;
  const status = p.status === 'refund' ? `a devolver (${REFUND[p.refundReason] || p.refundReason})` : STATUS[p.status] || p.status;
  tr.append(cell(dateTime(p.receivedAt)), cell(p.referenceDisplay, 'reference'), cell(p.clave), cell(channel), cell(money(p.amount), 'num'), cell(status));
  const receipt = cell(p.folio ? p.folio : 'sin recibo');
  receipt.classList.add('receipt');
  if (p.receiptStatus === 'cancelled') {
    const note = document.createElement('span');
    note.className = 'cancelled';
    note.textContent = ` CANCELADO: ${p.cancelReason} (${p.cancelledBy}, ${dateTime(p.cancelledAt)})`;
    receipt.append(note);
  }
  tr.append(receipt);
  const actions = document.createElement('td');
  if (supervisor && p.folio && p.receiptStatus === 'valid') {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button-small cancel-receipt';
    button.textContent = 'Cancelar recibo';
    button.addEventListener('click', () => {
      cancelling = p.folio;
      el.cancelTitle.textContent = `Cancelar el recibo ${p.folio} (${money(p.amount)})`;
      el.cancelReason.value = '';
      el.cancelForm.hidden = false;
      el.cancelReason.focus();
    });
    actions.append(button);
  }
  tr.append(actions);
  return tr;
}

async function search() {
  const params = {};
  if (el.searchQ.value.trim()) params.q = el.searchQ.value.trim();
  if (el.searchDay.value) params.day = el.searchDay.value;
  state('loading');
  setMessage(el.message, 'Buscando…');
  el.cancelForm.hidden = true;
  try {
    const rows = await fetchJson(withQuery('/api/payments/search', params));
    el.searchRows.replaceChildren(...rows.map(paymentRow));
    setMessage(el.message, rows.length ? `${integer(rows.length)} pagos${rows.length === 200 ? ' (los 200 más recientes)' : ''}.` : 'No se encontraron pagos.');
  } catch (err) {
    el.searchRows.replaceChildren();
    setMessage(el.message, err.message, 'error');
  }
  state('ready');
}
el.searchForm.addEventListener('submit', (e) => { e.preventDefault(); search(); });

el.cancelForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const reason = el.cancelReason.value.trim();
  if (!reason) { setMessage(el.message, 'Escriba el motivo de la cancelación.', 'error'); return; }
  state('loading');
  try {
    const { data } = await request('POST', `/api/payments/receipts/${encodeURIComponent(cancelling)}/cancel`, { body: { reason } });
    el.cancelForm.hidden = true;
    setMessage(el.message, `Recibo ${data.folio} cancelado.`, 'ok');
    state('ready');
    await search();
    setMessage(el.message, `Recibo ${data.folio} cancelado.`, 'ok');
  } catch (err) {
    setMessage(el.message, err.message, 'error');
    state('ready');
  }
});
el.cancelClose.addEventListener('click', () => { el.cancelForm.hidden = true; });

// ---- conciliación -------------------------------------------------------------------------------------------------
function differenceItem(d) {
  const li = document.createElement('li');
  li.dataset.id = String(d.id);
  const title = document.createElement('strong');
  title.textContent = `${DIFFERENCE[d.kind] || d.kind} · ${CHANNEL[d.channel] || d.channel} · ${d.subject}`;
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = [d.expected == null ? null : `esperado ${money(d.expected)}`, d.actual == null ? null : `registrado ${money(d.actual)}`,
    `detectada ${dateTime(d.detectedAt)}`,
    d.resolvedAt ? `resuelta ${dateTime(d.resolvedAt)} por ${d.resolvedBy}: ${d.resolution}` : 'pendiente'].filter(Boolean).join(' · ');
  li.append(title, meta);
  if (!d.resolvedAt && supervisor) {
    const form = document.createElement('form');
    const input = document.createElement('input');
    input.className = 'field';
    input.maxLength = 1000;
    input.required = true;
    input.placeholder = 'Motivo de la resolución';
    input.setAttribute('aria-label', 'Motivo de la resolución');
    const button = document.createElement('button');
    button.className = 'button button-small';
    button.textContent = 'Resolver';
    form.append(input, button);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await request('POST', `/api/payments/reconciliation/items/${d.id}/resolve`, { body: { reason: input.value.trim() } });
        await loadReconciliation();
        setMessage(el.message, 'Diferencia resuelta.', 'ok');
      } catch (err) {
        setMessage(el.message, err.message, 'error');
      }
    });
    li.append(form);
  }
  return li;
}

function showReconciliation(r) {
  el.recRows.replaceChildren(...[...r.channels, r.total].map((c) => {
    const tr = document.createElement('tr');
    tr.append(cell(CHANNEL[c.channel] || c.channel), cell(`${integer(c.receivedCount)} · ${money(c.receivedTotal)}`, 'num'),
      cell(`${integer(c.appliedCount)} · ${money(c.appliedTotal)}`, 'num'), cell(`${integer(c.refundCount)} · ${money(c.refundTotal)}`, 'num'),
      cell(`${integer(c.settledCount)} · ${money(c.settledTotal)}`, 'num'), cell(integer(c.openDifferences), 'num'));
    return tr;
  }));
  el.recItems.replaceChildren(...r.items.map(differenceItem));
  if (!r.channels.length) setMessage(el.message, 'Ese día no se ha conciliado todavía.');
  else if (!r.items.length) setMessage(el.message, 'Sin diferencias ese día.');
}

async function loadReconciliation() {
  if (!supervisor) { setMessage(el.message, 'La conciliación es de supervisión.', 'error'); return; }
  if (!el.recDay.value) el.recDay.value = yesterday();
  state('loading');
  try {
    setMessage(el.message, '');
    showReconciliation(await fetchJson(withQuery('/api/payments/reconciliation', { day: el.recDay.value })));
  } catch (err) {
    setMessage(el.message, err.message, 'error');
  }
  state('ready');
}
el.recForm.addEventListener('submit', (e) => { e.preventDefault(); loadReconciliation(); });
el.recRun.addEventListener('click', async () => {
  state('loading');
  try {
    const { data } = await request('POST', '/api/payments/reconciliation/run', { body: { day: el.recDay.value } });
    showReconciliation(data);
    setMessage(el.message, `Conciliación del ${el.recDay.value} hecha.`, 'ok');
  } catch (err) {
    setMessage(el.message, err.message, 'error');
  }
  state('ready');
});

// ---- tablero de módulos -------------------------------------------------------------------------------------------
async function loadBoard() {
  state('loading');
  try {
    const layer = await fetchJson('/ogc/collections/payment_kiosks/items?limit=1000');
    const kiosks = layer.features || [];
    el.boardRows.replaceChildren(...kiosks.map(({ properties: k }) => {
      const tr = document.createElement('tr');
      tr.dataset.status = k.status;
      tr.append(cell(k.code), cell(`${k.name} · ${k.address}`), cell(KIOSK[k.status] || k.status), cell(integer(k.transactions_today), 'num'), cell(k.methods), cell(k.hours));
      return tr;
    }));
    await drawBoard(kiosks);
  } catch (err) {
    setMessage(el.message, err.message, 'error');
  }
  state('ready');
}

async function drawBoard(kiosks) {
  try {
    const m = await import('/lib/map.js');
    if (!map) {
      map = m.L.map(el.boardMap).setView([19.185, -96.138], 13);
      m.setLeafletPrefix(map);
      m.addBaseTiles(map, await m.mapConfig(), () => el.boardMap.classList.add('no-tiles'));
      markers = m.L.layerGroup().addTo(map);
    }
    markers.clearLayers();
    for (const f of kiosks) {
      const [lon, lat] = f.geometry.coordinates;
      const k = f.properties;
      const marker = m.L.circleMarker([lat, lon], {
        radius: 9, color: '#fff', weight: 2, fillColor: KIOSK_COLOR[k.status] || '#555', fillOpacity: 0.95, className: `kiosk-marker kiosk-${k.status}`,
      });
      const popup = document.createElement('div');
      const name = document.createElement('strong');
      name.textContent = `${k.code} · ${k.name}`;
      const text = document.createElement('p');
      text.textContent = `${KIOSK[k.status] || k.status} · ${integer(k.transactions_today)} operaciones hoy · ${k.methods} · ${k.hours}`;
      popup.append(name, text);
      marker.bindPopup(popup).bindTooltip(`${k.code}: ${KIOSK[k.status] || k.status}, ${integer(k.transactions_today)} hoy`);
      markers.addLayer(marker);
    }
    map.invalidateSize();
  } catch {
    el.boardMap.textContent = 'No se pudo cargar el mapa; la tabla de abajo tiene los mismos datos.';
  }
}

// ---- corte de caja ------------------------------------------------------------------------------------------------
function reportCells(r) {
  const pair = (n, t) => `${integer(n)} · ${money(t)}`;
  return [cell(CHANNEL[r.channel] || r.channel), cell(r.kiosk ? `${r.kiosk} · ${r.kioskName}` : ''), cell(integer(r.count), 'num'), cell(money(r.total), 'num'),
    cell(pair(r.cashCount, r.cashTotal), 'num'), cell(pair(r.cardCount, r.cardTotal), 'num'), cell(pair(r.otherCount, r.otherTotal), 'num'),
    cell(pair(r.appliedCount, r.appliedTotal), 'num'), cell(pair(r.refundCount, r.refundTotal), 'num')];
}

async function loadReport() {
  if (!el.reportDay.value) el.reportDay.value = isoDay();
  el.reportCsv.href = withQuery('/api/payments/reports/daily.csv', { day: el.reportDay.value });
  state('loading');
  try {
    const report = await fetchJson(withQuery('/api/payments/reports/daily', { day: el.reportDay.value }));
    el.reportRows.replaceChildren(...report.rows.map((r) => {
      const tr = document.createElement('tr');
      tr.append(...reportCells(r));
      return tr;
    }));
    el.reportTotal.replaceChildren(...reportCells(report.total));
    setMessage(el.message, '');
  } catch (err) {
    setMessage(el.message, err.message, 'error');
  }
  state('ready');
}
el.reportForm.addEventListener('submit', (e) => { e.preventDefault(); loadReport(); });

startStaffSession({
  workspace: document.getElementById('workspace'),
  onSignedIn: async ({ can }) => {
    supervisor = can('supervisor');
    el.tabReconciliation.hidden = !supervisor;
    loaded.add('search');
    await search();
  },
  onSignInShown: () => state('ready'),
});
