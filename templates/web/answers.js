// The staff page's standard answers: a choice fills the answer's text and decision in place,
// so what was typed in the page's other forms stays (without scripts, the link reloads the
// page with that answer). Text the handler has changed is replaced only if they confirm.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("answer-templates");
  const message = document.getElementById("message");
  const decision = document.getElementById("decision");
  if (!list || !message) return;
  const templateOf = (link) => document.getElementById("answer-" + link.dataset.answer);
  // The text of the answer chosen last: text that differs from it was typed by the handler.
  const current = list.querySelector("a[aria-current]");
  let filled = current && templateOf(current) ? templateOf(current).content.textContent : "";
  list.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-answer]");
    const chosen = link && templateOf(link);
    if (!chosen) return;
    event.preventDefault();
    if (message.value !== filled && !window.confirm(list.dataset.replace)) return;
    message.value = filled = chosen.content.textContent;
    if (decision && chosen.dataset.decision) decision.value = chosen.dataset.decision;
    for (const other of list.querySelectorAll("a[aria-current]")) {
      other.removeAttribute("aria-current");
    }
    link.setAttribute("aria-current", "true");
    message.focus();
  });
});
