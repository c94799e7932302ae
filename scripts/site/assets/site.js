// icewatch: search, filters and sort for the home page. The page is complete without this file; it only
// shows the filter form and hides or reorders rows. The state lives in the URL query, so a filtered view
// can be shared. No network, no eval, no HTML built from strings: only attributes and textContent.
(function () {
  'use strict';
  // Freshness against the reader's clock: the page says it as of the data's date.
  var today = new Date().toISOString().slice(0, 10);
  var banner = document.querySelector('[data-freshness]');
  if (banner) {
    var worst = 'ok';
    Array.prototype.forEach.call(banner.querySelectorAll('li[data-stale-after]'), function (li) {
      var after = li.getAttribute('data-stale-after');
      var state = !li.getAttribute('data-last-success') ? 'failed' : after && after < today ? 'stale' : 'ok';
      if (state === 'failed' || (state === 'stale' && worst === 'ok')) worst = state;
      var label = li.querySelector('[data-state]');
      if (label) {
        label.textContent = state;
        label.className = 'state state-' + state;
      }
    });
    banner.className = 'freshness freshness-' + worst;
    var stamp = banner.querySelector('[data-freshness-date]');
    if (stamp) stamp.textContent = '(today, ' + today + ')';
  }
  var form = document.getElementById('filters');
  if (!form) return;
  var fields = ['q', 'status', 'list', 'min', 'sort'];
  var sections = Array.prototype.slice.call(document.querySelectorAll('[data-section]'));
  var count = document.getElementById('result-count');
  var defaultOrder = new Map();
  var appliedSort = '';
  sections.forEach(function (section) {
    var body = section.querySelector('[data-rows]');
    if (body) defaultOrder.set(body, Array.prototype.slice.call(body.querySelectorAll('[data-id]')));
  });

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var state = {};
    fields.forEach(function (f) { state[f] = params.get(f) || ''; });
    return state;
  }

  function writeForm(state) {
    fields.forEach(function (f) {
      var el = form.elements.namedItem(f);
      if (!el) return;
      if (el.tagName === 'SELECT' && state[f] && !Array.prototype.some.call(el.options, function (o) { return o.value === state[f]; })) return;
      el.value = state[f] || (f === 'sort' ? 'name' : '');
    });
  }

  function formState() {
    var state = {};
    fields.forEach(function (f) {
      var el = form.elements.namedItem(f);
      state[f] = el ? String(el.value).trim() : '';
    });
    if (state.sort === 'name') state.sort = '';
    return state;
  }

  function apply(state) {
    var q = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    var min = state.min === '' ? null : Number(state.min);
    var shown = 0;
    var seen = new Set();
    sections.forEach(function (section) {
      var id = section.getAttribute('data-section');
      var hideSection = state.status !== '' && state.status !== id;
      var body = section.querySelector('[data-rows]');
      var rows = defaultOrder.get(body) || [];
      var visible = 0;
      rows.forEach(function (row) {
        var text = row.getAttribute('data-search') || '';
        var lists = (row.getAttribute('data-lists') || '').split(' ');
        var obligated = Number(row.getAttribute('data-obligated') || '0');
        var ok = !hideSection &&
          q.every(function (term) { return text.indexOf(term) !== -1; }) &&
          (state.list === '' || lists.indexOf(state.list) !== -1) &&
          (min === null || isNaN(min) || obligated >= min);
        // Touch only rows that change: the home page has one row per company.
        if (row.hidden === ok) row.hidden = !ok;
        if (ok) {
          visible += 1;
          seen.add(row.getAttribute('data-id'));
        }
      });
      // Rows move only when the order changes: moving a row between a click's mousedown and mouseup
      // (a search field's change event fires on that blur) would swallow the click.
      if (body && state.sort !== appliedSort) {
        var ordered = rows.slice();
        if (state.sort === 'obligated') {
          ordered.sort(function (a, b) { return Number(b.getAttribute('data-obligated')) - Number(a.getAttribute('data-obligated')); });
        }
        ordered.forEach(function (row) { body.appendChild(row); });
      }
      if (section.hidden !== hideSection) section.hidden = hideSection;
      var counter = section.querySelector('[data-count]');
      if (counter) counter.textContent = String(visible);
      var empty = section.querySelector('.empty');
      if (empty) empty.hidden = visible !== 0;
      var wrap = section.querySelector('[data-rows-wrap]') || body;
      if (wrap && wrap.hidden !== (visible === 0)) wrap.hidden = visible === 0;
      shown += visible;
    });
    appliedSort = state.sort;
    if (count) count.textContent = seen.size + (seen.size === 1 ? ' company matches.' : ' companies match.');
  }

  function update() {
    var state = formState();
    apply(state);
    var params = new URLSearchParams();
    fields.forEach(function (f) { if (state[f]) params.set(f, state[f]); });
    var url = new URL(window.location.href);
    url.search = params.toString();
    if (url.href !== window.location.href) window.history.replaceState(null, '', url.href);
  }

  form.hidden = false;
  var initial = readState();
  writeForm(initial);
  apply(formState());
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  form.addEventListener('submit', function (event) { event.preventDefault(); update(); });
  form.addEventListener('reset', function () { window.setTimeout(update, 0); });
  window.addEventListener('popstate', function () { writeForm(readState()); apply(formState()); });
  // When the page became usable, for the browser test's interactivity budget.
  document.documentElement.setAttribute('data-ready', String(Math.round(performance.now())));
})();
