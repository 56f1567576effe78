// OpenVeracruz · lo que comparten las páginas de Cero Filas (citas, gestión de la cita, kiosco, consola, pantalla):
// nombres de estados, el calendario de disponibilidad, los horarios de un día, la prueba de trabajo en un Worker, los
// archivos de una cita (QR, .ics) pedidos con su token en una cabecera, y los problemas del servidor junto a cada campo.
import { fetchBlob, fetchJson, withQuery } from '/lib/api.js';
import { dayNameOf, integer, isoDay, monthName, timeOfDay } from '/lib/format.js';

export const BOOKING_STATES = Object.freeze({
  held: 'Apartada', booked: 'Confirmada', checked_in: 'Llegada registrada', attended: 'Atendida',
  cancelled: 'Cancelada', no_show: 'No se presentó',
});

export const TURN_STATES = Object.freeze({
  waiting: 'En espera', called: 'Llamado', serving: 'En atención', parked: 'Apartado',
  missed: 'No acudió al llamado', done: 'Atendido', no_show: 'No se presentó',
});

export const PRIORITIES = Object.freeze([
  { value: '', label: 'Sin preferencia', en: 'No priority' },
  { value: 'senior', label: 'Persona adulta mayor', en: 'Senior citizen' },
  { value: 'disability', label: 'Persona con discapacidad', en: 'Disability' },
  { value: 'pregnancy', label: 'Mujer embarazada', en: 'Pregnancy' },
]);

export const TOKEN_HEADER = 'X-Manage-Token';

/** Un nonce para el reto del apartado, calculado en un Web Worker (o en la página si no se puede crear uno). */
export function solveChallenge(challenge, bits) {
  if (!bits) return Promise.resolve('0');
  let worker;
  try {
    worker = new Worker('/lib/pow-worker.js', { type: 'module' });
  } catch {
    return import('/lib/pow.js').then((m) => m.solve(challenge, bits));
  }
  return new Promise((resolve, reject) => {
    worker.addEventListener('message', (e) => {
      worker.terminate();
      if (e.data.error) reject(new Error(e.data.error)); else resolve(e.data.nonce);
    });
    worker.addEventListener('error', (e) => {
      worker.terminate();
      e.preventDefault();
      import('/lib/pow.js').then((m) => m.solve(challenge, bits)).then(resolve, reject);
    });
    worker.postMessage({ challenge, bits });
  });
}

/** Una dirección local (blob:) del QR o del .ics de una cita: el token viaja en una cabecera, nunca en la URL. */
export async function appointmentFileUrl(folio, token, file) {
  const blob = await fetchBlob(`/api/appointments/${encodeURIComponent(folio)}/${file}`, { headers: { [TOKEN_HEADER]: token } });
  return URL.createObjectURL(blob);
}

/** Pone el QR y el enlace de descarga del .ics de una cita en sus elementos. */
export async function showAppointmentFiles(folio, token, { qrImage, icsLink }) {
  const [qr, ics] = await Promise.all([appointmentFileUrl(folio, token, 'qr.png'), appointmentFileUrl(folio, token, 'calendar.ics')]);
  qrImage.src = qr;
  qrImage.alt = `Código QR del folio ${folio}`;
  icsLink.href = ics;
  icsLink.download = `cita-${folio}.ics`;
  icsLink.hidden = false;
}

/** «lunes, 1 de diciembre · 09:00 a 09:15». */
export function whenText(start, end) {
  return `${dayNameOf(isoDay(start))} · ${timeOfDay(start)} a ${timeOfDay(end)}`;
}

/** Los problemas del servidor (RFC 9457) junto al campo que nombran (`parameter`), en español y en inglés; el resto en `general`. */
export function showProblem(form, err, general) {
  clearProblems(form);
  const parameter = err && err.body && err.body.parameter;
  const box = parameter && form.querySelector(`[data-problem-for="${CSS.escape(parameter)}"]`);
  const target = box || general;
  target.textContent = err.message;
  if (err.body && err.body.detail && err.body.detail !== err.message) {
    const en = document.createElement('span');
    en.lang = 'en';
    en.className = 'problem-en';
    en.textContent = err.body.detail;
    target.append(en);
  }
  target.hidden = false;
  const input = box && form.querySelector(`[name="${CSS.escape(parameter)}"]`);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  } else {
    target.focus?.();
  }
}

