// A15 target size: the size of every button and choice, or of its label (check_target_size).
const out = [];
const modal = document.querySelector('dialog:modal');  // only what can be reached now
const sel = 'button, input[type=submit], input[type=button], input[type=reset], input[type=image], ' +
            'input[type=file], [role=button], input[type=radio], input[type=checkbox]';
for (const el of document.querySelectorAll(sel)) {
  const cs = getComputedStyle(el);
  if (cs.display === 'none' || cs.visibility === 'hidden' || el.closest('dialog:not([open])')) continue;
  if (modal && !modal.contains(el)) continue;
  const choice = el.type === 'radio' || el.type === 'checkbox';
  const r = el.getBoundingClientRect();
  if (!choice && (r.width === 0 || r.height === 0)) continue;
  let w = r.width, h = r.height, via = 'element';
  if (choice && (w < 24 || h < 24)) {
    for (const lab of el.labels || []) {
      const lr = lab.getBoundingClientRect();
      if (lr.width >= w && lr.height >= h) { w = lr.width; h = lr.height; via = 'label'; }
    }
  }
  out.push({desc: desc(el), w: Math.round(w * 10) / 10, h: Math.round(h * 10) / 10, via});
}
return out;
