// OpenVeracruz · ayudas de DOM y de texto de todas las páginas. Todo texto proveniente de la API se inserta con
// textContent o escapado.

// Referencias al DOM por id: 'info-panel' -> el.infoPanel, etc.
export function elementsById(ids) {
  return Object.fromEntries(ids.split(/\s+/).filter(Boolean)
    .map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), document.getElementById(id)]));
}

export function setMessage(node, text, kind) {
  node.textContent = text || '';
  node.classList.toggle('error', kind === 'error');
  node.classList.toggle('ok', kind === 'ok');
}

export function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function normalizeKey(value) {
  return String(value ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[_-]+/g, ' ').trim().toLowerCase();
}

// Sólo enlaces http(s) (o relativos) de la API se usan como href: nunca javascript: ni data:.
export function safeUrl(url) {
  if (!url) return null;
  try {
    const u = new URL(String(url), window.location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
