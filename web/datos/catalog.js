// OpenVeracruz · catálogo de datos abiertos (/datos): búsqueda, facetas, orden y páginas sobre package_search.
// El estado vive en la dirección (?q=&organization=&tags=&res_format=&license_id=&groups=&sort=&page=),
// así los resultados se pueden compartir y el botón «atrás» funciona. Texto de la API sólo con textContent.
import { elementsById } from '/lib/dom.js';
import { integer } from '/lib/format.js';
import { FACET_FIELDS, FIELD_LABELS, badgeList, ckan, clearErrors, datasetUrl, extrasOf, setPageState, showError } from '/datos/ckan.js';

const ROWS = 10;
const FACETS_VISIBLE = 8;
const NOTES_MAX = 220;
const SORTS = { relevancia: 'score desc, metadata_modified desc', nombre: 'title_string asc', fecha: 'metadata_modified desc' };

const el = elementsById('datos-search datos-q datos-sort datos-count datos-chips datos-results datos-pager datos-facets datos-facet-groups');
const displayNames = new Map(); // "campo\nvalor" -> display_name visto en las facetas
const expanded = new Set(); // facetas con la lista completa a la vista
let controller = null;

// ---------- estado <-> dirección ----------
function readState() {
  const p = new URLSearchParams(window.location.search);
  const filters = {};
  FACET_FIELDS.forEach((f) => {
    const values = [...new Set(p.getAll(f).map((v) => v.trim()).filter(Boolean))];
    if (values.length) filters[f] = values;
  });
  const page = Math.max(1, Number.parseInt(p.get('page'), 10) || 1);
  const sort = Object.prototype.hasOwnProperty.call(SORTS, p.get('sort') || '') ? p.get('sort') : 'relevancia';
  return { q: (p.get('q') || '').trim(), filters, sort, page };
}

function stateUrl(st) {
  const p = new URLSearchParams();
  if (st.q) p.set('q', st.q);
  FACET_FIELDS.forEach((f) => (st.filters[f] || []).forEach((v) => p.append(f, v)));
  if (st.sort !== 'relevancia') p.set('sort', st.sort);
  if (st.page > 1) p.set('page', String(st.page));
  const qs = p.toString();
  return window.location.pathname + (qs ? `?${qs}` : '');
}

function navigate(st, { replace = false, focus = null } = {}) {
  window.history[replace ? 'replaceState' : 'pushState'](null, '', stateUrl(st));
  search(st, focus);
}

function withFilter(st, field, value, on) {
  const values = (st.filters[field] || []).filter((v) => v !== value);
  if (on) values.push(value);
  const filters = { ...st.filters, [field]: values };
  if (!values.length) delete filters[field];
  return { ...st, filters, page: 1 };
}

// fq de CKAN: un término campo:"valor" por filtro activo (todos deben cumplirse).
function filterQuery(filters) {
  return FACET_FIELDS.flatMap((f) => (filters[f] || []).map((v) => `${f}:"${v.replace(/"/g, '')}"`)).join(' ');
}

function displayName(field, value) {
  return displayNames.get(`${field}\n${value}`) || value;
}

// ---------- búsqueda ----------
async function search(st, focus) {
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  setPageState('loading');
  clearErrors();
  el.datosQ.value = st.q;
  el.datosSort.value = st.sort;
  el.datosResults.setAttribute('aria-busy', 'true');
  try {
    const result = await ckan('package_search', {
      q: st.q, fq: filterQuery(st.filters), rows: ROWS, start: (st.page - 1) * ROWS, sort: SORTS[st.sort],
      'facet.field': JSON.stringify(FACET_FIELDS), 'facet.limit': 50,
    }, signal);
    if (signal.aborted) return;
    const pages = Math.max(1, Math.ceil(result.count / ROWS));
    if (st.page > pages) {
      navigate({ ...st, page: pages }, { replace: true, focus });
      return;
    }
    render(st, result);
    restoreFocus(focus);
    setPageState('ready');
  } catch (err) {
    if (err.name === 'AbortError') return;
    console.warn('package_search:', err);
    el.datosCount.textContent = 'No hay resultados que mostrar.';
    el.datosCount.removeAttribute('data-count');
    el.datosResults.replaceChildren();
    el.datosFacetGroups.replaceChildren();
    renderChips(st); // los filtros siguen a la vista y se pueden quitar
    el.datosPager.hidden = true;
    showError(`No se pudo consultar el catálogo. ${err.message}`);
    setPageState('error');
  } finally {
    el.datosResults.setAttribute('aria-busy', 'false');
  }
}

