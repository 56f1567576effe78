// OpenVeracruz · historial de un predio (mapa ciudadano y editor): línea de tiempo de versiones y control deslizante de
// fecha. Usa GET /api/cadastre/parcels/{clave}/history; las geometrías de cada versión vienen en la respuesta,
// de modo que mover el control no hace más peticiones.
import * as L from 'leaflet';
import { fetchJson } from '/lib/api.js';
import { setMessage } from '/lib/dom.js';
import { dateTime, money, number } from '/lib/format.js';

const KIND_LABELS = Object.freeze({
  create: 'Alta', attributes: 'Cambio de atributos', reshape: 'Reforma de geometría', split: 'División',
  merge: 'Fusión', retire: 'Baja', revaluation: 'Revaluación',
});
const FIELD_LABELS = Object.freeze({
  land_use: 'Uso de suelo', land_area_m2: 'Superficie del terreno (m²)', built_area_m2: 'Superficie construida (m²)',
  valuation_zone: 'Zona de valor', construction_type: 'Tipo de construcción', land_value: 'Valor del terreno',
  construction_value: 'Valor de la construcción', cadastral_value: 'Valor catastral', locality_cvegeo: 'Localidad',
  geometry: 'Geometría',
});

export const kindLabel = (kind) => KIND_LABELS[kind] || kind || 'Cambio';

function formatValue(field, value) {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (/value$/.test(field) && Number.isFinite(n)) return money(n);
  if (/_m2$/.test(field) && Number.isFinite(n)) return number(n);
  return String(value);
}

// La versión vigente en el instante t (ms), o null si el predio no existía entonces.
function versionAt(versions, t) {
  return versions.find((v) => Date.parse(v.validFrom) <= t && (!v.validTo || Date.parse(v.validTo) > t)) || null;
}

/**
 * el: { body, slider, date, state, lineage, list, message }; layer: L.LayerGroup donde se dibuja la versión;
 * onOpenClave(clave): abre el historial de otro predio (linaje).
 */
export function createHistory({ map, layer, el, onOpenClave }) {
  let history = null;
  let span = null; // { from, to } en ms

  function clear() {
    history = null;
    layer.clearLayers();
    el.body.hidden = true;
    el.list.replaceChildren();
  }

  function sliderTime() {
    const v = Number(el.slider.value) / Number(el.slider.max);
    return span.from + (span.to - span.from) * v;
  }

  function setSliderTo(t) {
    const range = span.to - span.from;
    el.slider.value = String(range > 0 ? Math.round(((t - span.from) / range) * Number(el.slider.max)) : el.slider.max);
    show(sliderTime());
  }

  function show(t) {
    el.date.textContent = dateTime(new Date(t).toISOString());
    const v = versionAt(history.versions, t);
    layer.clearLayers();
    for (const li of el.list.children) li.classList.toggle('current', v !== null && li.dataset.version === String(v.version));
    if (!v) {
      el.state.textContent = t < span.from
        ? 'El predio aún no existía en esa fecha.'
        : 'El predio ya no existía en esa fecha (dado de baja, dividido o fusionado).';
      return;
    }
    el.state.textContent = `Versión ${v.version} · ${kindLabel(v.changeKind)} · ${number(v.landAreaM2)} m² · ${money(v.cadastralValue)}`;
    L.geoJSON(v.geometry, { pmIgnore: true, snapIgnore: true, interactive: false, style: { color: '#e76f51', weight: 3, dashArray: '6 4', fillOpacity: 0.15 } }).addTo(layer);
  }

  function lineageLinks(label, claves) {
    if (!claves || claves.length === 0) return [];
    const parts = [document.createTextNode(`${label}: `)];
    claves.forEach((c, i) => {
      if (i > 0) parts.push(document.createTextNode(', '));
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.textContent = c;
      b.addEventListener('click', () => onOpenClave(c));
      parts.push(b);
    });
    parts.push(document.createElement('br'));
    return parts;
  }

  function renderVersion(v) {
    const li = document.createElement('li');
    li.dataset.version = String(v.version);
    const head = document.createElement('button');
    head.type = 'button';
    head.className = 'timeline-head';
    head.textContent = `v${v.version} · ${kindLabel(v.changeKind)} · ${dateTime(v.validFrom)}`;
    head.addEventListener('click', () => setSliderTo(Date.parse(v.validFrom)));
    li.append(head);
    const meta = document.createElement('p');
    meta.className = 'small muted';
    const who = [v.proposedBy && `propuso ${v.proposedBy}`, v.approvedBy && `aprobó ${v.approvedBy}`].filter(Boolean).join(' · ');
    meta.textContent = [v.reason, v.sourceDocument && `Documento: ${v.sourceDocument}`, who, v.validTo ? `vigente hasta ${dateTime(v.validTo)}` : 'vigente']
      .filter(Boolean).join(' — ');
    li.append(meta);
    if (v.changes && v.changes.length > 0) {
      const ul = document.createElement('ul');
      ul.className = 'changes';
      for (const c of v.changes) {
        const item = document.createElement('li');
        item.textContent = c.field === 'geometry'
          ? 'Geometría modificada'
          : `${FIELD_LABELS[c.field] || c.field}: ${formatValue(c.field, c.before)} → ${formatValue(c.field, c.after)}`;
        ul.append(item);
      }
      li.append(ul);
    }
    return li;
  }

  async function open(clave) {
    setMessage(el.message, 'Cargando historial…');
    let data;
    try {
      data = await fetchJson(`/api/cadastre/parcels/${encodeURIComponent(clave)}/history`);
    } catch (err) {
      clear();
      setMessage(el.message, err.message, 'error');
      return null;
    }
    history = data;
    const first = Date.parse(data.versions[0].validFrom);
    const lastEnd = Math.max(...data.versions.map((v) => (v.validTo ? Date.parse(v.validTo) : 0)));
    span = { from: first, to: Math.max(Date.now(), lastEnd) };
    el.list.replaceChildren(...data.versions.slice().reverse().map(renderVersion));
    el.lineage.replaceChildren(...lineageLinks('Proviene de', data.parents), ...lineageLinks('Dio origen a', data.children));
    el.body.hidden = false;
    setMessage(el.message, `${data.versions.length} ${data.versions.length === 1 ? 'versión' : 'versiones'} del predio ${data.clave}${data.current ? '' : ' (ya no vigente)'}.`, 'ok');
    el.slider.value = el.slider.max;
    show(span.to);
    const bounds = layer.getLayers().length ? L.featureGroup(layer.getLayers()).getBounds() : L.geoJSON(data.versions[data.versions.length - 1].geometry).getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { maxZoom: 19, padding: [40, 40] });
    return data;
  }

  el.slider.addEventListener('input', () => { if (history) show(sliderTime()); });
  return Object.freeze({ open, clear });
}

