// A6 error summary: its place, heading, focus and links to the fields with their messages (check_error_summary).
const main = mainEl();
const alert = main.querySelector('[role=alert]');
if (!alert) return {found: false};
let root = alert;
const tabbable = alert.closest('[tabindex]');
if (tabbable && tabbable !== main && main.contains(tabbable)) root = tabbable;
const h1 = document.querySelector('h1');
const before = document.createRange();
before.setStart(main, 0); before.setEndBefore(root);
const links = [...root.querySelectorAll('a[href]')].map(a => {
  const href = a.getAttribute('href');
  const id = href.startsWith('#') ? decodeURIComponent(href.slice(1)) : null;
  const target = id ? document.getElementById(id) : null;
  const isField = !!target && target.matches('input, select, textarea, fieldset, [role=group], [role=radiogroup]');
  const holders = target ? [target, target.closest('fieldset')].filter(Boolean) : [];
  const describedBy = [...new Set(holders.flatMap(h => (h.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)))];
  const msgs = describedBy.map(i => document.getElementById(i)).filter(Boolean)
    .filter(m => /^fout:/i.test(norm(m.textContent)) || /error|fout/i.test(m.id + ' ' + (m.getAttribute('class') || '')));
  const msg = msgs[0] || null;
  let hiddenPrefix = false;
  if (msg) {
    const part = [...msg.querySelectorAll('*')].find(e => /^fout:?$/i.test(norm(e.textContent)));
    hiddenPrefix = !!part && visuallyHidden(part);
  }
  const inputs = target ? (target.matches('input, select, textarea') ? [target] : [...target.querySelectorAll('input, select, textarea')]) : [];
  return {href, text: norm(a.textContent), target: target ? desc(target) : null, isField,
          describedBy, msgId: msg ? msg.id : null, msgText: msg ? norm(msg.textContent) : null, hiddenPrefix,
          invalid: inputs.some(i => i.getAttribute('aria-invalid') === 'true')};
});
return {found: true, root: desc(root), alertInside: alert !== root,
        beforeH1: !!h1 && !!(root.compareDocumentPosition(h1) & Node.DOCUMENT_POSITION_FOLLOWING),
        textBefore: norm(before.toString()).slice(0, 80),
        heading: !!root.querySelector('h1, h2, h3, h4, h5, h6, [role=heading]'),
        focused: root.contains(document.activeElement), active: desc(document.activeElement), links};
