// OpenVeracruz · la prueba de trabajo de Cero Filas: un nonce tal que SHA-256("reto:nonce") empiece con `bits` bits en cero
// (lo que el servidor comprueba al confirmar una cita; sin captcha de terceros). Se usa en un Web Worker (pow-worker.js)
// y, si el navegador no puede crearlo, en la página misma.
const BATCH = 256;

function startsWithZeroBits(bytes, bits) {
  for (let i = 0; i < bits; i += 1) if (bytes[i >> 3] & (0x80 >> (i & 7))) return false;
  return true;
}

export async function solve(challenge, bits) {
  if (!globalThis.crypto || !globalThis.crypto.subtle) throw new Error('crypto.subtle no disponible (la página debe abrirse por https)');
  const encoder = new TextEncoder();
  for (let base = 0; ; base += BATCH) {
    const hashes = await Promise.all(Array.from({ length: BATCH }, (_, i) =>
      crypto.subtle.digest('SHA-256', encoder.encode(`${challenge}:${base + i}`))));
    const found = hashes.findIndex((h) => startsWithZeroBits(new Uint8Array(h), bits));
    if (found >= 0) return String(base + found);
  }
}
