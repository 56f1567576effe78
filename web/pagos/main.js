// OpenVeracruz · pago del predial: adeudo por ejercicio, orden de pago con línea de captura, pago en línea (pasarela
// simulada) y recibo oficial. Nunca se pide ni se muestra un dato del propietario.
// Aplicación móvil (PWA): el service worker /pagos/sw.js guarda el armazón, la última orden y los recibos abiertos;
// este teléfono recuerda la línea de captura de la última orden y el folio y código del último recibo (localStorage)
// para mostrarlos al volver, también sin conexión.
import { request, fetchJson } from '/lib/api.js';
import { elementsById, setMessage, safeUrl } from '/lib/dom.js';
import { money, fixed, longDate } from '/lib/format.js';

const el = elementsById('pagos-form pagos-clave pagos-message pagos-debt pagos-debt-clave pagos-lines pagos-total pagos-rounding pagos-order '
  + 'pagos-order-view pagos-reference pagos-amount pagos-expires pagos-online pagos-card pagos-receipt pagos-receipt-links pagos-print pagos-pdf '
  + 'pagos-offline pagos-order-state pagos-receipt-folio pagos-qr pagos-print-order pagos-order-clave pagos-order-years '
  + 'pagos-near-parcel pagos-near-me pagos-where-message pagos-where-map pagos-where-list');
const state = (s) => { document.documentElement.dataset.ovState = s; };
const LAST = 'ov-pagos-last'; // { reference, receipt: { folio, code } | null }
let current = null; // { clave, order }

function readLast() {
  try { return JSON.parse(localStorage.getItem(LAST) || 'null'); } catch { return null; }
}

function remember(last) {
  try { localStorage.setItem(LAST, JSON.stringify(last)); } catch { /* almacenamiento lleno o bloqueado */ }
}

const ORDER_STATES = { open: 'Vigente: puede pagarse.', paid: 'Pagada.', superseded: 'Reemplazada por una orden más reciente.', expired: 'Vencida.' };

function showOrder(order) {
  current = { clave: order.clave, order };
  el.pagosReference.textContent = order.referenceDisplay;
  el.pagosAmount.textContent = money(order.amount);
  el.pagosExpires.textContent = longDate(new Date(`${order.expires}T12:00:00-06:00`));
  el.pagosOrderState.textContent = ORDER_STATES[order.state] ?? order.state;
  el.pagosOrderClave.textContent = order.clave;
  el.pagosOrderYears.textContent = order.years.join(', ');
  // el QR lleva solo la línea de captura (lo que lee la cámara de un módulo); sin red y sin guardar, la imagen se oculta
  el.pagosQr.onerror = () => { el.pagosQr.hidden = true; };
  el.pagosQr.src = `/api/payments/orders/${encodeURIComponent(order.reference)}/qr.png`;
  el.pagosQr.alt = `Código QR de la línea de captura ${order.referenceDisplay}`;
  el.pagosQr.hidden = false;
  el.pagosNearParcel.disabled = false;
  el.pagosOnline.hidden = order.state !== 'open';
  el.pagosReceiptLinks.hidden = true;
  el.pagosOrderView.hidden = false;
}

function showReceipt(receipt) {
  el.pagosPrint.href = safeUrl(receipt.printUrl) ?? '#';
  el.pagosPdf.href = safeUrl(receipt.pdfUrl) ?? '#';
  el.pagosReceiptFolio.textContent = `Recibo oficial ${receipt.folio} por ${money(receipt.amount)}`;
  el.pagosPrint.textContent = `Recibo oficial ${receipt.folio} (imprimible)`;
  el.pagosReceiptLinks.hidden = false;
}

function receiptUrl({ folio, code }) {
  return `/api/payments/receipts/${encodeURIComponent(folio)}?code=${encodeURIComponent(code)}`;
}

// La orden se lee con GET (el service worker la guarda así para verla sin conexión).
function readOrder(reference) {
  return fetchJson(`/api/payments/orders/${encodeURIComponent(reference)}`);
}

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
  el.pagosNearParcel.disabled = false;
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
    const { data: issued } = await request('POST', '/api/payments/orders', { body: { clave: current.clave } });
    remember({ reference: issued.reference, receipt: null });
    showOrder(await readOrder(issued.reference).catch(() => issued));
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
    const { data: issued } = await request('POST', '/api/payments/receipts', { body: { reference: current.order.reference } });
    const kept = { folio: issued.folio, code: issued.code };
    remember({ reference: current.order.reference, receipt: kept });
    const receipt = await fetchJson(receiptUrl(kept)).catch(() => issued);
    showReceipt(receipt);
    fetch(receipt.printUrl).catch(() => {}); // el service worker guarda también la vista imprimible
    setMessage(el.pagosMessage, `Recibo oficial ${receipt.folio} por ${money(receipt.amount)}.`, 'ok');
    state('receipt');
  } catch (err) {
    setMessage(el.pagosMessage, err.message, 'error');
    state('error');
  }
});

el.pagosPrintOrder.addEventListener('click', () => window.print());

// ¿Dónde pagar?: los módulos que operan (capa payment_kiosks), ordenados por distancia al predio o a mi ubicación.
const KIOSK_LABEL = { operating: 'operando', out_of_service: 'fuera de servicio', no_paper: 'sin papel', no_cash: 'sin efectivo' };
let whereMap = null;
let whereLayer = null;

