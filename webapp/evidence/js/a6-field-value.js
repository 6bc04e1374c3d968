// A6 (arg: a field id): the value the field holds after the error, null when there is no such field.
const el = document.getElementById(arg);
return el ? el.value : null;
