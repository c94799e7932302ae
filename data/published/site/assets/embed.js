// <icewatch-list list="declined" heading="…" src="…/companies.json"> — a custom element an organisation
// pastes into its own site. It reads companies.json (from `src`, or beside this script) and renders one
// policy list as plain text nodes: names from the data are never parsed as HTML.
const LISTS = {
  active: (c) => c.status === 'active',
  'recent-obligations': (c) => c.status === 'recent-obligations',
  declined: (c) => c.partnership.some((p) => p.status === 'declined' && p.until === null),
  'past-partner': (c) => c.partnership.some((p) => p.status === 'past-partner' && p.until === null),
  ended: (c) => c.status === 'ended',
  'watchdog-only': (c) => c.status === 'no-record' && c.watchdogLists.length > 0 && !c.partnership.some((p) => p.until === null && p.status !== 'never-reached-out'),
};
const SITE = new URL('../', import.meta.url);

class IcewatchList extends HTMLElement {
  async connectedCallback() {
    const list = this.getAttribute('list') || 'active';
    const select = LISTS[list];
    const src = new URL(this.getAttribute('src') || 'companies.json', SITE);
    const status = document.createElement('p');
    status.textContent = 'Loading…';
    this.replaceChildren(status);
    if (!select) {
      status.textContent = 'Unknown list "' + list + '"; use one of: ' + Object.keys(LISTS).join(', ') + '.';
      return;
    }
    try {
      const res = await fetch(src, { credentials: 'omit' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const data = await res.json();
      const heading = document.createElement('h2');
      heading.textContent = this.getAttribute('heading') || list;
      const ul = document.createElement('ul');
      for (const c of data.companies.filter(select).sort((a, b) => a.name.localeCompare(b.name))) {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = new URL('company/' + encodeURIComponent(c.id) + '.html', SITE).href;
        a.textContent = c.name;
        li.append(a);
        ul.append(li);
      }
      const note = document.createElement('p');
      note.textContent = 'As of ' + data.asOf + ' (icewatch).';
      this.replaceChildren(heading, ul, note);
    } catch (error) {
      status.textContent = 'Could not load the list (' + error.message + ').';
    }
  }
}

if (!customElements.get('icewatch-list')) customElements.define('icewatch-list', IcewatchList);