function render(st, result) {
  const facets = result.search_facets || {};
  FACET_FIELDS.forEach((f) => ((facets[f] && facets[f].items) || [])
    .forEach((it) => displayNames.set(`${f}\n${it.name}`, String(it.display_name ?? it.name))));
  renderCount(st, result.count);
  renderChips(st);
  renderResults(result.results || []);
  renderFacets(st, facets);
  renderPager(st, result.count);
  document.title = st.q ? `«${st.q}» · Datos abiertos · OpenVeracruz` : 'Datos abiertos · OpenVeracruz';
}

function renderCount(st, count) {
  const n = Number(count) || 0;
  const what = n === 1 ? 'conjunto de datos' : 'conjuntos de datos';
  let text = n === 0 ? 'Ningún conjunto de datos coincide con la búsqueda.' : `${integer(n)} ${what}`;
  if (n > 0 && st.q) text += ` para «${st.q}»`;
  if (n > ROWS) text += ` · página ${st.page} de ${Math.ceil(n / ROWS)}`;
  el.datosCount.textContent = text;
  el.datosCount.dataset.count = String(n);
}

function chip(label, onRemove) {
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'chip';
  b.setAttribute('aria-label', `Quitar ${label}`);
  const text = document.createElement('span');
  text.textContent = label;
  const x = document.createElement('span');
  x.setAttribute('aria-hidden', 'true');
  x.className = 'chip-x';
  x.textContent = '×';
  b.append(text, x);
  b.addEventListener('click', onRemove);
  li.append(b);
  return li;
}

function renderChips(st) {
  const items = [];
  if (st.q) items.push(chip(`búsqueda: ${st.q}`, () => navigate({ ...st, q: '', page: 1 }, { focus: 'count' })));
  FACET_FIELDS.forEach((f) => (st.filters[f] || []).forEach((v) => {
    const li = chip(`${FIELD_LABELS[f]}: ${displayName(f, v)}`, () => navigate(withFilter(st, f, v, false), { focus: 'count' }));
    li.firstChild.dataset.field = f;
    li.firstChild.dataset.value = v;
    items.push(li);
  }));
  if (items.length > 1) items.push(chip('todos los filtros', () => navigate({ q: '', filters: {}, sort: st.sort, page: 1 }, { focus: 'count' })));
  el.datosChips.replaceChildren(...items);
  el.datosChips.hidden = items.length === 0;
}

