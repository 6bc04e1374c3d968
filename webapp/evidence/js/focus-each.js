// A16/A17/A24: focus every element in sequential focus order by script and measure it (check_focus_each, check_forced_colors).
// Faster than a Tab loop: used at 320 px and in forced colours, after the real Tab loop at 1280 px has checked the order.
const sel = 'a[href], area[href], button, input, select, textarea, iframe, summary, [tabindex], ' +
            '[contenteditable=""], [contenteditable="true"]';
const modal = document.querySelector('dialog:modal');
const all = [...document.querySelectorAll(sel)].filter(el => {
  if (el.disabled || el.tabIndex < 0 || el.type === 'hidden') return false;
  if (el.closest('[inert], dialog:not([open])') || (modal && !modal.contains(el))) return false;
  const cs = getComputedStyle(el);
  return cs.visibility !== 'hidden' && cs.display !== 'none' && el.getClientRects().length > 0;
});
const stops = [], groups = new Set();
for (const el of all) {
  if (el.type === 'radio' && el.name) {
    const key = el.name + '@' + (el.form ? [...document.forms].indexOf(el.form) : -1);
    if (groups.has(key)) continue;
    groups.add(key);
    const group = all.filter(o => o.type === 'radio' && o.name === el.name && o.form === el.form);
    stops.push(group.find(o => o.checked) || el);
  } else stops.push(el);
}
stops.sort((a, b) => (a.tabIndex > 0 ? a.tabIndex : 1e9) - (b.tabIndex > 0 ? b.tabIndex : 1e9));
const out = [];
for (const el of stops) { el.focus(); if (document.activeElement === el) out.push(measure(el)); }
if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
scrollTo(0, 0);
return out;
