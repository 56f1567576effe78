// OpenVeracruz · Cero Filas: agendar una cita. Trámite → oficina (mapa y lista, la más cercana primero) → día → hora →
// apartado de 5 minutos → datos de la persona (con la prueba de trabajo resuelta en un Worker mientras escribe) →
// confirmación con folio, QR, .ics, impresión y el enlace para gestionar la cita.
import { fetchJson, request, withQuery } from '/lib/api.js';
import { elementsById, safeUrl, setMessage } from '/lib/dom.js';
import { integer, money, number, shortDay, timeOfDay } from '/lib/format.js';
import { availabilityCalendar, clearProblems, showAppointmentFiles, showProblem, showSlots, solveChallenge, whenText } from '/lib/citas.js';

window.ovCitasReady = false;

const el = elementsById(`page-error steps procedure-status procedure-list office-procedure near-me near-clave clave office-status office-map
  map-notice office-list calendar time-status slot-list person-when hold-left hold-expired person-form person-problem confirm person-status
  done-folio done-qr done-when done-office done-address done-service done-ics done-print done-manage done-copy done-status`);

const STEPS = ['procedure', 'office', 'day', 'time', 'person', 'done'];
const state = { procedure: null, office: null, day: null, hold: null, nonce: null, from: null };
const params = new URLSearchParams(window.location.search);
let holdTimer = null;
let map = null;
let markers = null;

function show(step, focus = true) {
  for (const s of STEPS) document.getElementById(`step-${s}`).hidden = s !== step;
  const current = STEPS.indexOf(step);
  for (const li of el.steps.children) {
    const i = STEPS.indexOf(li.dataset.step);
    li.classList.toggle('done', i < current);
    if (i === current) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  }
  for (const n of document.querySelectorAll('.chosen-service')) n.textContent = state.office ? state.office.service : '';
  for (const n of document.querySelectorAll('.chosen-office')) n.textContent = state.office ? state.office.name : '';
  if (focus) document.getElementById(`${step}-title`).focus();
  if (step === 'office' && map) setTimeout(() => map.invalidateSize(), 0);
}

function pageError(err) {
  el.pageError.textContent = err ? err.message : '';
  el.pageError.hidden = !err;
}

// ---------- 1. Trámite ----------
async function loadProcedures() {
  let procedures;
  try {
    procedures = await fetchJson('/api/appointments/procedures');
  } catch (err) {
    setMessage(el.procedureStatus, err.message, 'error');
    return;
  }
  setMessage(el.procedureStatus, procedures.length ? '' : 'Por ahora no hay trámites con cita.');
  for (const p of procedures) {
    el.procedureList.append(choice({ procedure: p.code }, [
      ['choice-title', p.name],
      ['choice-meta small', [`${integer(p.durationMinutes)} min`, p.cost > 0 ? money(p.cost) : 'Sin costo',
        p.offices === 1 ? '1 oficina' : `${integer(p.offices)} oficinas`].join(' · ')],
      ['choice-req small', `Requisitos: ${p.requirements}`],
    ], () => chooseProcedure(p)));
  }
}

// Una opción de la lista (trámite u oficina): un botón grande con sus líneas de texto, dentro de su <li>.
function choice(data, lines, onClick) {
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'choice';
  Object.assign(b.dataset, data);
  for (const [className, text] of lines) {
    const span = document.createElement('span');
    span.className = className;
    span.textContent = text;
    b.append(span);
  }
  b.addEventListener('click', onClick);
  li.append(b);
  return li;
}

function chooseProcedure(p) {
  state.procedure = p;
  el.officeProcedure.textContent = p.name;
  show('office');
  loadOffices();
}

// ---------- 2. Oficina ----------
function distanceText(m) {
  return m < 1000 ? `a ${integer(Math.round(m))} m` : `a ${number(Math.round(m / 100) / 10)} km`;
}

async function loadOffices() {
  el.officeList.replaceChildren();
  setMessage(el.officeStatus, 'Buscando oficinas y su próximo horario libre…');
  const q = { procedure: state.procedure.code };
  if (state.from && state.from.clave) q.clave = state.from.clave;
  else if (state.from) { q.lon = state.from.lon.toFixed(6); q.lat = state.from.lat.toFixed(6); }
  let offices;
  try {
    offices = await fetchJson(withQuery('/api/appointments/offices', q));
  } catch (err) {
    setMessage(el.officeStatus, err.message, 'error');
    if (err.body && err.body.parameter === 'clave') el.clave.setAttribute('aria-invalid', 'true');
    return;
  }
  el.clave.removeAttribute('aria-invalid');
  setMessage(el.officeStatus, state.from ? 'La más cercana primero.' : `${integer(offices.length)} oficinas ofrecen este trámite.`);
  for (const o of offices) {
    const li = choice({ office: o.code }, [
      ['choice-title', o.name],
      ['choice-meta small', [o.address, o.distanceM != null ? distanceText(o.distanceM) : null, o.accessibility].filter(Boolean).join(' · ')],
      ['choice-next', o.nextFreeSlot ? `Próximo horario libre: ${shortDay(o.nextFreeSlot)}, ${timeOfDay(o.nextFreeSlot)}` : 'Sin horarios libres en los próximos días'],
    ], () => chooseOffice(o));
    if (!o.nextFreeSlot) li.firstElementChild.classList.add('muted');
    el.officeList.append(li);
  }
  drawOfficeMap(offices);
  const wanted = params.get('oficina');
  if (wanted) {
    params.delete('oficina');
    const o = offices.find((x) => x.code === wanted);
    if (o) chooseOffice(o);
    else setMessage(el.officeStatus, 'La oficina que eligió en el mapa no ofrece este trámite; elija otra.', 'error');
  }
}

