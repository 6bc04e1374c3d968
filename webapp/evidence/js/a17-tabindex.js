// A17: the elements with a tabindex above 0 (check_focus, check_focus_each).
return [...document.querySelectorAll('[tabindex]')].filter(el => parseInt(el.getAttribute('tabindex'), 10) > 0).map(desc);
