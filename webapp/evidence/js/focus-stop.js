// A16/A17 Tab loop: measure the focused element, null when the focus left the page (tab_stops).
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
return measure(el);
