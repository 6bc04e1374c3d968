// A21 status messages: htmx targets, live regions and where the focus is (check_status_*).
const attr = (el, n) => el.getAttribute(n) || el.getAttribute('data-' + n);
const triggers = [...document.querySelectorAll('[hx-post], [hx-get], [hx-put], [data-hx-post], [data-hx-get]')];
const targets = triggers.map(t => {
  const sel = attr(t, 'hx-target');
  let el = t;
  if (sel && sel !== 'this') { try { el = document.querySelector(sel.replace(/^closest /, '')); } catch (e) { el = null; } }
  return {trigger: desc(t), sel, exists: !!el, desc: el ? desc(el) : null,
          role: el ? el.getAttribute('role') : null, live: el ? el.getAttribute('aria-live') : null,
          text: el ? norm(el.textContent) : null};
});
const statuses = [...document.querySelectorAll('[role=status], [aria-live], output')]
  .map(el => ({desc: desc(el), text: norm(el.textContent)}));
return {targets, statuses, active: desc(document.activeElement),
        lost: document.activeElement === document.body || !document.activeElement};
