import { MobilenetError, decodeImage, loadModel } from '../index.js';
import type { Model, Prediction } from '../index.js';

/** A model listed by the server in models/index.json. */
interface ServedModel {
  name: string;
  url: string;
  bytes: number;
  labels?: string;
}

/** What the page exposes for scripts and tests. */
interface PageApi {
  /** Runs the current model on a raw input tensor (values in the input's dtype); resolves to the first output. */
  run(input: number[]): Promise<number[]>;
  /** The last classification shown. */
  last?: { predictions: Prediction[]; inferenceMs: number; decodeMs: number };
  /** The current model's source and input description. */
  model?: { source: string; input: { shape: number[]; dtype: string }; threads: number; inWorker: boolean };
}

const el = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const select = el<HTMLSelectElement>('model-select');
const threadsSelect = el<HTMLSelectElement>('threads-select');
const modelFile = el<HTMLInputElement>('model-file');
const modelStatus = el('model-status');
const imageFile = el<HTMLInputElement>('image-file');
const drop = el('drop');
const preview = el('preview');
const previewImg = el<HTMLImageElement>('preview-img');
const caption = el('preview-caption');
const results = el<HTMLOListElement>('results');
const timing = el('timing');
const errorBox = el('error');

let model: Model | undefined;
let image: Blob | undefined;
let generation = 0;
/** How the current model was loaded, to load it again with other threads. */
let reload: ((threads: number) => void) | undefined;
const api: PageApi = {
  async run(input) {
    if (!model) throw new Error('no model loaded');
    const dtype = model.input.dtype;
    const tensor = dtype === 'uint8' ? Uint8Array.from(input) : dtype === 'int8' ? Int8Array.from(input) : Float32Array.from(input);
    return Array.from((await model.run(tensor))[0] as ArrayLike<number>);
  },
};
(window as unknown as { mobilenetPage: PageApi }).mobilenetPage = api;

function setState(state: 'loading' | 'ready' | 'running' | 'done' | 'error'): void {
  document.body.dataset.state = state;
}