function shorten(text) {
  const t = String(text || '').replace(/\s+/g, ' ').trim();
  if (t.length <= NOTES_MAX) return t;
  const cut = t.slice(0, NOTES_MAX);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), NOTES_MAX - 30)).replace(/[\s,.;:]+$/, '')}…`;
}

function renderResults(results) {
  el.datosResults.replaceChildren(...results.map((pkg) => {
    const li = document.createElement('li');
    li.className = 'dataset-card';
    li.dataset.name = pkg.name;
    const h = document.createElement('h3');
    const a = document.createElement('a');
    a.href = datasetUrl(pkg.name);
    a.textContent = pkg.title || pkg.name;
    h.append(a);
    const org = document.createElement('p');
    org.className = 'dataset-org';
    org.textContent = (pkg.organization && (pkg.organization.title || pkg.organization.name)) || 'Sin organización';
    const notes = document.createElement('p');
    notes.className = 'dataset-notes';
    notes.textContent = shorten(pkg.notes) || 'Sin descripción.';
    li.append(h, org, notes, badgeList(pkg));
    if (extrasOf(pkg).synthetic === 'true') li.classList.add('synthetic');
    return li;
  }));
}

function facetButton(st, field, value, label, count) {
  const active = (st.filters[field] || []).includes(value);
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'facet-item';
  b.dataset.field = field;
  b.dataset.value = value;
  b.setAttribute('aria-pressed', String(active));
  const name = document.createElement('span');
  name.className = 'facet-name';
  name.textContent = label;
  const n = document.createElement('span');
  n.className = 'facet-count';
  n.textContent = integer(count);
  const unit = document.createElement('span');
  unit.className = 'visually-hidden';
  unit.textContent = count === 1 ? ' conjunto' : ' conjuntos';
  n.append(unit);
  b.append(name, n);
  b.addEventListener('click', () => navigate(withFilter(st, field, value, !active), { focus: { field, value } }));
  li.append(b);
  return li;
}

function renderFacets(st, facets) {
  const groups = FACET_FIELDS.map((field) => {
    const items = ((facets[field] && facets[field].items) || []).map((it) => ({ name: String(it.name), label: String(it.display_name ?? it.name), count: Number(it.count) || 0 }));
    (st.filters[field] || []).filter((v) => !items.some((it) => it.name === v))
      .forEach((v) => items.unshift({ name: v, label: displayName(field, v), count: 0 }));
    if (!items.length) return null;
    const section = document.createElement('section');
    section.className = 'facet';
    const h = document.createElement('h2');
    h.id = `facet-${field}`;
    h.textContent = FIELD_LABELS[field];
    const ul = document.createElement('ul');
    ul.setAttribute('aria-labelledby', h.id);
    const open = expanded.has(field);
    items.forEach((it, i) => {
      const li = facetButton(st, field, it.name, it.label, it.count);
      if (!open && i >= FACETS_VISIBLE && !(st.filters[field] || []).includes(it.name)) li.hidden = true;
      ul.append(li);
    });
    section.append(h, ul);
    const hidden = ul.querySelectorAll('li[hidden]').length;
    if (hidden > 0 || open) {
      const more = document.createElement('button');
      more.type = 'button';
      more.className = 'facet-more';
      more.textContent = open ? 'Mostrar menos' : `Mostrar ${hidden} más`;
      more.setAttribute('aria-expanded', String(open));
      more.addEventListener('click', () => {
        if (open) expanded.delete(field); else expanded.add(field);
        renderFacets(st, facets);
        const again = el.datosFacetGroups.querySelector(`#facet-${field} ~ .facet-more`);
        if (again) again.focus();
      });
      section.append(more);
    }
    return section;
  }).filter(Boolean);
  el.datosFacetGroups.replaceChildren(...groups);
}

function pageLink(st, page, text, rel) {
  const a = document.createElement('a');
  a.className = 'button';
  a.href = stateUrl({ ...st, page });
  a.rel = rel;
  a.textContent = text;
  a.addEventListener('click', (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate({ ...st, page }, { focus: 'count' });
    el.datosCount.scrollIntoView({ block: 'start' });
  });
  return a;
}

function renderPager(st, count) {
  const pages = Math.ceil((Number(count) || 0) / ROWS);
  if (pages <= 1) {
    el.datosPager.replaceChildren();
    el.datosPager.hidden = true;
    return;
  }
  const parts = [];
  if (st.page > 1) parts.push(pageLink(st, st.page - 1, '‹ Anterior', 'prev'));
  const where = document.createElement('span');
  where.className = 'pager-where';
  where.textContent = `Página ${st.page} de ${pages}`;
  parts.push(where);
  if (st.page < pages) parts.push(pageLink(st, st.page + 1, 'Siguiente ›', 'next'));
  el.datosPager.replaceChildren(...parts);
  el.datosPager.hidden = false;
}

// Tras redibujar, el foco vuelve al botón de faceta pulsado (o al recuento, tras quitar un filtro o cambiar de página).
function restoreFocus(focus) {
  if (!focus) return;
  if (focus === 'count') { el.datosCount.focus({ preventScroll: true }); return; }
  const target = [...el.datosFacetGroups.querySelectorAll('.facet-item')]
    .find((b) => b.dataset.field === focus.field && b.dataset.value === focus.value);
  (target || el.datosCount).focus({ preventScroll: true });
}

// ---------- eventos ----------
el.datosSearch.addEventListener('submit', (e) => {
  e.preventDefault();
  navigate({ ...readState(), q: el.datosQ.value.trim(), page: 1 });
});
el.datosSort.addEventListener('change', () => navigate({ ...readState(), sort: el.datosSort.value, page: 1 }));
window.addEventListener('popstate', () => search(readState()));

el.datosFacets.open = window.matchMedia('(min-width: 801px)').matches;
search(readState()).catch((err) => {
  console.error(err);
  showError('Ocurrió un error inesperado al mostrar el catálogo.');
  setPageState('error');
});
