// The demo's own page behaviour, shared by every page (a classic script, so the IIFE pages can load it
// too). Listeners sit on `document`, so they survive Turbo replacing the body.
(function () {
  if (window.__cableCourierDemo) return;
  window.__cableCourierDemo = true;

  // The server-side switch: the demo server cuts every socket and refuses new ones for N seconds.
  document.addEventListener("click", function (event) {
    var off = event.target.closest && event.target.closest("[data-demo-offline]");
    var on = event.target.closest && event.target.closest("[data-demo-online]");
    if (off) fetch("/demo/offline?seconds=" + encodeURIComponent(off.getAttribute("data-demo-offline")), { method: "POST" });
    if (on) fetch("/demo/online", { method: "POST" });
  });

  // A queued "add" has already captured the text; clear the field for the next one.
  document.addEventListener("courier:queued", function (event) {
    var input = document.getElementById("new-todo");
    if (event.detail && event.detail.target === "Todo#add" && input) input.value = "";
  });
})();
