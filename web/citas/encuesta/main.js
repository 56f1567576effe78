// OpenVeracruz · Cero Filas: la encuesta de satisfacción de una visita (/citas/encuesta/#CLAVE). La clave llega en el
// fragmento (la consola la muestra al terminar el turno): GET /api/surveys/{clave} da oficina, trámite, día y si ya se
// respondió; POST /api/surveys/{clave} {score, comment} la responde una sola vez (409 si ya se respondió, 404 si la
// clave no existe). Los comentarios no se publican.
import { ApiError, request } from '/lib/api.js';
import { elementsById, setMessage } from '/lib/dom.js';
import { integer, longDate } from '/lib/format.js';

const el = elementsById('main visit view-status survey-form score-problem comment comment-count comment-problem send thanks');
const key = decodeURIComponent(window.location.hash.replace(/^#/, '')).trim();
const url = `/api/surveys/${encodeURIComponent(key)}`;
let maxComment = 500;

function show(state, message, kind) {
  el.main.dataset.ovState = state;
  el.surveyForm.hidden = state !== 'ready';
  el.thanks.hidden = state !== 'thanks';
  setMessage(el.viewStatus, message, kind);
}

const ANSWERED = 'Esta encuesta ya fue respondida. ¡Gracias! (This survey was already answered.)';
const UNKNOWN = 'No encontramos esta encuesta: revise que el enlace esté completo. (Unknown survey link.)';

function showProblem(err) {
  if (err instanceof ApiError && err.status === 409) show('answered', ANSWERED, 'ok');
  else if (err instanceof ApiError && err.status === 404) show('unknown', UNKNOWN, 'error');
  else show(el.main.dataset.ovState === 'loading' ? 'error' : 'ready', err.message, 'error');
}

function updateCount() {
  const n = el.comment.value.length;
  el.commentCount.textContent = `${integer(n)} de ${integer(maxComment)} caracteres`;
  el.commentCount.classList.toggle('error', n >= maxComment);
}

function fieldProblem(node, text) {
  node.textContent = text || '';
  node.hidden = !text;
}

async function load() {
  if (!key) {
    show('unknown', UNKNOWN, 'error');
    return;
  }
  try {
    const form = (await request('GET', url)).data;
    maxComment = form.maxCommentLength;
    el.comment.maxLength = maxComment;
    el.visit.textContent = `${form.service} · ${form.office} · ${longDate(new Date(`${form.day}T12:00:00-06:00`))}`;
    el.visit.hidden = false;
    if (form.answered) {
      show('answered', ANSWERED, 'ok');
      return;
    }
    updateCount();
    show('ready', '');
  } catch (err) {
    showProblem(err);
  }
}

el.comment.addEventListener('input', updateCount);

el.surveyForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const chosen = el.surveyForm.querySelector('input[name="score"]:checked');
  fieldProblem(el.scoreProblem, chosen ? '' : 'Elija una calificación del 1 al 5.');
  fieldProblem(el.commentProblem, '');
  if (!chosen) {
    el.surveyForm.querySelector('input[name="score"]').focus();
    return;
  }
  const comment = el.comment.value.trim();
  el.send.disabled = true;
  try {
    await request('POST', url, { body: { score: Number(chosen.value), comment: comment || null } });
    show('thanks', '');
    el.thanks.focus();
  } catch (err) {
    const field = err.body && err.body.parameter;
    if (err.status === 400 && field === 'comment') fieldProblem(el.commentProblem, err.message);
    else if (err.status === 400 && field === 'score') fieldProblem(el.scoreProblem, err.message);
    else showProblem(err);
  } finally {
    el.send.disabled = false;
  }
});

window.addEventListener('hashchange', () => window.location.reload());

load();
