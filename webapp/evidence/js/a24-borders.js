// A24 forced colours: input fields without a border on all four sides (check_forced_colors).
const out = [];
for (const el of document.querySelectorAll('input, select, textarea')) {
  const t = (el.getAttribute('type') || el.tagName).toLowerCase();
  if (['hidden', 'radio', 'checkbox', 'submit', 'button', 'reset', 'image', 'file'].includes(t)) continue;
  if (!rendered(el) || el.closest('dialog:not([open])')) continue;
  const cs = getComputedStyle(el);
  const sides = ['Top', 'Right', 'Bottom', 'Left'].filter(s => cs['border' + s + 'Style'] !== 'none' &&
    parseFloat(cs['border' + s + 'Width']) > 0);
  if (sides.length < 4) out.push(desc(el) + ' (rand aan ' + sides.length + ' van 4 kanten)');
}
return out;
