// OpenVeracruz · Cero Filas: el kiosco de una oficina (/kiosko/citas/{oficina}), con la cuenta del kiosco o del
// personal asignada a ella (el servidor lo comprueba en cada petición). Registrar la llegada de una cita por folio
// (escrito, o leído del QR con la cámara si el navegador tiene BarcodeDetector) y dar turnos sin cita con su preferencia.
import { fetchJson, request } from '/lib/api.js';
import { elementsById } from '/lib/dom.js';
import { integer, timeOfDay } from '/lib/format.js';
import { clearProblems, PRIORITIES, showProblem } from '/lib/citas.js';
import { canScanQr, qrScanner } from '/lib/scan.js';
import { startStaffSession } from '/lib/staff.js';

window.ovKioskReady = false;

const el = elementsById(`workspace office-name kiosk-error office-choice home checkin-form folio checkin-problem checkin-submit scan scanner video
  scan-stop services priority priorities priority-back walkin-problem ticket ticket-code ticket-service ticket-wait ticket-office ticket-time
  ticket-print ticket-done`);
const office = decodeURIComponent(window.location.pathname.replace(/^\/kiosko\/citas\/?/, '').replace(/\/$/, ''));
const RETURN_AFTER_MS = 45_000;
let officeInfo = null;
let chosenService = null;
let returnTimer = null;

function fail(text) {
  el.kioskError.textContent = text;
  el.kioskError.hidden = false;
}

function home() {
  clearTimeout(returnTimer);
  el.ticket.hidden = true;
  el.home.hidden = false;
  el.priority.hidden = true;
  el.services.hidden = false;
  el.walkinProblem.hidden = true;
  el.folio.value = '';
  clearProblems(el.checkinForm);
  el.folio.focus();
}

function showTicket(t) {
  scanner.stop();
  el.ticketCode.textContent = t.code;
  el.ticketService.textContent = t.service;
  el.ticketWait.textContent = t.ahead === 0 || t.ahead == null
    ? 'Usted es el siguiente'
    : `${integer(t.ahead)} ${t.ahead === 1 ? 'persona' : 'personas'} antes que usted · espera estimada: ~${integer(t.estimatedWaitMinutes ?? 0)} min`;
  el.ticketOffice.textContent = officeInfo.name;
  el.ticketTime.textContent = `Entregado a las ${timeOfDay(t.created)}`;
  el.home.hidden = true;
  el.ticket.hidden = false;
  document.getElementById('ticket-title').focus();
  clearTimeout(returnTimer);
  returnTimer = setTimeout(home, RETURN_AFTER_MS);
}

// ---------- Llegada con cita ----------
async function checkIn(folio) {
  clearProblems(el.checkinForm);
  el.checkinSubmit.disabled = true;
  try {
    const { data } = await request('POST', '/api/turns/checkin', { body: { office, folio } });
    showTicket(data);
  } catch (err) {
    showProblem(el.checkinForm, { ...err, message: err.message, body: { ...(err.body || {}), parameter: 'folio' } }, el.checkinProblem);
  } finally {
    el.checkinSubmit.disabled = false;
  }
}

el.checkinForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const folio = el.folio.value.trim().toUpperCase();
  if (!folio) {
    showProblem(el.checkinForm, { message: 'Escriba el folio de su cita (8 letras y números).', body: { parameter: 'folio', detail: 'Type your folio.' } }, el.checkinProblem);
    return;
  }
  checkIn(folio);
});

// ---------- QR con la cámara (web/lib/scan.js) ----------
const scanner = qrScanner({
  video: el.video,
  panel: el.scanner,
  pick: (values) => values.map((v) => v.trim().toUpperCase()).find((v) => /^[2-9A-HJKMNP-Z]{8}$/.test(v)),
  onValue: (folio) => { el.folio.value = folio; checkIn(folio); },
  onCameraError: () => showProblem(el.checkinForm, { message: 'No se pudo usar la cámara: escriba el folio.', body: { parameter: 'folio', detail: 'The camera is not available: type the folio.' } }, el.checkinProblem),
});
el.scan.addEventListener('click', () => scanner.start());
el.scanStop.addEventListener('click', () => scanner.stop());

// ---------- Turno sin cita ----------
function drawServices() {
  el.services.replaceChildren(...officeInfo.services.map((s) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button';
    b.dataset.serviceId = String(s.id);
    b.textContent = `${s.prefix} · ${s.name}`;
    b.addEventListener('click', () => {
      chosenService = s;
      el.services.hidden = true;
      el.priority.hidden = false;
      el.priorities.querySelector('button').focus();
    });
    return b;
  }));
  el.priorities.replaceChildren(...PRIORITIES.map((p) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = p.value ? 'button secondary' : 'button';
    b.dataset.priority = p.value;
    b.innerHTML = '<span></span> <span class="en" lang="en"></span>';
    b.firstElementChild.textContent = p.label;
    b.lastElementChild.textContent = p.en;
    b.addEventListener('click', () => ticket(p.value));
    return b;
  }));
}

el.priorityBack.addEventListener('click', () => { el.priority.hidden = true; el.services.hidden = false; });

async function ticket(priority) {
  el.walkinProblem.hidden = true;
  for (const b of el.priorities.querySelectorAll('button')) b.disabled = true;
  try {
    const { data } = await request('POST', '/api/turns/tickets', { body: { office, serviceId: chosenService.id, priority: priority || null } });
    showTicket(data);
  } catch (err) {
    el.walkinProblem.textContent = err.message;
    el.walkinProblem.hidden = false;
  } finally {
    for (const b of el.priorities.querySelectorAll('button')) b.disabled = false;
  }
}

el.ticketPrint.addEventListener('click', () => window.print());
el.ticketDone.addEventListener('click', home);

// ---------- Inicio ----------
startStaffSession({
  workspace: el.workspace,
  onSignedIn: async () => {
    window.ovKioskReady = false; // signed in: not ready until the account's offices are loaded
    try {
      const mine = await fetchJson('/api/turns/mine');
      if (!office) {
        // sin oficina en la dirección: las de la cuenta
        el.officeChoice.replaceChildren(...mine.offices.map((o) => {
          const li = document.createElement('li');
          const a = document.createElement('a');
          a.className = 'choice';
          a.href = `/kiosko/citas/${encodeURIComponent(o.code)}`;
          a.textContent = o.name;
          li.append(a);
          return li;
        }));
        el.officeChoice.hidden = false;
        if (!mine.offices.length) fail('Su cuenta no está asignada a ninguna oficina; pida a un administrador que la asigne.');
        return;
      }
      officeInfo = mine.offices.find((o) => o.code === office);
      if (!officeInfo) { fail('Su cuenta no está asignada a esta oficina; pida a un administrador que la asigne.'); return; }
      el.officeName.textContent = officeInfo.name;
      document.title = `Kiosco · ${officeInfo.name}`;
      drawServices();
      el.scan.hidden = !(await canScanQr());
      home();
    } catch (err) {
      fail(err.message);
    } finally {
      window.ovKioskReady = true;
    }
  },
  onSignInShown: () => { window.ovKioskReady = 'sign-in'; },
});
