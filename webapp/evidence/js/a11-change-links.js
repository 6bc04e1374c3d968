// A11 change links: the accessible names of the 'Wijzigen' links and buttons (check_change_links).
return [...document.querySelectorAll('a, button')].filter(el => /^wijzig/i.test(norm(el.textContent)))
  .map(el => ({name: accName(el), href: el.getAttribute('href')}));