function showError(err: unknown): void {
  const msg = err instanceof MobilenetError ? err.message : `Unexpected error: ${(err as Error)?.message ?? String(err)}`;
  errorBox.textContent = msg;
  errorBox.hidden = false;
  setState('error');
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

function kib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

async function listServed(): Promise<ServedModel[]> {
  try {
    const r = await fetch('models/index.json');
    return r.ok ? ((await r.json()) as ServedModel[]) : [];
  } catch {
    return [];
  }
}

/** Threads chosen on the page (the selector offers more than one only when the page is cross-origin isolated). */
function chosenThreads(): number {
  return Number(threadsSelect.value) || 1;
}

function useModel(name: string, source: string | Blob, labels?: string): void {
  reload = (threads) => void loadInto(name, () => loadModel(source, { labels, threads }), threads);
  reload(chosenThreads());
}

async function loadInto(name: string, load: () => Promise<Model>, threads: number): Promise<void> {
  const mine = ++generation;
  clearError();
  setState('loading');
  modelStatus.textContent = `Loading ${name}…`;
  try {
    const t0 = performance.now();
    const m = await load();
    if (mine !== generation) {
      m.dispose();
      return;
    }
    model?.dispose();
    model = m;
    const { height, width } = m.inputSize;
    const classes = m.output.shape.reduce((a, b) => a * b, 1);
    api.model = { source: m.source, input: { shape: [...m.input.shape], dtype: m.input.dtype }, threads: m.threads, inWorker: m.inWorker };
    const where = m.inWorker ? `${m.threads} thread${m.threads > 1 ? 's' : ''} in a worker` : 'on the page';
    modelStatus.textContent = `${name}: ${width}×${height} ${m.input.dtype} input, ${classes} classes${m.labels ? '' : ' (no labels)'}, ready in ${Math.round(performance.now() - t0)} ms, ${where}.`;
    if (threads !== m.threads) modelStatus.textContent += ` (asked for ${threads})`;
    if (image) await classify(image);
    else setState('ready');
  } catch (err) {
    if (mine === generation) {
      modelStatus.textContent = `Could not load ${name}.`;
      showError(err);
    }
  }
}

function render(predictions: Prediction[]): void {
  results.replaceChildren(
    ...predictions.map((p) => {
      const li = document.createElement('li');
      const line = document.createElement('div');
      line.className = 'label';
      const label = document.createElement('span');
      label.textContent = p.label;
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = `${(100 * p.score).toFixed(1)}%`;
      line.append(label, score);
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.setAttribute('aria-hidden', 'true');
      const fill = document.createElement('span');
      fill.style.width = `${Math.max(0, Math.min(100, 100 * p.score)).toFixed(2)}%`;
      bar.append(fill);
      li.append(line, bar);
      return li;
    }),
  );
}

async function classify(file: Blob): Promise<void> {
  if (!model) {
    modelStatus.textContent = 'Choose a model first.';
    setState('ready');
    return;
  }
  const mine = generation;
  clearError();
  setState('running');
  timing.textContent = 'Classifying…';
  try {
    const t0 = performance.now();
    const rgb = await decodeImage(file);
    const t1 = performance.now();
    const predictions = await model.classify(rgb, { topK: 5 });
    const t2 = performance.now();
    if (mine !== generation || file !== image) return;
    render(predictions);
    api.last = { predictions, inferenceMs: t2 - t1, decodeMs: t1 - t0 };
    const { width, height } = model.inputSize;
    caption.textContent = `${file instanceof File ? file.name + ' · ' : ''}${rgb.width}×${rgb.height}`;
    timing.textContent = `Inference ${(t2 - t1).toFixed(1)} ms at ${width}×${height} (decoding ${(t1 - t0).toFixed(1)} ms).`;
    setState('done');
  } catch (err) {
    timing.textContent = '';
    results.replaceChildren();
    showError(err);
  }
}

function showImage(file: Blob): void {
  image = file;
  if (previewImg.src) URL.revokeObjectURL(previewImg.src);
  previewImg.src = URL.createObjectURL(file);
  caption.textContent = file instanceof File ? file.name : '';
  preview.hidden = false;
  void classify(file);
}

select.addEventListener('change', () => {
  const opt = select.selectedOptions[0];
  if (!opt?.value) return;
  modelFile.value = '';
  useModel(opt.textContent ?? opt.value, opt.value, opt.dataset.labels || undefined);
});

modelFile.addEventListener('change', () => {
  const f = modelFile.files?.[0];
  if (f) useModel(f.name, f);
});

threadsSelect.addEventListener('change', () => reload?.(chosenThreads()));

/** Offers 1 thread, and more up to the cores when the page is cross-origin isolated; `?threads=N` picks one. */
function offerThreads(): void {
  const cores = Math.min(8, navigator.hardwareConcurrency || 1);
  const counts = crossOriginIsolated ? [1, 2, 3, 4, 6, 8].filter((n) => n <= Math.max(2, cores)) : [1];
  threadsSelect.replaceChildren(...counts.map((n) => Object.assign(document.createElement('option'), { value: String(n), textContent: String(n) })));
  const wanted = Number(new URLSearchParams(location.search).get('threads'));
  if (!counts.includes(wanted) && wanted > 1) {
    const o = Object.assign(document.createElement('option'), { value: String(wanted), textContent: String(wanted) });
    threadsSelect.append(o);
  }
  threadsSelect.value = String(wanted >= 1 ? wanted : 1);
  threadsSelect.disabled = counts.length === 1 && !(wanted > 1);
  threadsSelect.title = crossOriginIsolated ? '' : 'Threads need a cross-origin isolated page (COOP/COEP headers)';
}
offerThreads();

imageFile.addEventListener('change', () => {
  const f = imageFile.files?.[0];
  if (f) showImage(f);
});

for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
drop.addEventListener('dragover', () => drop.classList.add('over'));
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  drop.classList.remove('over');
  const f = (e as DragEvent).dataTransfer?.files[0];
  if (f) showImage(f);
});

const served = await listServed();
if (served.length > 0) {
  select.replaceChildren(
    ...served.map((m) => {
      const o = document.createElement('option');
      o.value = m.url;
      o.textContent = `${m.name} (${kib(m.bytes)})`;
      if (m.labels) o.dataset.labels = m.labels;
      return o;
    }),
  );
  select.disabled = false;
  const wanted = new URLSearchParams(location.search).get('model');
  const i = wanted ? served.findIndex((m) => m.name === wanted || m.url === wanted) : 0;
  select.selectedIndex = Math.max(0, i);
  select.dispatchEvent(new Event('change'));
} else {
  modelStatus.textContent = 'No model served here: open a .tflite file.';
  setState('ready');
}
