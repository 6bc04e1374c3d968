// A6: true once the error summary holds the focus (check_error_summary waits for it).
const alert = mainEl().querySelector('[role=alert]');
if (!alert) return false;
const root = alert.closest('[tabindex]') && alert.closest('[tabindex]') !== mainEl() ? alert.closest('[tabindex]') : alert;
return root.contains(document.activeElement);
