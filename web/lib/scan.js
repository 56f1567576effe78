// Lectura de un código QR con la cámara del dispositivo (BarcodeDetector, donde el navegador lo tiene).
// Sin él, o sin permiso de cámara, la página pide escribir el código: la cámara es una comodidad, nunca el único camino.

export async function canScanQr() {
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices?.getUserMedia) return false;
  try { return (await window.BarcodeDetector.getSupportedFormats()).includes('qr_code'); } catch { return false; }
}

// Un lector sobre `video` dentro de `panel`: start() abre la cámara y mira cuatro veces por segundo; `pick` recibe los
// textos leídos y devuelve el que sirve (o nada); con uno, el lector se detiene y llama a onValue.
export function qrScanner({ video, panel, pick, onValue, onCameraError }) {
  let stream = null;
  const stop = () => {
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    panel.hidden = true;
  };
  async function start() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch {
      onCameraError();
      return;
    }
    video.srcObject = stream;
    panel.hidden = false;
    await video.play().catch(() => {});
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    const look = async () => {
      if (!stream) return;
      try {
        const value = pick((await detector.detect(video)).map((c) => c.rawValue));
        if (value) { stop(); onValue(value); return; }
      } catch { /* cuadro sin imagen todavía */ }
      setTimeout(look, 250);
    };
    look();
  }
  return { start, stop };
}
