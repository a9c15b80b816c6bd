// Day board: drag a job onto another technician's lane; the server validates the move.
(function () {
  "use strict";
  var board = document.querySelector(".dboard[data-move]");
  if (!board) return;
  var url = board.getAttribute("data-move");
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var dragged = null;
  board.querySelectorAll(".job[draggable=true]").forEach(function (el) {
    el.addEventListener("dragstart", function (e) {
      dragged = el;
      e.dataTransfer.setData("text/plain", el.getAttribute("data-line"));
    });
  });
  board.querySelectorAll(".lane").forEach(function (lane) {
    lane.addEventListener("dragover", function (e) { e.preventDefault(); lane.classList.add("over"); });
    lane.addEventListener("dragleave", function () { lane.classList.remove("over"); });
    lane.addEventListener("drop", function (e) {
      e.preventDefault();
      lane.classList.remove("over");
      if (!dragged) return;
      // Place by the drop point: before the first job that starts to the right of it.
      var x = e.clientX, position = 0;
      lane.querySelectorAll(".job").forEach(function (j) {
        if (j !== dragged && j.getBoundingClientRect().left < x) position += 1;
      });
      send(dragged.getAttribute("data-line"), lane.getAttribute("data-tech"), position);
    });
  });
  function send(line, tech, position) {
    var msg = document.getElementById("move-msg");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ line: line, technician: tech, position: position })
    }).then(function (r) { return r.json().then(function (b) { return [r.ok, b]; }); })
      .then(function (res) {
        if (res[0]) { window.location.reload(); return; }
        msg.textContent = res[1].error ? res[1].error.message : "?";
        msg.hidden = false;
      });
  }
})();
