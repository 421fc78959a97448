/* The attempt page, enhanced. The page works without this script (a plain form); with it:
 *
 * - each choice is saved at once (PUT data-save-url, JSON, session cookie + X-CSRFToken from <meta name=csrf-token>);
 * - unsaved choices wait in a queue kept in localStorage ("quizapp.attempt.<id>"), retried on the "online" event,
 *   when the page becomes visible again and on a timer with exponential backoff (1 s … 30 s), so a lost connection
 *   or a closed tab loses nothing: the queue is sent again when the page is opened again;
 * - every question and the page show "Đã lưu" / "Chưa lưu – đang thử lại…" (aria-live);
 * - a countdown from the server's remaining milliseconds (re-synced by every save answer): decoration only, the
 *   server closes the attempt at its deadline anyway; at zero the sheet is submitted automatically;
 * - a confirmation dialog before submitting says how many questions are unanswered, and whether the prediction is
 *   empty (or not a number, which would be dropped), with a button that goes to it.
 * Words come from data-text-* attributes on [data-attempt], so they are translated with the page.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-attempt]");
  var form = document.getElementById("attempt-form");
  if (!root || !form || !window.fetch || !window.JSON) { return; }

  var STORAGE_PREFIX = "quizapp.attempt.";
  var STALE_AFTER_MS = 2 * 24 * 3600 * 1000;
  var MAX_BACKOFF_MS = 30000;
  var REQUEST_TIMEOUT_MS = 15000;

  var attemptId = root.getAttribute("data-attempt-id");
  var saveUrl = root.getAttribute("data-save-url");
  var resultUrl = root.getAttribute("data-result-url");
  var storageKey = STORAGE_PREFIX + attemptId;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var statusBox = document.getElementById("save-status");
  var announcer = document.getElementById("attempt-announcer");
  var timerEl = document.getElementById("attempt-timer");
  var dialog = document.getElementById("submit-dialog");
  var prediction = document.getElementById("prediction");

  var pending = {};         // question id -> option id, chosen but not yet confirmed saved by the server
  var inFlight = false;     // one request at a time; choices made meanwhile go in the next one
  var sendAgain = false;
  var failures = 0;
  var retryTimer = null;
  var problem = null;       // "session" | "closed" | null: a state that retrying alone cannot fix
  var submitting = false;
  var predictionPending = false;  // a typed prediction not yet confirmed saved (it rides with the next save)

  function text(name, values) {
    var value = root.getAttribute("data-text-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { value = value.split("{" + key + "}").join(values[key]); });
    return value;
  }

  // --- the queue, kept in localStorage ---------------------------------------------------------------------

  function readStore() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      return stored && typeof stored === "object" ? stored : {};
    } catch (error) { return {}; }
  }

  function writeStore() {
    var record = {answers: pending, at: Date.now()};
    if (prediction && prediction.value !== "") { record.prediction = prediction.value; }
    try {
      if (!Object.keys(pending).length && !record.prediction) { window.localStorage.removeItem(storageKey); }
      else { window.localStorage.setItem(storageKey, JSON.stringify(record)); }
    } catch (error) { /* private mode or full storage: the queue still lives in memory */ }
  }

  function forgetStaleAttempts() {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (!key || key.indexOf(STORAGE_PREFIX) !== 0 || key === storageKey) { continue; }
        var record = JSON.parse(window.localStorage.getItem(key) || "{}") || {};
        if (!record.at || Date.now() - record.at > STALE_AFTER_MS) { window.localStorage.removeItem(key); }
      }
    } catch (error) { /* nothing to clean */ }
  }

  // --- what the participant sees ---------------------------------------------------------------------------

  function fieldset(questionId) { return document.getElementById("question-" + questionId); }

  function showQuestionState(questionId, state) {
    var box = fieldset(questionId);
    var line = box && box.querySelector("[data-save-state]");
    if (!line) { return; }
    var words = {saved: text("saved"), unsaved: text("unsaved"), invalid: text("invalid"), saving: ""}[state];
    line.className = "save-state " + state;
    if (line.textContent !== words) { line.textContent = words; }
  }

  function markNavigator(questionId) {
    var link = document.querySelector('[data-nav-for="' + questionId + '"]');
    var answered = !!form.querySelector('input[name="q' + questionId + '"]:checked');
    if (!link) { return; }
    link.className = answered ? "answered" : "unanswered";
    var state = link.querySelector("[data-nav-state]");
    if (state) { state.textContent = ": " + text(answered ? "answered" : "unanswered"); }
  }

  function showGlobalState() {
    var count = Object.keys(pending).length;
    var words, kind;
    if (problem) { words = text(problem); kind = "warn"; }
    else if (!count) { words = form.querySelector("input[type=radio]:checked") ? text("all-saved") : ""; kind = "ok"; }
    else if (navigator.onLine === false) { words = text("offline", {n: count}); kind = "warn"; }
    else if (failures) { words = text("pending", {n: count}); kind = "warn"; }
    else { words = text("saving"); kind = "busy"; }
    statusBox.className = "save-status " + kind;
    if (statusBox.textContent !== words) { statusBox.textContent = words; }
  }

  function announce(words) { if (announcer) { announcer.textContent = words; } }

  // --- saving ------------------------------------------------------------------------------------------------

  function scheduleRetry() {
    window.clearTimeout(retryTimer);
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, Math.max(0, failures - 1)));
    retryTimer = window.setTimeout(flush, delay + Math.floor(Math.random() * 500));
  }

  function currentPrediction() {
    if (!prediction || !/^\d{1,10}$/.test(prediction.value)) { return null; }
    var value = parseInt(prediction.value, 10);
    return value <= 2147483647 ? value : null;
  }

  function send(batch) {
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = controller ? window.setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    return fetch(saveUrl, {
      method: "PUT", credentials: "same-origin", signal: controller ? controller.signal : undefined,
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken},
      body: JSON.stringify(withPrediction({answers: batch}))
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return {status: response.status, body: body};
      });
    }).finally(function () { window.clearTimeout(timeout); });
  }

  function withPrediction(body) {
    var value = currentPrediction();
    if (value !== null) { body.prediction = value; }
    return body;
  }

  function onSaved(batch, body) {
    predictionPending = false;
    Object.keys(batch).forEach(function (questionId) {
      if (pending[questionId] === batch[questionId]) {  // not changed again while the request was away
        delete pending[questionId];
        showQuestionState(questionId, "saved");
      }
    });
    failures = 0;
    problem = null;
    if (typeof body.remaining_ms === "number") { countdown.sync(body.remaining_ms); }
  }

  function onRefused(batch, answer) {
    var code = (answer.body.error || {}).code;
    var questionId = String((answer.body.error || {}).question_id || "");
    if (answer.status === 409 || answer.status === 404) {
      problem = "closed";  // the server closed the attempt at its deadline: show the result
      pending = {};
      writeStore();
      window.setTimeout(function () { window.location.assign((answer.body.error || {}).result_url || resultUrl); },
        1500);
      return false;
    }
    if (answer.status === 422 && (code === "unknown_option" || code === "unknown_question") && pending[questionId]) {
      delete pending[questionId];  // can never be saved; the rest of the batch is sent again at once
      showQuestionState(questionId, "invalid");
      return true;
    }
    if (answer.status === 401 || answer.status === 403 || code === "csrf") { problem = "session"; }
    failures += 1;
    Object.keys(batch).forEach(function (id) { if (pending[id] !== undefined) { showQuestionState(id, "unsaved"); } });
    scheduleRetry();
    return false;
  }

  function flush() {
    window.clearTimeout(retryTimer);
    retryTimer = null;
    if (problem === "closed") { return; }
    var ids = Object.keys(pending);
    if (!ids.length && !predictionPending) { showGlobalState(); return; }
    if (inFlight) { sendAgain = true; return; }
    var batch = {};
    ids.forEach(function (id) { batch[id] = pending[id]; });
    inFlight = true;
    sendAgain = false;
    showGlobalState();
    send(batch).then(function (answer) {
      if (answer.status === 200) {
        onSaved(batch, answer.body);
        return true;
      }
      return onRefused(batch, answer);
    }, function () {  // no network, timeout: keep everything and try again
      failures += 1;
      ids.forEach(function (id) { if (pending[id] !== undefined) { showQuestionState(id, "unsaved"); } });
      scheduleRetry();
      return false;
    }).then(function (goOn) {
      inFlight = false;
      writeStore();
      showGlobalState();
      if ((goOn || sendAgain) && (Object.keys(pending).length || predictionPending) && !retryTimer) { flush(); }
    });
  }

  function choose(questionId, optionId) {
    pending[questionId] = optionId;
    writeStore();
    showQuestionState(questionId, failures ? "unsaved" : "saving");
    markNavigator(questionId);
    flush();
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio" && /^q\d+$/.test(input.name) && input.checked) {
      choose(input.name.slice(1), parseInt(input.value, 10));
    } else if (input === prediction) {
      predictionPending = currentPrediction() !== null;
      writeStore();
      flush();
    }
  });
  if (prediction) { prediction.addEventListener("input", writeStore); }

  window.addEventListener("online", function () { failures = Math.min(failures, 1); flush(); });
  window.addEventListener("offline", showGlobalState);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  window.addEventListener("pagehide", function () {
    // The queue is in localStorage already; this is one last chance to deliver it before the tab goes.
    if (!Object.keys(pending).length || submitting || problem) { return; }
    try {
      fetch(saveUrl, {method: "PUT", credentials: "same-origin", keepalive: true,
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken},
        body: JSON.stringify(withPrediction({answers: pending}))});
    } catch (error) { /* the queue will be sent when the page is opened again */ }
  });

  // --- the countdown -----------------------------------------------------------------------------------------

  var countdown = (function () {
    var endsAt = performance.now() + (parseInt(root.getAttribute("data-remaining-ms"), 10) || 0);
    var warned = {};
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var left = Math.max(0, endsAt - performance.now());
      var seconds = Math.ceil(left / 1000);
      var words = pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60);
      if (timerEl.textContent !== words) {
        timerEl.textContent = words;
        timerEl.setAttribute("datetime", "PT" + seconds + "S");
      }
      timerEl.classList.toggle("timer-warning", seconds <= 60);
      [[300, "five-minutes"], [60, "one-minute"]].forEach(function (mark) {
        if (seconds <= mark[0] && seconds > mark[0] - 5 && !warned[mark[1]]) {
          warned[mark[1]] = true;
          announce(text(mark[1]));
        }
      });
      if (left <= 0) { timeUp(); }
    }
    return {
      start: function () { tick(); window.setInterval(tick, 250); },
      sync: function (remainingMs) {
        var proposed = performance.now() + remainingMs;
        if (Math.abs(proposed - endsAt) > 1000) { endsAt = proposed; }
      }
    };
  })();

  // --- submitting --------------------------------------------------------------------------------------------

  function unansweredCount() {
    var groups = form.querySelectorAll("fieldset[data-question]");
    var count = 0;
    for (var i = 0; i < groups.length; i++) {
      if (!groups[i].querySelector("input[type=radio]:checked")) { count += 1; }
    }
    return {missing: count, total: groups.length};
  }

  function submitNow(reason) {
    submitting = true;
    if (prediction && prediction.validity && !prediction.validity.valid) { prediction.value = ""; }
    statusBox.className = "save-status busy";
    statusBox.textContent = text(reason);
    if (navigator.onLine === false) {
      statusBox.textContent = text("wait-online");
      window.addEventListener("online", function () { form.submit(); }, {once: true});
      return;
    }
    form.submit();  // a plain POST of every answer and the prediction, which the server scores
  }

  function timeUp() {
    if (submitting || problem === "closed") { return; }
    if (dialog && dialog.open) { dialog.close("cancel"); }
    announce(text("time-up"));
    submitNow("time-up");
  }

  function predictionWarning() {
    // "" when the round has no prediction question or the answer is a number the server accepts
    if (!prediction) { return ""; }
    if (prediction.value.trim() === "") { return text("prediction-empty"); }
    var valid = currentPrediction() !== null && (!prediction.validity || prediction.validity.valid);
    return valid ? "" : text("prediction-invalid");
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-nojs-save")) { return; }
    event.preventDefault();
    if (submitting) { return; }
    var count = unansweredCount();
    var message = count.missing ? text("confirm-some", {n: count.missing, total: count.total})
      : text("confirm-all", {total: count.total});
    var warning = predictionWarning();
    if (dialog && typeof dialog.showModal === "function") {
      document.getElementById("submit-dialog-message").textContent = message;
      var warningLine = document.getElementById("submit-dialog-prediction");
      var goToPrediction = dialog.querySelector("[data-go-prediction]");
      if (warningLine) { warningLine.textContent = warning; warningLine.hidden = !warning; }
      if (goToPrediction) { goToPrediction.hidden = !warning; }
      dialog.returnValue = "";
      dialog.showModal();
    } else if (window.confirm(warning ? message + "\n\n" + warning : message)) {
      submitNow("submitting");
    }
  });

  if (dialog) {
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "confirm") { submitNow("submitting"); }
      else if (dialog.returnValue === "prediction" && prediction) {
        prediction.scrollIntoView({block: "center"});
        prediction.focus();
      }
    });
  }

  // --- start -------------------------------------------------------------------------------------------------

  function restore() {
    var stored = readStore();
    var answers = stored.answers || {};
    Object.keys(answers).forEach(function (questionId) {
      var input = form.querySelector('input[name="q' + questionId + '"][value="' + answers[questionId] + '"]');
      if (!input) { return; }
      input.checked = true;
      pending[questionId] = answers[questionId];
      showQuestionState(questionId, "unsaved");
      markNavigator(questionId);
    });
    if (prediction && prediction.value === "" && stored.prediction) {
      prediction.value = stored.prediction;
      predictionPending = currentPrediction() !== null;
    }
  }

  var saveButton = form.querySelector("[data-nojs-save]");
  if (saveButton) { saveButton.hidden = true; }  // saving is automatic now
  forgetStaleAttempts();
  restore();
  showGlobalState();
  countdown.start();
  flush();
})();
