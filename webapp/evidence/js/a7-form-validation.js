// A7 form validation: novalidate, required and aria-required per field (check_form_validation).
const forms = [...document.querySelectorAll('form')].map(f => ({desc: desc(f), novalidate: f.noValidate}));
const required = [...document.querySelectorAll('[required]')].map(desc);
const fields = [];
for (const el of mainEl().querySelectorAll('input, select, textarea')) {
  const t = (el.getAttribute('type') || el.tagName).toLowerCase();
  if (['hidden', 'radio', 'checkbox', 'submit', 'button', 'reset', 'image'].includes(t)) continue;
  if (!rendered(el)) continue;
  const fs = el.closest('fieldset'); const lg = fs && fs.querySelector('legend');
  fields.push({desc: desc(el), ariaRequired: el.getAttribute('aria-required'),
    label: norm([...(el.labels || [])].map(l => l.textContent).join(' ') + ' ' + (lg ? lg.textContent : '')),
    existing: !!(el.id && document.getElementById(el.id + '-existing'))});
}
return {forms, required, fields};
