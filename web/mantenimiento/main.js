// OpenVeracruz · mantenimiento informático: reportar una falla; el técnico ve su cola, toma, inicia y resuelve; el
// supervisor ve pendientes, incumplimientos de SLA y los tickets en el mapa.
import { fetchJson, request } from '/lib/api.js';
import { elementsById, setMessage } from '/lib/dom.js';
import { dateTime, integer } from '/lib/format.js';
import { startStaffSession } from '/lib/staff.js';

const el = elementsById('workspace mt-message mt-new mt-new-form mt-title mt-description mt-urgency mt-impact mt-board mt-backlog mt-breaches mt-plan mt-map mt-mine mt-queue-view mt-queue mt-reported');
const STATE = { reported: 'reportado', assigned: 'asignado', in_progress: 'en proceso', resolved: 'resuelto', closed: 'cerrado', reopened: 'reabierto' };
const KIND = { corrective: 'correctivo', preventive: 'preventivo' };
// acciones que cada estado ofrece, según quién mira
const ACTIONS = [
  { action: 'take', label: 'Tomar', when: (t, who) => who.technician && !t.assignee && ['reported', 'reopened'].includes(t.state) },
  { action: 'start', label: 'Iniciar', when: (t, who) => (t.assignedToMe || who.supervisor) && ['assigned', 'reopened'].includes(t.state) && t.assignee },
  { action: 'resolve', label: 'Resolver', when: (t, who) => (t.assignedToMe || who.supervisor) && t.state === 'in_progress', note: 'Describa la solución' },
  { action: 'close', label: 'Cerrar', when: (t, who) => (t.reportedByMe || who.supervisor) && t.state === 'resolved' },
  { action: 'reopen', label: 'Reabrir', when: (t, who) => (t.reportedByMe || who.supervisor) && ['resolved', 'closed'].includes(t.state), note: '¿Por qué se reabre?' },
];
document.documentElement.dataset.ovState = 'loading';
let who = { technician: false, supervisor: false, id: '' };
let map = null;
let markers = null;

function ticketItem(t) {
  const li = document.createElement('li');
  li.className = 'mt-ticket';
  li.dataset.id = String(t.id);
  li.dataset.state = t.state;
  const title = document.createElement('strong');
  title.textContent = `#${t.id} ${t.title}`;
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = `${KIND[t.kind] || t.kind} · prioridad ${t.priorityName} · ${STATE[t.state] || t.state}`
    + (t.assignee ? ` · ${t.assignee}` : ' · sin asignar') + ` · reportado ${dateTime(t.reportedAt)} por ${t.reportedBy}`;
  li.append(title, meta);
  if (t.assignBreached || t.resolveBreached) {
    const b = document.createElement('span');
    b.className = 'meta breach';
    b.textContent = t.resolveBreached ? `Fuera de SLA: debía resolverse antes de ${dateTime(t.resolveDueAt)}` : `Fuera de SLA: debía asignarse antes de ${dateTime(t.assignDueAt)}`;
    li.append(b);
  }
  const actions = document.createElement('div');
  actions.className = 'actions';
  for (const a of ACTIONS.filter((x) => x.when(t, who))) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button-small';
    button.dataset.action = a.action;
    button.textContent = a.label;
    button.addEventListener('click', () => move(t, a));
    actions.append(button);
  }
  if (actions.childElementCount) li.append(actions);
  return li;
}

async function move(t, a) {
  let body;
  if (a.note) {
    const note = window.prompt(a.note, '');
    if (note === null) return;
    body = { note };
  }
  try {
    await request('POST', `/api/maintenance/tickets/${t.id}/${a.action}`, { body });
    setMessage(el.mtMessage, `Ticket #${t.id}: ${a.label.toLowerCase()} — hecho.`, 'ok');
  } catch (err) {
    setMessage(el.mtMessage, err.message, 'error');
  }
  await refresh();
}

