// OpenVeracruz · Web Worker de la prueba de trabajo (ver pow.js): la página sigue respondiendo mientras se calcula.
import { solve } from '/lib/pow.js';

self.addEventListener('message', async (e) => {
  try {
    self.postMessage({ nonce: await solve(e.data.challenge, e.data.bits) });
  } catch (err) {
    self.postMessage({ error: String(err && err.message ? err.message : err) });
  }
});