export function clearProblems(form) {
  for (const box of form.querySelectorAll('[data-problem-for]')) { box.textContent = ''; box.hidden = true; }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

const WEEKDAYS = ['L', 'M', 'M', 'J', 'V', 'S', 'D'];
const WEEKDAY_NAMES = ['lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado', 'domingo'];
const MONTHS_AHEAD = 2; // la agenda llega a 60 días (Appointments:HorizonDays)

function addMonths(month, n) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function daysInMonth(month) {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * El calendario de un servicio: un mes por vista, cada día un botón con sus horarios libres (GET /services/{id}/days);
 * los días sin lugar, inhábiles o cerrados, deshabilitados con su motivo. onPick(aaaa-mm-dd).
 */
export function availabilityCalendar(container, serviceId, onPick) {
  const today = isoDay();
  const first = today.slice(0, 7);
  let month = first;
  let controller = null;
  let autoAdvanced = false;

  container.classList.add('calendar');
  container.innerHTML = `
    <div class="cal-head">
      <button type="button" class="button cal-prev" aria-label="Mes anterior">‹</button>
      <h3 class="cal-title" aria-live="polite"></h3>
      <button type="button" class="button cal-next" aria-label="Mes siguiente">›</button>
    </div>
    <p class="cal-status message" role="status"></p>
    <div class="cal-grid" role="grid"></div>
    <p class="cal-legend small"><span class="cal-key free"></span> con horarios libres · <span class="cal-key none"></span> sin lugar o inhábil</p>`;
  const prev = container.querySelector('.cal-prev');
  const next = container.querySelector('.cal-next');
  const title = container.querySelector('.cal-title');
  const status = container.querySelector('.cal-status');
  const grid = container.querySelector('.cal-grid');
  prev.addEventListener('click', () => { month = addMonths(month, -1); load(); });
  next.addEventListener('click', () => { month = addMonths(month, 1); load(); });

  async function load() {
    controller?.abort();
    controller = new AbortController();
    prev.disabled = month <= first;
    next.disabled = month >= addMonths(first, MONTHS_AHEAD);
    title.textContent = monthName(`${month}-01`);
    status.textContent = 'Consultando disponibilidad…';
    status.classList.remove('error');
    grid.setAttribute('aria-busy', 'true');
    const from = month === first ? today : `${month}-01`;
    const count = daysInMonth(month) - Number(from.slice(8)) + 1;
    let days;
    try {
      days = await fetchJson(withQuery(`/api/appointments/services/${serviceId}/days`, { from, days: count }), controller.signal);
    } catch (err) {
      if (err.name === 'AbortError') return;
      status.textContent = err.message;
      status.classList.add('error');
      return;
    }
    grid.removeAttribute('aria-busy');
    draw(days);
    const free = days.filter((d) => d.freeSlots > 0).length;
    if (free === 0 && !autoAdvanced && month < addMonths(first, MONTHS_AHEAD)) {
      autoAdvanced = true;
      month = addMonths(month, 1);
      load();
      return;
    }
    status.textContent = free === 0 ? 'No hay horarios libres este mes.' : `${integer(free)} días con horarios libres.`;
  }

  function draw(days) {
    grid.replaceChildren();
    const header = document.createElement('div');
    header.className = 'cal-row';
    header.setAttribute('role', 'row');
    WEEKDAYS.forEach((w, i) => {
      const c = document.createElement('span');
      c.className = 'cal-wd';
      c.setAttribute('role', 'columnheader');
      c.setAttribute('aria-label', WEEKDAY_NAMES[i]);
      c.textContent = w;
      header.append(c);
    });
    grid.append(header);
    const byDate = new Map(days.map((d) => [d.date, d]));
    const firstWeekday = (new Date(`${month}-01T12:00:00Z`).getUTCDay() + 6) % 7; // lunes = 0
    let row = null;
    const total = daysInMonth(month);
    for (let i = 0; i < firstWeekday + total; i += 1) {
      if (i % 7 === 0) {
        row = document.createElement('div');
        row.className = 'cal-row';
        row.setAttribute('role', 'row');
        grid.append(row);
      }
      const cell = document.createElement('span');
      cell.setAttribute('role', 'gridcell');
      row.append(cell);
      if (i < firstWeekday) continue;
      const date = `${month}-${String(i - firstWeekday + 1).padStart(2, '0')}`;
      const info = byDate.get(date);
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'cal-day';
      b.dataset.date = date;
      b.textContent = String(i - firstWeekday + 1);
      const label = dayNameOf(date);
      if (!info || info.freeSlots === 0) {
        b.disabled = true;
        b.classList.add('none');
        b.setAttribute('aria-label', `${label}: ${info && info.closed ? info.closed : 'sin horarios libres'}`);
        if (info && info.closed) b.title = info.closed;
      } else {
        b.classList.add('free');
        b.setAttribute('aria-label', `${label}: ${integer(info.freeSlots)} horarios libres`);
        b.addEventListener('click', () => {
          for (const o of grid.querySelectorAll('.cal-day[aria-pressed]')) o.removeAttribute('aria-pressed');
          b.setAttribute('aria-pressed', 'true');
          onPick(date);
        });
      }
      cell.append(b);
    }
  }

  load();
  return { reload: load };
}

/** Los horarios libres de un día como botones (GET /services/{id}/slots); onPick(slot) con el inicio tal como lo dio el servidor. */
export async function showSlots(container, status, serviceId, date, onPick) {
  container.replaceChildren();
  status.textContent = `Horarios del ${dayNameOf(date)}…`;
  status.classList.remove('error');
  let slots;
  try {
    slots = await fetchJson(withQuery(`/api/appointments/services/${serviceId}/slots`, { date }));
  } catch (err) {
    status.textContent = err.message;
    status.classList.add('error');
    return;
  }
  status.textContent = slots.length ? `${dayNameOf(date)}: ${integer(slots.length)} horarios libres.` : 'Ya no quedan horarios libres ese día: elija otro.';
  for (const slot of slots) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'slot';
    b.dataset.start = slot.start;
    b.innerHTML = '<span class="slot-time"></span><span class="slot-free small"></span>';
    b.querySelector('.slot-time').textContent = timeOfDay(slot.start);
    b.querySelector('.slot-free').textContent = slot.free === 1 ? '1 lugar' : `${integer(slot.free)} lugares`;
    b.setAttribute('aria-label', `${timeOfDay(slot.start)} a ${timeOfDay(slot.end)}, ${b.querySelector('.slot-free').textContent}`);
    b.addEventListener('click', () => onPick(slot, b));
    container.append(b);
  }
}
