// OpenVeracruz · utilidades compartidas por el mapa ciudadano y el catálogo de datos (ES2020, sin bundler).
// Todo texto proveniente de la API se inserta con textContent o escapado.
'use strict';

window.OV = (() => {
  const DEFAULT_MAP_CONFIG = Object.freeze({
    tileUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', tileAttribution: '© OpenStreetMap contributors',
    center: [19.17, -96.14], zoom: 12, parcelMinZoom: 16, maxFeaturesPerRequest: 2000,
  });
  const TILE_ERRORS_BEFORE_NOTICE = 3;

  class ApiError extends Error {
    constructor(message, status, body) {
      super(message);
      this.status = status;
      this.body = body ?? null;
    }
  }

  // Referencias al DOM por id: 'info-panel' -> el.infoPanel, etc.
  function elementsById(ids) {
    return Object.fromEntries(ids.split(/\s+/).filter(Boolean)
      .map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), document.getElementById(id)]));
  }

  function escapeHtml(text) {
    return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  function normalizeKey(value) {
    return String(value ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[_-]+/g, ' ').trim().toLowerCase();
  }

  function withQuery(url, params) {
    const qs = new URLSearchParams(params).toString().replace(/%2C/gi, ','); // bbox=a,b,c,d legible
    return url + (url.includes('?') ? '&' : '?') + qs;
  }

  // Sólo enlaces http(s) (o relativos) de la API se usan como href: nunca javascript: ni data:.
  function safeUrl(url) {
    if (!url) return null;
    try {
      const u = new URL(String(url), window.location.href);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch {
      return null;
    }
  }

  // Mensajes cuando la respuesta de error no trae un problema RFC 9457 con su detalle.
  const STATUS_MESSAGES = Object.freeze({
    401: 'Su sesión terminó o no ha iniciado sesión.',
    403: 'Su cuenta no tiene permiso para esta acción.',
    404: 'No se encontró la información solicitada.',
    429: 'Demasiados intentos seguidos: espere un minuto y vuelva a intentarlo.',
  });

  // Una petición a la API con cuerpo JSON opcional: { data, etag, status }. Los errores RFC 9457 se convierten
  // en ApiError con el detalle en español; la cancelación (AbortError) se propaga tal cual.
  async function request(method, url, { body, headers, signal } = {}) {
    let res;
    try {
      res = await fetch(url, {
        method,
        signal,
        credentials: 'same-origin',
        headers: {
          Accept: 'application/json, application/geo+json, application/problem+json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(method === 'GET' ? {} : { 'X-Requested-With': 'OpenVeracruz' }), // la prueba de que viene de nuestras páginas (CSRF)
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError('No se pudo conectar con el servidor. Revise su conexión e inténtelo de nuevo.', 0);
    }
    if (res.ok) {
      let data = null;
      if (res.status !== 204) {
        try { data = await res.json(); } catch { throw new ApiError('La respuesta del servidor no es válida.', res.status); }
      }
      return { data, etag: res.headers.get('ETag'), status: res.status };
    }
    let problem = null;
    try { problem = await res.json(); } catch { /* cuerpo sin JSON */ }
    const msg = problem && (problem.detail_es || problem.detail || problem.title_es || problem.title);
    throw new ApiError(msg ? String(msg) : (STATUS_MESSAGES[res.status] || `Error del servidor (${res.status}).`), res.status, problem);
  }

  // GET + JSON: sólo los datos.
  async function fetchJson(url, signal) {
    return (await request('GET', url, { signal })).data;
  }

  function setMessage(node, text, kind) {
    node.textContent = text || '';
    node.classList.toggle('error', kind === 'error');
    node.classList.toggle('ok', kind === 'ok');
  }

  // Configuración del mapa (/api/config) sobre los valores por omisión.
  async function mapConfig(signal) {
    return { ...DEFAULT_MAP_CONFIG, ...(await fetchJson('/api/config', signal)) };
  }

  function setLeafletPrefix(map) {
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener">Leaflet</a>');
  }

  // Mapa base con tolerancia a la falta de red: tras varios errores de mosaico (o sin URL configurada)
  // se llama a onUnavailable y el mapa sigue mostrando las capas de la plataforma.
  function addBaseTiles(map, config, onUnavailable) {
    if (!config.tileUrl) { onUnavailable(); return null; }
    let errors = 0;
    let reported = false;
    const tiles = window.L.tileLayer(config.tileUrl, {
      maxZoom: 19,
      attribution: escapeHtml(config.tileAttribution || ''),
    });
    tiles.on('tileerror', () => {
      errors += 1;
      if (errors >= TILE_ERRORS_BEFORE_NOTICE && !reported) {
        reported = true;
        onUnavailable();
      }
    });
    return tiles.addTo(map);
  }

  // Estilo de las capas de referencia, el mismo en el mapa ciudadano y en el del catálogo.
  function referenceStyle(geometryType, layerId) {
    if (/Point/.test(geometryType || '')) {
      return { kind: 'point', color: '#ffffff', fillColor: '#7a1f5c', weight: 1, radius: 4, fillOpacity: 0.9 };
    }
    if (/munic/i.test(layerId || '')) {
      return { kind: 'line', color: '#1d3557', weight: 3, opacity: 0.9, fill: false };
    }
    return { kind: 'area', color: '#2a9d8f', weight: 1, opacity: 0.8, fillColor: '#2a9d8f', fillOpacity: 0.12 };
  }

  function featureLabel(props) {
    const p = props || {};
    return p.nombre || p.name || p.nom_loc || p.nomgeo || p.NOMGEO || p.NOM_LOC || p.title || '';
  }

  return Object.freeze({
    DEFAULT_MAP_CONFIG, ApiError, elementsById, escapeHtml, normalizeKey, withQuery, safeUrl, request, fetchJson, setMessage,
    mapConfig, setLeafletPrefix, addBaseTiles, referenceStyle, featureLabel,
  });
})();
