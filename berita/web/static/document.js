// Progressive enhancement only: the page works without it.
(function () {
  var marked = document.querySelector(".passage.marked");
  if (marked && !location.hash) marked.scrollIntoView({ block: "center" });
  var button = document.getElementById("copy-citation");
  var status = document.getElementById("copy-status");
  if (!button) return;
  button.addEventListener("click", function () {
    var text = button.getAttribute("data-citation");
    var done = function () { status.textContent = button.getAttribute("data-done"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
    } else { fallback(text); done(); }
  });
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed"; area.style.top = "0"; area.style.opacity = "0";  // no scrolling away
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
  }
})();
