// A14 reflow: viewport and scroll width, the elements that stick out (check_reflow).
const vw = document.documentElement.clientWidth;
const sw = document.documentElement.scrollWidth;
const wide = [];
if (sw > vw) {
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1 && rendered(el)) {
      wide.push(desc(el) + ' (rechterkant ' + Math.round(r.right + scrollX) + 'px)');
      if (wide.length >= 6) break;
    }
  }
}
return {vw, sw, wide, inner: window.innerWidth};
