// OpenVeracruz · Cero Filas: la pantalla de la sala de espera (/turnos/{oficina}). Se actualiza en vivo con Server-Sent
// Events (/api/screens/{oficina}/events), no consultando cada tanto; EventSource se reconecta solo tras un corte y la
// pantalla lo dice con discreción («reconectando…»). Suena un aviso (Web Audio, sin archivo) con cada turno llamado.
import { fetchJson } from '/lib/api.js';
import { elementsById } from '/lib/dom.js';
import { integer, timeOfDay } from '/lib/format.js';

const el = elementsById('office-name clock connection sound now-code now-desk called-body queues offices screen-error');
const office = decodeURIComponent(window.location.pathname.replace(/^\/turnos\/?/, '').replace(/\/$/, ''));
// para las pruebas y el personal: cuántas veces se dibujó la pantalla y cuántos avisos sonaron
window.ovScreen = { renders: 0, chimes: 0, connected: false };

let audio = null;
let seen = null; // id del turno → su último llamado

function clock() { el.clock.textContent = timeOfDay(Date.now()); }
clock();
setInterval(clock, 10_000);

// ---------- Aviso sonoro ----------
function ensureAudio() {
  if (!audio) {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { el.sound.hidden = true; return; }
    audio = new Ctx();
  }
  if (audio.state === 'suspended') audio.resume().catch(() => {});
}

function chime() {
  window.ovScreen.chimes += 1;
  if (!audio || audio.state !== 'running') return;
  const now = audio.currentTime;
  for (const [i, freq] of [[0, 880], [1, 660]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const t = now + i * 0.45;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.4, t + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.8);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + 0.85);
  }
}

el.sound.addEventListener('click', () => {
  ensureAudio();
  el.sound.setAttribute('aria-pressed', 'true');
});

// ---------- Dibujo ----------
function render(s) {
  el.officeName.textContent = s.officeName;
  document.title = `Turnos · ${s.officeName}`;
  const latest = s.called[0];
  el.nowCode.textContent = latest ? latest.code : '—';
  el.nowDesk.textContent = latest ? latest.desk : '';
  el.calledBody.replaceChildren(...s.called.slice(1, 7).map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.code = c.code;
    const code = document.createElement('td');
    code.textContent = c.code;
    const desk = document.createElement('td');
    desk.textContent = c.desk;
    tr.append(code, desk);
    return tr;
  }));
  el.queues.replaceChildren(...s.queues.map((q) => {
    const li = document.createElement('li');
    li.dataset.prefix = q.prefix;
    li.innerHTML = '<span class="service"></span><span><span class="count"></span> <span class="wait"></span></span><span class="next"></span>';
    li.querySelector('.service').textContent = `${q.prefix} · ${q.service}`;
    li.querySelector('.count').textContent = integer(q.waiting);
    li.querySelector('.wait').textContent = q.waiting ? `· ~${integer(q.estimatedWaitMinutes)} min` : '';
    // los siguientes en ser llamados (sólo códigos, nunca nombres)
    const next = q.next || [];
    li.querySelector('.next').textContent = next.length ? `Siguen: ${next.join(', ')}` : '';
    li.querySelector('.next').hidden = !next.length;
    li.setAttribute('aria-label', `${q.service}: ${integer(q.waiting)} en espera, unos ${integer(q.estimatedWaitMinutes)} minutos${next.length ? `; siguen ${next.join(', ')}` : ''}`);
    return li;
  }));
  // un turno nuevo en la lista, o uno que se volvió a llamar: aviso
  const now = new Map(s.called.map((c) => [c.id, `${c.callCount}|${c.calledAt}`]));
  if (seen && s.called.some((c) => seen.get(c.id) !== now.get(c.id))) {
    chime();
    const box = el.nowCode.parentElement;
    box.classList.remove('flash');
    void box.offsetWidth; // reinicia la animación
    box.classList.add('flash');
  }
  seen = now;
  window.ovScreen.renders += 1;
  document.body.dataset.renders = String(window.ovScreen.renders);
}

// ---------- Conexión en vivo ----------
function setConnected(ok) {
  window.ovScreen.connected = ok;
  el.connection.hidden = ok;
}

function connect() {
  const source = new EventSource(`/api/screens/${encodeURIComponent(office)}/events`);
  // conectada de verdad cuando llega el estado (el servidor lo manda al conectar), no sólo al abrirse la conexión
  source.addEventListener('turns', (e) => {
    setConnected(true);
    try { render(JSON.parse(e.data)); } catch { /* un mensaje incompleto: llega otro con el siguiente cambio */ }
  });
  source.addEventListener('error', async () => {
    setConnected(false);
    if (source.readyState !== EventSource.CLOSED) return; // EventSource reintenta solo (retry: 3000)
    // cerrada (respuesta que no es un flujo): ¿existe la oficina? si no, se dice; si sí, se vuelve a abrir
    try {
      await fetchJson(`/api/screens/${encodeURIComponent(office)}`);
    } catch (err) {
      if (err.status === 404) { showError(err.message); return; }
    }
    setTimeout(connect, 5000);
  });
}

function showError(text) {
  el.screenError.textContent = text;
  el.screenError.hidden = false;
  el.connection.hidden = true;
}

async function chooseOffice() {
  el.officeName.textContent = 'Pantallas de turnos';
  try {
    const offices = await fetchJson('/api/appointments/offices');
    const unique = [...new Map(offices.map((o) => [o.code, o.name])).entries()];
    el.offices.replaceChildren(...unique.map(([code, name]) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `/turnos/${encodeURIComponent(code)}`;
      a.textContent = name;
      li.append(a);
      return li;
    }));
    el.offices.hidden = false;
  } catch (err) {
    showError(err.message);
  }
}

try { ensureAudio(); } catch { /* sin audio */ }
if (audio && audio.state === 'running') el.sound.setAttribute('aria-pressed', 'true');
if (office) connect(); else chooseOffice();
