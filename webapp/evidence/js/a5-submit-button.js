// A5 submit button: the names of the submit buttons and whether one is the last control (check_submit_button).
const form = stepForm();
if (!form) return null;
const submits = [...form.querySelectorAll('button:not([type]), button[type=submit], input[type=submit], input[type=image]')];
const controls = [...form.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => rendered(el) || el.type === 'radio' || el.type === 'checkbox');
const last = controls[controls.length - 1];
return {names: submits.map(accName), lastIsSubmit: !!last && submits.includes(last), last: last ? desc(last) : null};
