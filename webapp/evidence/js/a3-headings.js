// A3 headings: the h1s, choices and date parts outside a fieldset, the first question group (check_headings).
const h1s = [...document.querySelectorAll('h1')];
const legendOf = el => { const fs = el.closest('fieldset'); const lg = fs && fs.querySelector('legend');
  return lg && norm(lg.textContent) ? lg : null; };
const ungrouped = [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
  .filter(i => !legendOf(i)).map(desc);
const dateParts = [...document.querySelectorAll('input')]
  .filter(i => /^(dag|maand|jaar)$/i.test(norm([...(i.labels || [])].map(l => l.textContent).join(' '))))
  .filter(i => !legendOf(i)).map(desc);
const form = stepForm();
const groups = [];
if (form) {
  for (const el of form.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const choice = el.type === 'radio' || el.type === 'checkbox';
    if (!choice && !rendered(el)) continue;
    const fs = el.closest('fieldset');
    const g = fs && form.contains(fs) ? fs : el;
    if (!groups.includes(g)) groups.push(g);
  }
}
let firstIsH1 = null, first = null;
if (groups.length && h1s.length === 1) {
  const g = groups[0], h1 = h1s[0];
  first = desc(g);
  if (g.tagName === 'FIELDSET') { const lg = g.querySelector('legend'); firstIsH1 = !!lg && lg.contains(h1); }
  else firstIsH1 = [...(g.labels || [])].some(l => h1.contains(l) || l.contains(h1));
}
return {h1: h1s.map(h => norm(h.textContent)), ungrouped, dateParts, groups: groups.length, first, firstIsH1};
