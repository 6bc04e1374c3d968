// measure(el): position, focus style and whether the focus is covered; used by focus-stop.js and focus-each.js.
const measure = el => {
  const r = el.getBoundingClientRect();
  const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
  // An inline element that wraps has one box per line: the focus is free if any box's centre is.
  const boxes = [...el.getClientRects()].filter(b => b.width > 0 && b.height > 0).slice(0, 4);
  let free = false, hit = null;
  for (const b of (boxes.length ? boxes : [r])) {
    const cx = Math.min(Math.max(b.left + b.width / 2, 0), vw - 1);
    const cy = Math.min(Math.max(b.top + b.height / 2, 0), vh - 1);
    const h = document.elementFromPoint(cx, cy);
    let ok = !!h && (h === el || el.contains(h));
    if (!ok && h) { const lab = h.closest('label'); if (lab && lab.control === el) ok = true; }
    if (hit === null || ok) hit = h;
    if (ok) { free = true; break; }
  }
  const paint = (node, pseudo) => { const cs = getComputedStyle(node, pseudo);
    return {outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth) || 0, color: cs.outlineColor,
            shadow: cs.boxShadow}; };
  const styles = [paint(el, null)];
  for (const lab of el.labels || []) { styles.push(paint(lab, '::before')); styles.push(paint(lab, '::after')); }
  const path = [];
  for (let n = el; n && n.parentElement; n = n.parentElement) path.unshift([...n.parentElement.children].indexOf(n));
  const pos = getComputedStyle(el).position;
  return {key: path.join('.'), desc: desc(el), x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height,
          free, hit: hit ? desc(hit) : null, styles, positioned: pos === 'absolute' || pos === 'fixed'};
};
