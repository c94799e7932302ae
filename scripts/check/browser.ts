/// <reference lib="dom" />
/**
 * The site's check page, bundled into check.js. It fetches the two published files from its own origin and
 * runs the very checker `icewatch check` runs; the list a person pastes or drops never leaves the page.
 * Everything is built with DOM APIs and textContent (names are untrusted text), so no markup is parsed.
 */
import { createChecker, type Checker, type CheckResult } from './core.ts';
import { CheckInputError, parseCheckInput } from './input.ts';
import { assertCheckData } from './data-shape.ts';
import { companyText, confidenceText, renderCsv, renderJson, statusText } from './render.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const state: { checker?: Checker; fileName?: string; urls: string[] } = { urls: [] };

function setStatus(text: string): void {
  $('check-status').textContent = text;
}

async function loadChecker(): Promise<Checker> {
  const [index, published] = await Promise.all(
    ['check-index.json', 'companies.json'].map(async (file) => {
      const response = await fetch(file, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
      return response.json() as Promise<unknown>;
    }),
  );
  const data = assertCheckData(index, published, 'this site');
  const asOf = $<HTMLInputElement>('check-as-of');
  if (!asOf.value) asOf.value = data.published.asOf;
  $('check-data-as-of').textContent = data.published.asOf;
  return createChecker(data.index, data.published);
}

function link(text: string, href: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.textContent = text;
  // Published evidence links are https; anything else is shown as text, never followed.
  if (/^https:\/\//.test(href)) {
    a.href = href;
    a.rel = 'noopener noreferrer';
  }
  return a;
}

function td(text: string, className?: string): HTMLTableCellElement {
  const cell = document.createElement('td');
  cell.textContent = text;
  if (className) cell.className = className;
  return cell;
}

function renderResult(result: CheckResult): void {
  const body = $<HTMLTableSectionElement>('check-rows');
  const rows = document.createDocumentFragment();
  for (const r of result.rows) {
    const tr = document.createElement('tr');
    tr.dataset.line = String(r.line);
    tr.dataset.outcome = r.outcome;
    tr.dataset.status = r.outcome === 'possible' ? 'possible-match' : (r.status ?? 'no-record');
    if (r.attention) tr.className = 'attention';
    tr.append(td(String(r.line)), td(r.input), td(companyText(r)), td(statusText(r), 'status'), td(confidenceText(r)));
    const detail = document.createElement('td');
    const note = document.createElement('p');
    note.textContent = r.note;
    detail.append(note);
    if (r.evidence.length) {
      const list = document.createElement('ul');
      for (const e of r.evidence) {
        const li = document.createElement('li');
        li.append(link(e.label, e.url));
        list.append(li);
      }
      detail.append(list);
    }
    tr.append(detail);
    rows.append(tr);
  }
  body.replaceChildren(rows);
  $('check-summary').textContent = result.summaryLine;
  for (const url of state.urls) URL.revokeObjectURL(url);
  state.urls = [];
  for (const [id, content, type] of [
    ['check-download-csv', renderCsv(result), 'text/csv'],
    ['check-download-json', renderJson(result), 'application/json'],
  ] as const) {
    const url = URL.createObjectURL(new Blob([content], { type: `${type};charset=utf-8` }));
    state.urls.push(url);
    const a = $<HTMLAnchorElement>(id);
    a.href = url;
    a.hidden = false;
  }
  $('check-results').hidden = false;
}

async function runCheck(event: Event): Promise<void> {
  event.preventDefault();
  const text = $<HTMLTextAreaElement>('check-names').value;
  try {
    state.checker ??= await loadChecker();
    const started = performance.now();
    const entries = parseCheckInput(text, state.fileName);
    if (entries.length === 0) {
      setStatus('Paste at least one name, or choose a file.');
      return;
    }
    const asOf = $<HTMLInputElement>('check-as-of').value || undefined;
    const result = state.checker.check(entries, { asOf });
    renderResult(result);
    const ms = Math.round(performance.now() - started);
    document.body.dataset.checkMs = String(ms);
    setStatus(`Checked ${entries.length} name${entries.length === 1 ? '' : 's'} in ${ms} ms, in this browser.`);
  } catch (error) {
    setStatus(error instanceof CheckInputError ? `Cannot read the list: ${error.message}` : `The check could not run: ${(error as Error).message}`);
  }
}

async function useFile(file: File): Promise<void> {
  state.fileName = file.name;
  $<HTMLTextAreaElement>('check-names').value = await file.text();
  setStatus(`Loaded ${file.name}. Press "Check" to screen it.`);
}

function start(): void {
  const form = $<HTMLFormElement>('check-form');
  const names = $<HTMLTextAreaElement>('check-names');
  form.addEventListener('submit', (e) => void runCheck(e));
  // Typing after a file was loaded makes it a pasted list again (a CSV is still recognised by its header).
  names.addEventListener('input', () => (state.fileName = undefined));
  $<HTMLInputElement>('check-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void useFile(file);
  });
  names.addEventListener('dragover', (e) => e.preventDefault());
  names.addEventListener('drop', (e) => {
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    e.preventDefault();
    void useFile(file);
  });
  loadChecker().then(
    (checker) => {
      state.checker = checker;
      document.body.dataset.checkReady = 'true';
      setStatus('Ready. Nothing you enter leaves this page.');
    },
    (error: Error) => setStatus(`The published data could not be loaded: ${error.message}`),
  );
}

start();
