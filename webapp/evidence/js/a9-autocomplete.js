// A9 autocomplete: every input with its id, name, type, label and autocomplete (check_autocomplete).
return [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button', 'radio', 'checkbox', 'file'].includes((el.type || '').toLowerCase()))
  .map(el => ({desc: desc(el), id: el.id, name: el.getAttribute('name') || '', type: (el.getAttribute('type') || '').toLowerCase(),
               label: norm([...(el.labels || [])].map(l => l.textContent).join(' ')),
               autocomplete: el.getAttribute('autocomplete')}));
