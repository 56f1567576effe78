// OpenVeracruz · Cero Filas: la consola de ventanilla (/citas/consola/) del personal asignado a una oficina: abrir la
// ventanilla, llamar al siguiente, volver a llamar, apartar, iniciar, transferir, terminar con notas, no se presentó, y la
// fila de hoy, que se actualiza con los mismos eventos (SSE) que la pantalla de la sala de espera.
import { fetchJson, request, withQuery } from '/lib/api.js';
import { elementsById, setMessage } from '/lib/dom.js';
import { integer, timeOfDay } from '/lib/format.js';
import { PRIORITIES, TURN_STATES } from '/lib/citas.js';
import { startStaffSession } from '/lib/staff.js';

window.ovConsoleReady = false;

const el = elementsById(`workspace console-error desk-state desk-form desk-office desk-name desk-services desk-open desk-close desk-problem screen-link
  current-code current-meta call-next recall start park no-show transfer-form transfer-service transfer finish-form finish-notes finish
  current-status survey survey-link queue-count queue-status queue-body`);

let mine = null;
let desk = null; // { office, name, serviceIds }
let current = null; // el turno en mi ventanilla
let events = null;
let refreshTimer = null;

const priorityLabel = (p) => (PRIORITIES.find((x) => x.value === p) || {}).label || '';

function fail(text) {
  el.consoleError.textContent = text;
  el.consoleError.hidden = !text;
}

function selectedOffice() {
  return mine.offices.find((o) => o.code === el.deskOffice.value);
}

// ---------- Ventanilla ----------
function drawDeskServices() {
  const office = selectedOffice();
  const chosen = new Set(desk && desk.office === office.code ? desk.serviceIds : []);
  el.deskServices.querySelectorAll('label').forEach((l) => l.remove());
  for (const s of office.services) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = String(s.id);
    box.checked = chosen.has(s.id);
    label.append(box, document.createTextNode(` ${s.prefix} · ${s.name}`));
    el.deskServices.append(label);
  }
  el.transferService.replaceChildren(...office.services.map((s) => new Option(`${s.prefix} · ${s.name}`, String(s.id))));
  el.screenLink.href = `/turnos/${encodeURIComponent(office.code)}`;
}

function drawDeskState() {
  el.deskClose.hidden = !desk;
  el.deskOpen.textContent = desk ? 'Actualizar ventanilla' : 'Abrir ventanilla';
  setMessage(el.deskState, desk ? `Ventanilla abierta: ${desk.name} (${selectedOffice().name}).` : 'La ventanilla está cerrada.', desk ? 'ok' : undefined);
  el.callNext.disabled = !desk || !!current;
}

el.deskOffice.addEventListener('change', () => { drawDeskServices(); listen(); refreshQueue(); });

el.deskForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  setMessage(el.deskProblem, '');
  const serviceIds = [...el.deskServices.querySelectorAll('input:checked')].map((b) => Number(b.value));
  try {
    const { data } = await request('POST', '/api/turns/desk', { body: { office: el.deskOffice.value, name: el.deskName.value.trim(), serviceIds } });
    desk = data;
    drawDeskState();
    await refreshQueue();
  } catch (err) {
    setMessage(el.deskProblem, err.message, 'error');
  }
});

el.deskClose.addEventListener('click', async () => {
  try {
    await request('DELETE', '/api/turns/desk');
    desk = null;
    setCurrent(null);
    drawDeskState();
  } catch (err) {
    setMessage(el.deskProblem, err.message, 'error');
  }
});

// ---------- Turno en ventanilla ----------
function setCurrent(t) {
  current = t && (t.state === 'called' || t.state === 'serving') ? t : null;
  el.currentCode.textContent = current ? current.code : '—';
  el.currentMeta.textContent = current
    ? [current.service, current.state === 'called' ? `Llamado ${integer(current.callCount)} ${current.callCount === 1 ? 'vez' : 'veces'}` : TURN_STATES[current.state],
      current.kind === 'appointment' ? `cita de las ${timeOfDay(current.dueAt)}` : 'sin cita', priorityLabel(current.priority) || null].filter(Boolean).join(' · ')
    : '';
  const called = current && current.state === 'called';
  el.recall.disabled = el.start.disabled = el.noShow.disabled = !called;
  el.park.disabled = el.transfer.disabled = el.finish.disabled = !current;
  el.callNext.disabled = !desk || !!current;
}

async function act(path, body, done) {
  setMessage(el.currentStatus, '');
  try {
    const { data, status } = await request('POST', path, body === undefined ? {} : { body });
    done(data, status);
  } catch (err) {
    setMessage(el.currentStatus, err.message, 'error');
  }
  refreshQueue();
}