async function drawOfficeMap(offices) {
  let lib;
  try {
    lib = await import('/lib/map.js');
  } catch {
    el.mapNotice.textContent = 'El mapa no está disponible; elija la oficina de la lista.';
    el.mapNotice.hidden = false;
    el.officeMap.hidden = true;
    return;
  }
  const { L } = lib;
  if (!map) {
    const config = await lib.mapConfig().catch(() => lib.DEFAULT_MAP_CONFIG);
    map = L.map(el.officeMap, { center: config.center, zoom: 13, scrollWheelZoom: false });
    lib.setLeafletPrefix(map);
    lib.addBaseTiles(map, config, () => {
      el.mapNotice.textContent = 'Mapa base no disponible: se muestran sólo las oficinas.';
      el.mapNotice.hidden = false;
    });
    markers = L.layerGroup().addTo(map);
  }
  markers.clearLayers();
  const points = [];
  for (const o of offices) {
    const content = document.createElement('div');
    const name = document.createElement('strong');
    name.textContent = o.name;
    const pick = document.createElement('button');
    pick.type = 'button';
    pick.className = 'button button-small';
    pick.textContent = 'Elegir esta oficina';
    pick.addEventListener('click', () => chooseOffice(o));
    content.append(name, document.createElement('br'), pick);
    L.marker([o.latitude, o.longitude], { title: o.name, alt: o.name }).bindPopup(content).addTo(markers);
    points.push([o.latitude, o.longitude]);
  }
  if (state.from && !state.from.clave) {
    L.circleMarker([state.from.lat, state.from.lon], { radius: 7, color: '#1d3557', fillColor: '#f4a261', fillOpacity: 1 }).bindTooltip('Usted').addTo(markers);
    points.push([state.from.lat, state.from.lon]);
  }
  if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 16 });
}