function fill(list, tickets, empty) {
  list.replaceChildren(...tickets.map(ticketItem));
  if (!tickets.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = empty;
    list.append(li);
  }
}

async function refresh() {
  const mark = (rows) => rows.map((t) => ({ ...t, reportedByMe: reported.has(t.id) }));
  const reportedRows = await fetchJson('/api/maintenance/tickets?scope=reported');
  const reported = new Set(reportedRows.map((t) => t.id));
  fill(el.mtReported, mark(reportedRows), 'No ha reportado tickets.');
  if (who.technician) {
    fill(el.mtMine, mark(await fetchJson('/api/maintenance/tickets?scope=mine')), 'No tiene tickets asignados.');
    fill(el.mtQueue, mark(await fetchJson('/api/maintenance/tickets?scope=queue')), 'No hay tickets sin asignar.');
  }
  if (who.supervisor) await board(mark);
}

async function board(mark) {
  const b = await fetchJson('/api/maintenance/board');
  el.mtBacklog.replaceChildren(...b.backlog.map((c) => {
    const li = document.createElement('li');
    li.textContent = `${KIND[c.kind] || c.kind} ${STATE[c.state] || c.state}: ${integer(c.tickets)}`;
    return li;
  }));
  fill(el.mtBreaches, mark(b.breaches), 'Ningún ticket abierto está fuera de SLA.');
  el.mtPlan.replaceChildren(...b.preventive.map((p) => {
    const li = document.createElement('li');
    li.textContent = `${p.dueOn}: ${p.title} — ${integer(p.done)} de ${integer(p.tickets)} equipos atendidos`;
    return li;
  }));
  if (!b.preventive.length) el.mtPlan.innerHTML = '<li class="empty">No hay mantenimiento preventivo programado este mes.</li>';
  try {
    const m = await import('/lib/map.js');
    if (!map) {
      map = m.L.map(el.mtMap).setView([19.19, -96.14], 13);
      m.setLeafletPrefix(map);
      m.addBaseTiles(map, await m.mapConfig(), () => el.mtMap.classList.add('no-tiles'));
      markers = m.L.layerGroup().addTo(map);
    }
    markers.clearLayers();
    for (const t of b.onMap) {
      const marker = m.L.circleMarker([t.lat, t.lon], { radius: 6 + t.priority, color: '#fff', weight: 2, fillColor: t.resolveBreached ? '#c1121f' : '#1d3557', fillOpacity: 0.9, className: 'mt-marker' });
      const label = document.createElement('span');
      label.textContent = `#${t.id} ${t.title} (${STATE[t.state] || t.state})`;
      marker.bindPopup(label).addTo(markers);
    }
  } catch (err) {
    el.mtMap.textContent = 'No se pudo cargar el mapa.';
    console.warn(err);
  }
}

el.mtNewForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { data } = await request('POST', '/api/maintenance/tickets', { body: {
      title: el.mtTitle.value.trim(), description: el.mtDescription.value.trim(), urgency: Number(el.mtUrgency.value), impact: Number(el.mtImpact.value),
    } });
    setMessage(el.mtMessage, `Reporte recibido: ticket #${data.id}, prioridad ${data.priorityName}.`, 'ok');
    el.mtNewForm.reset();
    el.mtNew.open = false;
    await refresh();
  } catch (err) {
    setMessage(el.mtMessage, err.message, 'error');
  }
});

startStaffSession({
  workspace: el.workspace,
  onSignedIn: async ({ me, can }) => {
    who = { technician: can('editor'), supervisor: can('supervisor'), id: me.id };
    el.mtQueueView.hidden = !who.technician;
    el.mtBoard.hidden = !who.supervisor;
    try {
      await refresh();
      document.documentElement.dataset.ovState = 'ready';
    } catch (err) {
      setMessage(el.mtMessage, err.message, 'error');
      document.documentElement.dataset.ovState = 'error';
    }
  },
  onSignInShown: () => { document.documentElement.dataset.ovState = 'ready'; },
});
