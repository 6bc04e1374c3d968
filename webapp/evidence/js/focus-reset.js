// A16/A17 Tab loop: blur whatever has the focus, scroll to the top and put the focus on the body.
const a = document.activeElement;
if (a && a !== document.body && a.blur) a.blur();
window.scrollTo(0, 0);
const b = document.body, had = b.hasAttribute('tabindex');
if (!had) b.setAttribute('tabindex', '-1');
b.focus({preventScroll: true});
if (!had) b.removeAttribute('tabindex');
