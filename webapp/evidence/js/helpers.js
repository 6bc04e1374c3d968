// Helpers for every check. Each other file in this folder (but axe-run.js) is the body of a function,
//   (arg) => { <helpers.js> <measure.js, if the check uses it> <the file> }
// assembled by checks._js and run with page.evaluate: `arg` is what the check passes, `return`
// gives its facts back to Python, where the check judges them.
const norm = s => (s || '').replace(/\s+/g, ' ').trim();
const desc = el => {
  if (!el || !el.tagName) return String(el);
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  const cls = (el.getAttribute('class') || '').trim().split(/\s+/).filter(Boolean).slice(0, 2);
  if (cls.length) s += '.' + cls.join('.');
  const n = el.getAttribute('name'); if (n && !el.id) s += '[name="' + n + '"]';
  const t = el.getAttribute('type'); if (t && el.tagName === 'INPUT') s += '[type=' + t + ']';
  const text = norm(el.innerText || el.getAttribute('aria-label') || '').slice(0, 50);
  if (text) s += ' "' + text + '"';
  return s;
};
const rendered = el => {
  const cs = getComputedStyle(el);
  if (cs.display === 'none' || cs.visibility === 'hidden') return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const visuallyHidden = el => {
  const r = el.getBoundingClientRect();
  const cs = getComputedStyle(el);
  return (r.width <= 1 && r.height <= 1) || cs.clip === 'rect(0px, 0px, 0px, 0px)' ||
    cs.clipPath === 'inset(50%)';
};
const textOf = el => {
  // Text as the accessibility tree sees it: hidden-for-AT parts left out, visually hidden kept.
  if (!el) return '';
  const walk = n => {
    if (n.nodeType === Node.TEXT_NODE) return n.textContent;
    if (n.nodeType !== Node.ELEMENT_NODE) return '';
    if (n.getAttribute('aria-hidden') === 'true' || n.hidden) return '';
    return [...n.childNodes].map(walk).join('');
  };
  return norm(walk(el));
};
const accName = el => {
  if (!el) return '';
  const by = el.getAttribute('aria-labelledby');
  if (by) return norm(by.split(/\s+/).map(i => textOf(document.getElementById(i))).join(' '));
  const label = el.getAttribute('aria-label');
  if (label) return norm(label);
  if (el.labels && el.labels.length) return norm([...el.labels].map(textOf).join(' '));
  return textOf(el) || norm(el.value || el.getAttribute('title') || '');
};
const mainEl = () => document.querySelector('main') || document.body;
const stepForm = () => {
  const m = mainEl();
  return m.querySelector('form[data-step-type]') || m.querySelector('form[method="post" i]') ||
    m.querySelector('form');
};