el.nearMe.addEventListener('click', () => {
  if (!navigator.geolocation) { setMessage(el.officeStatus, 'Su navegador no puede dar su ubicación; use una clave catastral.', 'error'); return; }
  setMessage(el.officeStatus, 'Obteniendo su ubicación…');
  navigator.geolocation.getCurrentPosition((pos) => {
    state.from = { lon: pos.coords.longitude, lat: pos.coords.latitude };
    loadOffices();
  }, () => setMessage(el.officeStatus, 'No se obtuvo su ubicación (permiso negado o sin señal); use una clave catastral o elija de la lista.', 'error'),
  { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
});

el.nearClave.addEventListener('submit', (e) => {
  e.preventDefault();
  const clave = el.clave.value.trim();
  state.from = clave ? { clave } : null;
  loadOffices();
});

function chooseOffice(o) {
  state.office = { code: o.code, name: o.name, serviceId: o.serviceId, service: o.service };
  state.day = null;
  show('day');
  availabilityCalendar(el.calendar, o.serviceId, chooseDay);
}

// ---------- 3 y 4. Día y hora ----------
function chooseDay(date) {
  state.day = date;
  show('time');
  showSlots(el.slotList, el.timeStatus, state.office.serviceId, date, hold);
}

async function hold(slot, button) {
  button.disabled = true;
  setMessage(el.timeStatus, 'Apartando el horario…');
  let res;
  try {
    res = await request('POST', '/api/appointments/holds', { body: { serviceId: state.office.serviceId, start: slot.start } });
  } catch (err) {
    setMessage(el.timeStatus, err.message, 'error');
    // tomado mientras tanto: la lista se actualiza
    if (err.status === 409) setTimeout(() => showSlots(el.slotList, el.timeStatus, state.office.serviceId, state.day, hold).then(() => setMessage(el.timeStatus, err.message, 'error')), 0);
    else button.disabled = false;
    return;
  }
  const h = res.data;
  // la cuenta regresiva con el reloj del servidor (cabecera Date), no con el del teléfono
  const serverNow = res.date ? Date.parse(res.date) : Date.now();
  state.hold = { ...h, deadline: Date.now() + (Date.parse(h.expiresAt) - serverNow) };
  state.nonce = solveChallenge(h.challenge, h.challengeBits);
  state.nonce.catch(() => {}); // se informa al confirmar
  el.personWhen.textContent = whenText(h.start, h.end);
  el.holdExpired.hidden = true;
  el.confirm.disabled = false;
  clearProblems(el.personForm);
  setMessage(el.personStatus, '');
  show('person');
  tick();
  holdTimer = setInterval(tick, 1000);
}

function tick() {
  const left = Math.max(0, Math.round((state.hold.deadline - Date.now()) / 1000));
  el.holdLeft.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  if (left === 0) {
    stopTimer();
    el.holdExpired.hidden = false;
    el.confirm.disabled = true;
  }
}

function stopTimer() {
  clearInterval(holdTimer);
  holdTimer = null;
}

async function releaseHold() {
  stopTimer();
  const h = state.hold;
  state.hold = null;
  if (h) { try { await request('DELETE', `/api/appointments/holds/${encodeURIComponent(h.holdKey)}`); } catch { /* ya venció */ } }
}

// ---------- 5. Datos y confirmación ----------
el.personForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!state.hold) return;
  clearProblems(el.personForm);
  const form = new FormData(el.personForm);
  const body = {};
  for (const name of ['givenNames', 'surname1', 'surname2', 'curp', 'email', 'phone']) {
    const v = String(form.get(name) || '').trim();
    body[name] = v === '' ? null : name === 'curp' ? v.toUpperCase() : v;
  }
  for (const [name, es, en] of [['givenNames', 'Escriba su nombre o nombres.', 'Enter your given names.'], ['surname1', 'Escriba su primer apellido.', 'Enter your first surname.'],
    ['curp', 'Escriba su CURP (18 caracteres).', 'Enter your CURP (18 characters).']]) {
    if (!body[name]) { showProblem(el.personForm, { message: es, body: { parameter: name, detail: en } }, el.personProblem); return; }
  }
  el.confirm.disabled = true;
  setMessage(el.personStatus, 'Verificando el navegador y confirmando…');
  try {
    body.nonce = await state.nonce;
  } catch (err) {
    setMessage(el.personStatus, `No se pudo completar la verificación del navegador: ${err.message}`, 'error');
    el.confirm.disabled = false;
    return;
  }
  let confirmation;
  try {
    confirmation = (await request('POST', `/api/appointments/holds/${encodeURIComponent(state.hold.holdKey)}/confirm`, { body })).data;
  } catch (err) {
    setMessage(el.personStatus, '');
    showProblem(el.personForm, err, el.personProblem);
    if (err.status === 404 || (err.status === 409 && /apartado/i.test(err.message))) { stopTimer(); el.holdExpired.hidden = false; } else el.confirm.disabled = false;
    return;
  }
  stopTimer();
  state.hold = null;
  el.personForm.reset();
  showConfirmation(confirmation);
});

async function showConfirmation(c) {
  el.doneFolio.textContent = c.folio;
  el.doneWhen.textContent = whenText(c.start, c.end);
  el.doneOffice.textContent = c.office;
  el.doneAddress.textContent = c.officeAddress;
  el.doneService.textContent = [c.service, ...(c.extraServices || [])].join(', ');
  const manage = safeUrl(c.manageUrl) || `/citas/cita/?folio=${encodeURIComponent(c.folio)}#${c.token}`;
  el.doneManage.href = manage;
  el.doneManage.textContent = manage;
  show('done');
  try {
    await showAppointmentFiles(c.folio, c.token, { qrImage: el.doneQr, icsLink: el.doneIcs });
  } catch (err) {
    setMessage(el.doneStatus, err.message, 'error');
  }
}

el.donePrint.addEventListener('click', () => window.print());
el.doneCopy.addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(el.doneManage.href);
    setMessage(el.doneStatus, 'Enlace copiado.', 'ok');
  } catch {
    setMessage(el.doneStatus, 'Copie el enlace a mano (manténgalo presionado).');
  }
});

for (const b of document.querySelectorAll('[data-back]')) {
  b.addEventListener('click', async () => {
    const to = b.dataset.back;
    if (to === 'time') {
      await releaseHold();
      show('time');
      showSlots(el.slotList, el.timeStatus, state.office.serviceId, state.day, hold);
      return;
    }
    show(to);
  });
}
// ---------- Inicio ----------
(async () => {
  show('procedure', false);
  await loadProcedures();
  // desde el mapa (popup de una oficina): /citas/?oficina=catastro elige esa oficina en cuanto se elige el trámite
  if (params.get('oficina')) setMessage(el.procedureStatus, 'Elija el trámite; la oficina que eligió en el mapa se seleccionará si lo ofrece.');
  window.ovCitasReady = true;
})().catch(pageError);
