// Two accessibility faults in the HTML that other tools write, which axe-core
// (WCAG 2.1 A/AA) reports:
// - myst-nb names the <summary> of a hidden cell "Toggle hidden content", a name
//   without its visible text ("Show code cell source", WCAG 2.5.3): the visible
//   text is left to name it;
// - docutils gives each bibliography entry role="doc-biblioentry" (deprecated in
//   ARIA 1.2) inside a role="list", which then has no list items: each entry
//   becomes a listitem.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll('summary[aria-label="Toggle hidden content"]')
    .forEach((summary) => summary.removeAttribute("aria-label"));
  document.querySelectorAll('[role="doc-biblioentry"]')
    .forEach((entry) => entry.setAttribute("role", "listitem"));
});
