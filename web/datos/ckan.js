// OpenVeracruz · catálogo de datos: llamadas a la API de acciones de CKAN y piezas comunes de las páginas /datos.
// Todo texto proveniente de la API se inserta con textContent.
import { ApiError, fetchJson, withQuery } from '/lib/api.js';
import { longDate } from '/lib/format.js';

export const FACET_FIELDS = ['organization', 'groups', 'tags', 'res_format', 'license_id'];
export const FIELD_LABELS = {
  organization: 'Organización', groups: 'Grupos', tags: 'Etiquetas', res_format: 'Formatos', license_id: 'Licencia',
};

// Llama a /api/3/action/{action} y devuelve `result`; el sobre de error de CKAN se vuelve un ApiError en español.
export async function ckan(action, params, signal) {
  const clean = Object.fromEntries(Object.entries(params || {}).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  let body;
  try {
    body = await fetchJson(withQuery(`/api/3/action/${action}`, clean), signal);
  } catch (err) {
    if (err instanceof ApiError && err.body && err.body.success === false) throw ckanError(err.status, err.body.error);
    throw err;
  }
  if (!body || body.success !== true) throw new ApiError('La respuesta del catálogo no es válida.', 0, body);
  return body.result;
}

function ckanError(status, error) {
  const message = status === 404 ? 'No encontrado.'
    : status === 409 ? 'La consulta no es válida: revise comillas, paréntesis y dos puntos.'
      : status === 403 ? 'Acceso denegado.'
        : `Error del catálogo (${status}).`;
  return new ApiError(message, status, error || null);
}

// extras de CKAN ([{key, value}]) como objeto.
export function extrasOf(pkg) {
  return Object.fromEntries((pkg.extras || []).map((e) => [String(e.key), e.value == null ? '' : String(e.value)]));
}

function formatsOf(pkg) {
  return [...new Set((pkg.resources || []).map((r) => String(r.format || '').trim()).filter(Boolean))];
}

export function datasetUrl(name) {
  return `/datos/dataset/${encodeURIComponent(name)}`;
}

// CKAN da las fechas en UTC sin zona ("2026-01-05T10:00:00.000000").
export function formatDate(value) {
  if (!value) return 'Sin dato';
  const text = String(value);
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(d.getTime()) ? text : longDate(d);
}

// Insignias de formato y la de datos sintéticos (extra `synthetic` = "true").
export function badgeList(pkg) {
  const ul = document.createElement('ul');
  ul.className = 'badges';
  ul.setAttribute('aria-label', 'Formatos disponibles');
  formatsOf(pkg).forEach((format) => {
    const li = document.createElement('li');
    li.className = 'badge';
    li.textContent = format;
    ul.append(li);
  });
  if (extrasOf(pkg).synthetic === 'true') {
    const li = document.createElement('li');
    li.className = 'badge badge-synthetic';
    li.textContent = 'Datos sintéticos';
    li.title = 'Datos generados para demostración: no son registros reales.';
    ul.append(li);
  }
  return ul;
}

// Mensajes de error visibles en #datos-error (uno por párrafo); `link` añade un enlace opcional.
export function showError(message, link) {
  const box = document.getElementById('datos-error');
  const p = document.createElement('p');
  p.textContent = message;
  if (link) {
    const a = document.createElement('a');
    a.href = link.href;
    a.textContent = link.text;
    p.append(' ', a);
  }
  box.append(p);
  box.hidden = false;
}

export function clearErrors() {
  const box = document.getElementById('datos-error');
  box.replaceChildren();
  box.hidden = true;
}

export function setPageState(state) {
  document.documentElement.dataset.ovState = state;
}
