// A13 session dialog (arg: its id): open, modal, focus, buttons, name (check_timeout_dialog).
const d = document.getElementById(arg);
if (!d) return null;
return {open: d.open || d.hasAttribute('open'), modal: d.matches(':modal'),
        focusInside: d.contains(document.activeElement), active: desc(document.activeElement),
        buttons: [...d.querySelectorAll('button, a[role=button], input[type=submit]')].map(accName),
        labelled: !!(d.getAttribute('aria-labelledby') || d.getAttribute('aria-label'))};