function distanceKm([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 12_742 * Math.asin(Math.sqrt(a));
}

// El centro aproximado de un predio: el promedio de los vértices de su contorno.
function centreOf(geometry) {
  const rings = geometry.type === 'MultiPolygon' ? geometry.coordinates.map((p) => p[0]) : geometry.type === 'Polygon' ? [geometry.coordinates[0]] : [[geometry.coordinates]];
  const points = rings.flat();
  return [points.reduce((t, p) => t + p[0], 0) / points.length, points.reduce((t, p) => t + p[1], 0) / points.length];
}

async function showNearest(from, label) {
  setMessage(el.pagosWhereMessage, 'Buscando módulos…');
  let kiosks;
  try {
    const layer = await fetchJson('/ogc/collections/payment_kiosks/items?limit=1000');
    kiosks = (layer.features || []).filter((k) => k.properties.status === 'operating')
      .map((k) => ({ ...k.properties, at: k.geometry.coordinates, km: distanceKm(from, k.geometry.coordinates) }))
      .sort((a, b) => a.km - b.km);
  } catch (err) {
    setMessage(el.pagosWhereMessage, err.message, 'error');
    return;
  }
  el.pagosWhereList.replaceChildren(...kiosks.map((k) => {
    const li = document.createElement('li');
    li.dataset.code = k.code;
    const name = document.createElement('strong');
    name.textContent = `${k.name} (${k.code}) · a ${fixed(k.km)} km`;
    const note = document.createElement('span');
    note.className = 'note';
    note.textContent = `${k.address} · ${k.hours} · acepta ${k.methods}`;
    li.append(name, note);
    return li;
  }));
  setMessage(el.pagosWhereMessage, kiosks.length ? `Módulos operando, desde ${label}.` : 'Ahora no hay módulos operando; pague en línea o en el banco.', kiosks.length ? 'ok' : 'error');
  try {
    const m = await import('/lib/map.js');
    el.pagosWhereMap.hidden = false;
    if (!whereMap) {
      whereMap = m.L.map(el.pagosWhereMap);
      m.setLeafletPrefix(whereMap);
      m.addBaseTiles(whereMap, await m.mapConfig(), () => el.pagosWhereMap.classList.add('no-tiles'));
      whereLayer = m.L.layerGroup().addTo(whereMap);
    }
    whereLayer.clearLayers();
    const here = m.L.circleMarker([from[1], from[0]], { radius: 7, color: '#1d3557', fillColor: '#1d3557', fillOpacity: 1, className: 'where-origin' })
      .bindTooltip(label);
    whereLayer.addLayer(here);
    for (const k of kiosks) {
      whereLayer.addLayer(m.L.circleMarker([k.at[1], k.at[0]], { radius: 9, color: '#fff', weight: 2, fillColor: '#2e7d32', fillOpacity: 0.95, className: 'where-kiosk' })
        .bindTooltip(`${k.name}: ${KIOSK_LABEL[k.status] || k.status}, a ${fixed(k.km)} km`));
    }
    const bounds = m.L.latLngBounds([[from[1], from[0]], ...kiosks.slice(0, 3).map((k) => [k.at[1], k.at[0]])]);
    whereMap.invalidateSize();
    whereMap.fitBounds(bounds.pad(0.2), { maxZoom: 16 });
  } catch {
    el.pagosWhereMap.hidden = true; // sin mapa, la lista basta
  }
}

el.pagosNearParcel.addEventListener('click', async () => {
  if (!current?.clave) return;
  try {
    const parcel = await fetchJson(`/ogc/collections/parcels/items/${encodeURIComponent(current.clave)}`);
    await showNearest(centreOf(parcel.geometry), `el predio ${current.clave}`);
  } catch (err) {
    setMessage(el.pagosWhereMessage, err.message, 'error');
  }
});

el.pagosNearMe.addEventListener('click', () => {
  if (!navigator.geolocation) { setMessage(el.pagosWhereMessage, 'Su navegador no comparte la ubicación; consulte un predio y use «Cerca del predio».', 'error'); return; }
  setMessage(el.pagosWhereMessage, 'Obteniendo su ubicación…');
  navigator.geolocation.getCurrentPosition(
    (pos) => showNearest([pos.coords.longitude, pos.coords.latitude], 'su ubicación'),
    () => setMessage(el.pagosWhereMessage, 'No se pudo obtener su ubicación; consulte un predio y use «Cerca del predio».', 'error'),
    { timeout: 10_000, maximumAge: 60_000 },
  );
});

function showConnection() {
  el.pagosOffline.hidden = navigator.onLine;
}
window.addEventListener('online', showConnection);
window.addEventListener('offline', showConnection);

// Al volver: la última orden y el último recibo de este teléfono (de la red, o sin conexión de lo guardado).
async function restore() {
  const last = readLast();
  if (!last?.reference) return;
  try {
    showOrder(await readOrder(last.reference));
    if (last.receipt) showReceipt(await fetchJson(receiptUrl(last.receipt)));
  } catch {
    /* la última orden no está guardada ni hay red: la página empieza vacía */
  }
}

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('/pagos/sw.js', { scope: '/pagos/' });
  } catch {
    /* sin service worker la página funciona igual, solo que no sin conexión */
  }
}

showConnection();
registerWorker();
// Desde el mapa ciudadano («Consultar y pagar el predial»): /pagos/?clave=… consulta ese predio de inmediato.
const asked = new URLSearchParams(window.location.search).get('clave');
if (asked) {
  el.pagosClave.value = asked;
  el.pagosForm.requestSubmit();
} else {
  await restore();
  state('ready');
}
