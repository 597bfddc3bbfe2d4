// Every code block that scrolls must be reachable with the keyboard (WCAG
// 2.1.1; axe-core's scrollable-region-focusable). pydata-sphinx-theme decides
// when the page loads and when nodes are added, but not when a hidden block
// appears, as when a reader opens an exercise's solution. A ResizeObserver
// sees every block change size, including from hidden to shown, and decides
// again.
(() => {
  const decide = (pre) => {
    const scrolls = pre.scrollWidth > pre.clientWidth || pre.scrollHeight > pre.clientHeight;
    pre.tabIndex = scrolls ? 0 : -1;
  };
  const watcher = new ResizeObserver((entries) => entries.forEach((e) => decide(e.target)));
  const watchAll = () => document.querySelectorAll("pre").forEach((pre) => watcher.observe(pre));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchAll);
  } else {
    watchAll();
  }
})();
