// A1 page title: the title, the h1s, the step counter and whether an error shows (check_title).
const counter = [...document.body.querySelectorAll('*')].map(el => norm(el.textContent))
  .find(t => /^Stap \d+( van \d+)?$/.test(t)) || null;
return {title: document.title, h1: [...document.querySelectorAll('h1')].map(textOf), counter,
        errors: !!mainEl().querySelector('[role=alert]')};
