// OpenVeracruz · reportes de Cero Filas para el personal: GET /api/appointments/reports (JSON) y su CSV para Excel.
import { fetchJson, withQuery } from '/lib/api.js';
import { elementsById, setMessage } from '/lib/dom.js';
import { integer, number } from '/lib/format.js';
import { startStaffSession } from '/lib/staff.js';

const el = elementsById('filters from to office csv message rows totals');

/** Hoy en Veracruz como AAAA-MM-DD (la fecha que el servidor entiende como ese día). */
function localDay(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Mexico_City' }).format(d);
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

const pair = (a, b) => (a == null ? '—' : `${number(a)} / ${b == null ? '—' : number(b)}`);

function query() {
  const params = { from: el.from.value, to: el.to.value };
  const office = el.office.value.trim();
  if (office) params.office = office;
  return params;
}

async function show() {
  const params = query();
  el.csv.href = withQuery('/api/appointments/reports.csv', params);
  setMessage(el.message, 'Cargando…');
  el.rows.replaceChildren();
  el.totals.replaceChildren();
  try {
    const rows = await fetchJson(withQuery('/api/appointments/reports', params));
    const sum = { booked: 0, attended: 0, noShow: 0, cancelled: 0, walkIns: 0, surveys: 0 };
    for (const r of rows) {
      const tr = document.createElement('tr');
      tr.append(cell(r.day), cell(r.officeName), cell(r.service), cell(integer(r.booked)), cell(integer(r.attended)), cell(integer(r.noShow)),
        cell(integer(r.cancelled)), cell(integer(r.walkIns)), cell(pair(r.waitMedianMin, r.waitP90Min)), cell(pair(r.serviceMedianMin, r.serviceP90Min)),
        cell(integer(r.surveys)), cell(r.surveyMean == null ? '—' : number(r.surveyMean)));
      el.rows.append(tr);
      for (const k of Object.keys(sum)) sum[k] += r[k];
    }
    el.totals.append(cell('Total'), cell(''), cell(''), cell(integer(sum.booked)), cell(integer(sum.attended)), cell(integer(sum.noShow)),
      cell(integer(sum.cancelled)), cell(integer(sum.walkIns)), cell(''), cell(''), cell(integer(sum.surveys)), cell(''));
    setMessage(el.message, rows.length ? `${integer(rows.length)} filas.` : 'No hay actividad en ese periodo.');
  } catch (err) {
    setMessage(el.message, err.message, 'error');
  }
  document.documentElement.dataset.ovState = 'ready';
}

el.filters.addEventListener('submit', (e) => { e.preventDefault(); show(); });

startStaffSession({
  workspace: document.getElementById('workspace'),
  onSignedIn: async () => {
    el.to.value = localDay();
    el.from.value = localDay(-30);
    await show();
  },
  onSignInShown: () => { document.documentElement.dataset.ovState = 'ready'; },
});
