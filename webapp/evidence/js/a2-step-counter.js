// A2 step counter: every 'Stap n van N' text and where it sits (check_step_counter).
const re = /^Stap \d+( van \d+)?$/;
const form = stepForm();
return [...document.body.querySelectorAll('*')]
  .filter(el => re.test(norm(el.textContent)) && ![...el.children].some(c => re.test(norm(c.textContent))))
  .map(el => ({desc: desc(el), text: norm(el.textContent), inForm: !!el.closest('form'),
    beforeForm: form ? !!(el.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING) : false,
    clickable: !!el.closest('a, button, nav, [role=navigation], [role=link], ol, ul')}));
