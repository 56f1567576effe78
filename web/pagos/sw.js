// OpenVeracruz · service worker de las páginas de pago (alcance /pagos/): la aplicación móvil del ciudadano.
// - El armazón de la página (HTML, módulos, estilos, manifiesto, iconos) se guarda al instalar.
// - GET: primero la red (lo más reciente), y sin conexión lo guardado. Las respuestas de la orden de pago
//   (/api/payments/orders/{línea}) y su QR y de los recibos abiertos (/api/payments/receipts/…) se guardan al recibirlas, para
//   verlas sin conexión. Nada más de la API se guarda, y nunca una petición que no sea GET (pagos, órdenes nuevas).
const VERSION = 'ov-pagos-v2';
const SHELL = [
  '/pagos/', '/pagos/main.js', '/pagos/pagos.css', '/pagos/manifest.webmanifest', '/pagos/icons/icon-192.png', '/pagos/icons/icon-512.png',
  '/common.css', '/lib/api.js', '/lib/dom.js', '/lib/format.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith('ov-pagos-') && n !== VERSION).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

// Lo que se guarda al pasar: el armazón y, de la API, solo la orden y los recibos que el ciudadano abrió.
function keeps(url) {
  if (url.pathname.startsWith('/api/')) {
    return /^\/api\/payments\/orders\/[0-9 %]+$/.test(url.pathname) || /^\/api\/payments\/orders\/[0-9]+\/qr\.png$/.test(url.pathname) || /^\/api\/payments\/receipts\/[^/]+(\/print)?$/.test(url.pathname);
  }
  return SHELL.includes(url.pathname);
}

async function networkFirst(request, url) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok && keeps(url)) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const kept = await cache.match(request, { ignoreVary: true });
    if (kept) return kept;
    if (request.mode === 'navigate') {
      const shell = await cache.match('/pagos/');
      if (shell) return shell;
    }
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return; // los pagos y las órdenes nuevas van siempre a la red, sin guardarse
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  event.respondWith(networkFirst(request, url));
});