el.callNext.addEventListener('click', () => act('/api/turns/next', {}, (t, status) => {
  el.survey.hidden = true;
  if (status === 204) { setMessage(el.currentStatus, 'Nadie en espera por ahora.'); return; }
  setCurrent(t);
  setMessage(el.currentStatus, `Llamando a ${t.code}.`, 'ok');
}));
el.recall.addEventListener('click', () => act(`/api/turns/${current.id}/recall`, undefined, (t) => {
  if (t.state === 'missed') { setMessage(el.currentStatus, `${t.code} no acudió tras ${integer(t.callCount)} llamados.`); setCurrent(null); } else setCurrent(t);
}));
el.start.addEventListener('click', () => act(`/api/turns/${current.id}/start`, undefined, (t) => setCurrent(t)));
el.park.addEventListener('click', () => act(`/api/turns/${current.id}/park`, undefined, (t) => { setMessage(el.currentStatus, `${t.code} quedó apartado.`); setCurrent(null); }));
el.noShow.addEventListener('click', () => act(`/api/turns/${current.id}/no-show`, undefined, (t) => { setMessage(el.currentStatus, `${t.code}: no se presentó.`); setCurrent(null); }));
el.transferForm.addEventListener('submit', (e) => {
  e.preventDefault();
  act(`/api/turns/${current.id}/transfer`, { serviceId: Number(el.transferService.value) }, (t) => {
    setMessage(el.currentStatus, `${t.code} pasó a ${t.service}.`);
    setCurrent(null);
  });
});
el.finishForm.addEventListener('submit', (e) => {
  e.preventDefault();
  act(`/api/turns/${current.id}/finish`, { notes: el.finishNotes.value.trim() || null }, (t) => {
    setMessage(el.currentStatus, `${t.code} atendido.`, 'ok');
    el.finishNotes.value = '';
    setCurrent(null);
    offerSurvey(t.surveyKey);
  });
});

// La encuesta de satisfacción (una por visita): el enlace se muestra cuando la respuesta de «terminar» trae su clave.
function offerSurvey(key) {
  el.survey.hidden = !key;
  if (!key) return;
  const url = new URL(`/citas/encuesta/#${encodeURIComponent(key)}`, window.location.href).href;
  el.surveyLink.href = url;
  el.surveyLink.textContent = url;
}

// ---------- Fila de hoy ----------
async function refreshQueue() {
  const office = el.deskOffice.value;
  let turns;
  try {
    turns = await fetchJson(withQuery('/api/turns/queue', { office }));
  } catch (err) {
    setMessage(el.queueStatus, err.message, 'error');
    return;
  }
  setMessage(el.queueStatus, turns.length ? '' : 'Nadie en la fila.');
  el.queueCount.textContent = integer(turns.filter((t) => t.state === 'waiting').length);
  el.queueBody.replaceChildren(...turns.map((t) => {
    const tr = document.createElement('tr');
    tr.dataset.code = t.code;
    if (t.priority) tr.classList.add('priority');
    const cells = [t.code, t.service, TURN_STATES[t.state] + (t.desk ? ` · ${t.desk}` : '') + (t.state === 'called' ? ` (${integer(t.callCount)})` : ''),
      t.state === 'waiting' ? `${integer(t.ahead ?? 0)} antes · ~${integer(t.estimatedWaitMinutes ?? 0)} min` : ''];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 0) { td.className = 'code'; td.title = [priorityLabel(t.priority), t.kind === 'appointment' ? 'con cita' : 'sin cita'].filter(Boolean).join(', '); }
      tr.append(td);
    });
    const actions = document.createElement('td');
    if (t.state === 'parked' || t.state === 'missed') {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'button button-small secondary';
      b.textContent = 'Regresar a la fila';
      b.addEventListener('click', () => act(`/api/turns/${t.id}/resume`, undefined, () => {}));
      actions.append(b);
    }
    tr.append(actions);
    return tr;
  }));
  // tras recargar la página: el turno que ya estaba en esta ventanilla
  if (!current && desk && desk.office === office) {
    const mineNow = turns.find((t) => (t.state === 'called' || t.state === 'serving') && t.desk === desk.name);
    if (mineNow) setCurrent(mineNow);
  }
}

// la fila cambia con los mismos avisos que la pantalla (SSE): sin consultar cada tanto
function listen() {
  events?.close();
  events = new EventSource(`/api/screens/${encodeURIComponent(el.deskOffice.value)}/events`);
  events.addEventListener('turns', () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshQueue, 200);
  });
}

startStaffSession({
  workspace: el.workspace,
  onSignedIn: async () => {
    window.ovConsoleReady = false;
    try {
      mine = await fetchJson('/api/turns/mine');
      if (!mine.offices.length) {
        fail('Su cuenta no está asignada a ninguna oficina; pida a un administrador que la asigne.');
        el.deskForm.hidden = true;
        return;
      }
      desk = mine.desk && mine.desk.office ? mine.desk : null;
      el.deskOffice.replaceChildren(...mine.offices.map((o) => new Option(o.name, o.code)));
      if (desk) { el.deskOffice.value = desk.office; el.deskName.value = desk.name; }
      drawDeskServices();
      setCurrent(null);
      drawDeskState();
      listen();
      await refreshQueue();
    } catch (err) {
      fail(err.message);
    } finally {
      window.ovConsoleReady = true;
    }
  },
  // the sign-in form is up: not ready for desk work (a test or a script waits for true, set once signed in and loaded)
  onSignInShown: () => { window.ovConsoleReady = 'sign-in'; },
});
