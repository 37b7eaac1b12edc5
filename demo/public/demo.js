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

  // Queued work shows at once. The click on "Add" reaches `window` last, after the courier has read the
  // form into the reflex (synchronously, on `document`): the text is captured, so the field is cleared
  // here, in the same task; nothing typed after the click can be lost. The text is shown as a waiting row
  // until the reflex commits (the server's row replaces it) or fails.
  var waiting = []; // {id, text}; id is set by courier:queued
  var unassigned = [];
  window.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".add-button");
    var input = document.getElementById("new-todo");
    if (!button || !input || !input.value) return;
    var item = { id: null, text: input.value };
    waiting.push(item);
    unassigned.push(item);
    input.value = "";
    showWaiting();
  });
  document.addEventListener("courier:queued", function (event) {
    if (event.detail.target === "Todo#add" && unassigned.length) unassigned.shift().id = event.detail.id;
  });
  function settled(event) {
    waiting = waiting.filter(function (item) { return item.id !== event.detail.id; });
    showWaiting();
  }
  document.addEventListener("courier:committed", settled);
  document.addEventListener("courier:failed", settled);
  // A morph of the list (ours or another browser's) removes the waiting rows; put back those still waiting.
  document.addEventListener("cable-ready:after-morph", showWaiting);
  // The counter shows clicks not committed yet beside the server's value ("3 clicks pending"), from the
  // courier's stage events; the morph of #counter brings the server's value and the note settles to none.
  var clicks = {}; // reflex id -> true, for Counter#increment reflexes queued or on their way
  function countClicks(event) {
    if (event.detail.target !== "Counter#increment") return;
    if (event.type === "courier:committed" || event.type === "courier:failed") delete clicks[event.detail.id];
    else clicks[event.detail.id] = true;
    showClicks();
  }
  ["courier:queued", "courier:sent", "courier:received", "courier:committed", "courier:failed"].forEach(function (name) {
    document.addEventListener(name, countClicks);
  });
  document.addEventListener("turbo:load", showClicks);
  document.addEventListener("DOMContentLoaded", showClicks);
  function showClicks() {
    var n = Object.keys(clicks).length;
    document.querySelectorAll(".pending-clicks").forEach(function (note) {
      note.textContent = n === 0 ? "" : n === 1 ? "+1 click pending" : "+" + n + " clicks pending";
    });
  }

  function showWaiting() {
    var list = document.getElementById("todo-list");
    if (!list) return;
    list.querySelectorAll("li.waiting").forEach(function (li) { li.remove(); });
    waiting.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "waiting";
      li.setAttribute("aria-busy", "true");
      li.textContent = item.text;
      var mark = document.createElement("em");
      mark.textContent = " waiting to be sent";
      li.appendChild(mark);
      list.appendChild(li);
    });
  }
})();
