// OpenVeracruz · la única vía de las páginas hacia la API: toda petición pasa por request(). Los errores se vuelven
// ApiError con el detalle en español del problema RFC 9457, y las peticiones que cambian algo llevan la cabecera
// X-Requested-With que el servidor exige a las firmadas por cookie (un formulario de otro sitio no puede ponerla: CSRF).

export class ApiError extends Error {
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body ?? null;
  }
}

// Mensajes cuando la respuesta de error no trae un problema RFC 9457 con su detalle.
const STATUS_MESSAGES = Object.freeze({
  401: 'Su sesión terminó o no ha iniciado sesión.',
  403: 'Su cuenta no tiene permiso para esta acción.',
  404: 'No se encontró la información solicitada.',
  429: 'Demasiados intentos seguidos: espere un minuto y vuelva a intentarlo.',
});

export function withQuery(url, params) {
  const qs = new URLSearchParams(params).toString().replace(/%2C/gi, ','); // bbox=a,b,c,d legible
  return url + (url.includes('?') ? '&' : '?') + qs;
}

// Una petición a la API con cuerpo JSON opcional: { data, etag, status }. La cancelación (AbortError) se propaga tal cual.
export async function request(method, url, { body, headers, signal } = {}) {
  let res;
  try {
    res = await fetch(url, {
      method,
      signal,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json, application/geo+json, application/problem+json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(method.toUpperCase() === 'GET' ? {} : { 'X-Requested-With': 'OpenVeracruz' }),
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
    return { data, etag: res.headers.get('ETag'), status: res.status, date: res.headers.get('Date') };
  }
  let problem = null;
  try { problem = await res.json(); } catch { /* cuerpo sin JSON */ }
  const msg = problem && (problem.detail_es || problem.detail || problem.title_es || problem.title);
  throw new ApiError(msg ? String(msg) : (STATUS_MESSAGES[res.status] || `Error del servidor (${res.status}).`), res.status, problem);
}

// GET de un archivo (PNG, .ics…) como Blob, con cabeceras propias (p. ej. el token de una cita, que así no viaja en la URL).
export async function fetchBlob(url, { headers, signal } = {}) {
  let res;
  try {
    res = await fetch(url, { signal, credentials: 'same-origin', headers });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError('No se pudo conectar con el servidor. Revise su conexión e inténtelo de nuevo.', 0);
  }
  if (res.ok) return res.blob();
  let problem = null;
  try { problem = await res.json(); } catch { /* cuerpo sin JSON */ }
  const msg = problem && (problem.detail_es || problem.detail);
  throw new ApiError(msg ? String(msg) : (STATUS_MESSAGES[res.status] || `Error del servidor (${res.status}).`), res.status, problem);
}

// GET + JSON: sólo los datos.
export async function fetchJson(url, signal) {
  return (await request('GET', url, { signal })).data;
}
