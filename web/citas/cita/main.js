// OpenVeracruz · Cero Filas: la cita desde su enlace (/citas/cita/?folio=F#TOKEN). El token va en el fragmento (nunca
// llega al servidor en la dirección) y cada petición lo lleva en la cabecera X-Manage-Token. Ver, cancelar (con
// confirmación), cambiar de día y hora, .ics, QR e impresión. La API no devuelve datos de la persona.
import { request } from '/lib/api.js';
import { elementsById, setMessage } from '/lib/dom.js';
import { timeOfDay } from '/lib/format.js';
import { availabilityCalendar, BOOKING_STATES, showAppointmentFiles, showSlots, TOKEN_HEADER, whenText } from '/lib/citas.js';

window.ovCitaReady = false;

const el = elementsById(`view-status appointment folio state qr when office address phone service requirements turn-label turn ics print
  changes reschedule-open reschedule calendar time-status slot-list reschedule-status cancel cancel-confirm cancel-yes cancel-no cancel-status`);

const folio = (new URLSearchParams(window.location.search).get('folio') || '').trim().toUpperCase();
const token = decodeURIComponent(window.location.hash.replace(/^#/, ''));
const headers = { [TOKEN_HEADER]: token };
let calendar = null;
let current = null;

function render(v) {
  current = v;
  el.folio.textContent = v.folio;
  el.state.textContent = BOOKING_STATES[v.state] || v.state;
  el.state.className = `state ${v.state}`;
  el.when.textContent = whenText(v.start, v.end);
  el.office.textContent = v.office;
  el.address.textContent = v.officeAddress;
  el.phone.textContent = v.officePhone ? ` · Tel. ${v.officePhone}` : '';
  el.service.textContent = [v.service, ...(v.extraServices || [])].join(', ');
  el.requirements.textContent = v.requirements;
  el.turnLabel.hidden = el.turn.hidden = !v.turn;
  el.turn.textContent = v.turn || '';
  el.changes.hidden = v.state !== 'booked';
  el.appointment.hidden = false;
  document.title = `Cita ${v.folio} · Cero Filas`;
}

async function load() {
  if (!folio || !token) {
    setMessage(el.viewStatus, 'Abra el enlace completo de su confirmación (correo o comprobante impreso): el folio solo no basta para ver o cambiar la cita.', 'error');
    return;
  }
  try {
    const v = (await request('GET', `/api/appointments/${encodeURIComponent(folio)}`, { headers })).data;
    render(v);
    setMessage(el.viewStatus, '');
    await showAppointmentFiles(v.folio, token, { qrImage: el.qr, icsLink: el.ics });
  } catch (err) {
    setMessage(el.viewStatus, err.message, 'error');
  }
}

el.print.addEventListener('click', () => window.print());

el.rescheduleOpen.addEventListener('click', () => {
  const open = el.reschedule.hidden;
  el.reschedule.hidden = !open;
  el.rescheduleOpen.setAttribute('aria-expanded', String(open));
  if (open && !calendar) {
    calendar = availabilityCalendar(el.calendar, current.serviceId, (date) =>
      showSlots(el.slotList, el.timeStatus, current.serviceId, date, reschedule));
  }
});

async function reschedule(slot, button) {
  button.disabled = true;
  setMessage(el.rescheduleStatus, `Cambiando la cita a las ${timeOfDay(slot.start)}…`);
  try {
    const { data } = await request('POST', `/api/appointments/${encodeURIComponent(folio)}/reschedule`, { headers, body: { start: slot.start } });
    render(data);
    el.reschedule.hidden = true;
    el.rescheduleOpen.setAttribute('aria-expanded', 'false');
    el.slotList.replaceChildren();
    calendar = null;
    setMessage(el.rescheduleStatus, `Listo: su cita ahora es el ${whenText(data.start, data.end)}.`, 'ok');
    await showAppointmentFiles(data.folio, token, { qrImage: el.qr, icsLink: el.ics });
  } catch (err) {
    setMessage(el.rescheduleStatus, err.message, 'error');
    button.disabled = false;
  }
  el.rescheduleStatus.focus();
}

el.cancel.addEventListener('click', () => {
  el.cancelConfirm.hidden = false;
  el.cancel.hidden = true;
  el.cancelNo.focus();
});
el.cancelNo.addEventListener('click', () => {
  el.cancelConfirm.hidden = true;
  el.cancel.hidden = false;
  el.cancel.focus();
});
el.cancelYes.addEventListener('click', async () => {
  el.cancelYes.disabled = true;
  try {
    const { data } = await request('POST', `/api/appointments/${encodeURIComponent(folio)}/cancel`, { headers });
    render(data);
    setMessage(el.viewStatus, 'Su cita fue cancelada. Puede agendar otra cuando lo necesite.', 'ok');
    await showAppointmentFiles(data.folio, token, { qrImage: el.qr, icsLink: el.ics });
  } catch (err) {
    setMessage(el.cancelStatus, err.message, 'error');
    el.cancelYes.disabled = false;
  }
});

load().finally(() => { window.ovCitaReady = true; });
