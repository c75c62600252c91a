// Progressive enhancement for Two Truths. Every page works without this file; it only
// localises times, runs countdowns, fills the time zone, counts marks, asks before dangerous
// actions and moves focus after htmx swaps. Loaded with `defer` from 'self' (no inline script,
// so the CSP can stay `script-src 'self'`). It must never throw when an element is missing.
(() => {
  "use strict";

  const DEFAULT_UNITS = { d: "d", h: "h", min: "min", s: "s" };

  // Calls fn for root itself (when it matches) and every matching descendant. One failing
  // element must not stop the others, hence the try/catch per element.
  function each(root, selector, fn) {
    if (!root || typeof root.querySelectorAll !== "function") return;
    const found = [];
    if (typeof root.matches === "function" && root.matches(selector)) found.push(root);
    found.push(...root.querySelectorAll(selector));
    for (const el of found) {
      try {
        fn(el);
      } catch (err) {
        console.error("app.js:", selector, err);
      }
    }
  }

  function parseDate(value) {
    if (!value) return null;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  // ---- 1. local times ----
  let dateFormatter = null;
  function getDateFormatter() {
    if (dateFormatter) return dateFormatter;
    const options = { dateStyle: "medium", timeStyle: "short" };
    try {
      dateFormatter = new Intl.DateTimeFormat(document.documentElement.lang || undefined, options);
    } catch (err) {
      // an unknown lang attribute raises RangeError; fall back to the browser's locale
      dateFormatter = new Intl.DateTimeFormat(undefined, options);
    }
    return dateFormatter;
  }

  function localizeTimes(root) {
    each(root, "time.js-local", (el) => {
      if (el.dataset.localized) return;
      const date = parseDate(el.getAttribute("datetime"));
      if (!date) return;
      // the server-rendered UTC text stays available as a tooltip
      if (!el.hasAttribute("title")) el.setAttribute("title", el.textContent.trim());
      el.textContent = getDateFormatter().format(date);
      el.dataset.localized = "1";
    });
  }

  // ---- 2. countdowns ----
  const countdowns = new Set();
  let countdownTimer = null;

  function readUnits(el) {
    const raw = el.getAttribute("data-units");
    if (!raw) return DEFAULT_UNITS;
    try {
      const parsed = JSON.parse(raw);
      return parsed && typeof parsed === "object" ? { ...DEFAULT_UNITS, ...parsed } : DEFAULT_UNITS;
    } catch (err) {
      return DEFAULT_UNITS;
    }
  }

  function formatRemaining(ms, units) {
    const total = Math.floor(ms / 1000);
    const days = Math.floor(total / 86400);
    const hours = Math.floor((total % 86400) / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = total % 60;
    if (days > 0) return `${days} ${units.d} ${hours} ${units.h}`;
    if (hours > 0) return `${hours} ${units.h} ${minutes} ${units.min}`;
    if (minutes > 0) return `${minutes} ${units.min} ${seconds} ${units.s}`;
    return `${seconds} ${units.s}`;
  }

  function updateCountdown(el) {
    const until = parseDate(el.getAttribute("data-until"));
    if (!until) return false;
    const left = until.getTime() - Date.now();
    if (left <= 0) {
      const done = el.getAttribute("data-done");
      el.textContent = done !== null ? done : formatRemaining(0, readUnits(el));
      el.classList.add("done");
      return false;
    }
    const text = formatRemaining(left, readUnits(el));
    if (el.textContent !== text) el.textContent = text;
    return true;
  }

  function tickCountdowns() {
    if (document.hidden) return;
    for (const el of countdowns) {
      let running = false;
      try {
        running = el.isConnected && updateCountdown(el);
      } catch (err) {
        console.error("app.js: countdown", err);
      }
      if (!running) countdowns.delete(el);
    }
    if (countdowns.size === 0 && countdownTimer !== null) {
      clearInterval(countdownTimer);
      countdownTimer = null;
    }
  }

  function startCountdowns(root) {
    each(root, "span.js-countdown", (el) => {
      if (countdowns.has(el) || el.classList.contains("done")) return;
      if (updateCountdown(el)) countdowns.add(el);
    });
    if (countdowns.size > 0 && countdownTimer === null) {
      countdownTimer = setInterval(tickCountdowns, 1000);
    }
  }

  // ---- 3. time zone fill ----
  function browserTimeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (err) {
      return "";
    }
  }

  function fillTimeZones(root) {
    const zone = browserTimeZone();
    if (!zone) return;
    each(root, "input.js-tz[type=hidden]", (el) => {
      el.value = zone;
    });
    each(root, "select.js-tz", (el) => {
      // only once per select, so a zone the user picked (even UTC) is never overwritten later
      if (el.dataset.tzFilled) return;
      el.dataset.tzFilled = "1";
      if (el.value !== "" && el.value !== "UTC") return;
      if (Array.from(el.options).some((option) => option.value === zone)) el.value = zone;
    });
  }

  // ---- 4. mark counter ----
  function updateMarkCounter(form) {
    if (!form || typeof form.querySelector !== "function") return;
    const counter = form.querySelector(".mark-counter");
    if (!counter) return;
    const max = parseInt(form.getAttribute("data-max-marks"), 10);
    if (!Number.isFinite(max)) return;
    const marked = form.querySelectorAll("input[type=checkbox]:checked").length;
    const template = counter.getAttribute("data-template") || "{n} / {max}";
    counter.textContent = template.replace(/\{n\}/g, String(marked)).replace(/\{max\}/g, String(max));
    counter.classList.toggle("over", marked > max);
    counter.classList.toggle("complete", marked === max);
  }

  function initMarkCounters(root) {
    each(root, "form[data-max-marks]", (form) => {
      const counter = form.querySelector(".mark-counter");
      if (counter && !counter.hasAttribute("aria-live")) counter.setAttribute("aria-live", "polite");
      updateMarkCounter(form);
    });
  }

  function onChange(event) {
    const target = event.target;
    if (!(target instanceof Element) || !target.matches("input[type=checkbox]")) return;
    updateMarkCounter(target.closest("form[data-max-marks]"));
  }

  function onReset(event) {
    const form = event.target;
    if (form instanceof Element && form.matches("form[data-max-marks]")) {
      // the reset happens after the event; count once the boxes are cleared
      setTimeout(() => updateMarkCounter(form), 0);
    }
  }

  // ---- 5. confirmation of dangerous buttons ----
  // Capture phase on document, so a declined confirm stops the click before htmx (which
  // listens on the element itself) or the form submission sees it.
  function onClickCapture(event) {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const button = target.closest("button[data-confirm]");
    if (!button || button.disabled) return;
    const message = button.getAttribute("data-confirm");
    if (!message) return;
    if (!window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  // ---- 6. focus after swap ----
  // Elements present at page load are marked as seen: focus moves only to content an htmx
  // swap brought in (e.g. the confirmation replacing the answer form), never on page load.
  function markAutofocusSeen(root) {
    each(root, "[data-autofocus]", (el) => {
      el.dataset.autofocusDone = "1";
    });
  }

  function focusSwappedIn() {
    const candidates = document.querySelectorAll("[data-autofocus]:not([data-autofocus-done])");
    let focused = false;
    for (const el of candidates) {
      el.dataset.autofocusDone = "1";
      if (focused || !el.isConnected) continue;
      if (!el.matches("a[href], button, input, select, textarea, [tabindex]")) {
        el.setAttribute("tabindex", "-1");
      }
      el.focus();
      focused = true;
    }
  }

  function enhance(root) {
    localizeTimes(root);
    startCountdowns(root);
    fillTimeZones(root);
    initMarkCounters(root);
  }

  function onAfterSwap() {
    try {
      // The whole document, not only event.target: out-of-band swaps land elsewhere, and
      // every step above is idempotent, so re-running it on old content does nothing.
      enhance(document);
      focusSwappedIn();
    } catch (err) {
      console.error("app.js: after swap", err);
    }
  }

  function onReady() {
    enhance(document);
    markAutofocusSeen(document);
  }

  document.addEventListener("change", onChange);
  document.addEventListener("reset", onReset);
  document.addEventListener("click", onClickCapture, true);
  // htmx 4 names events htmx:phase:action; after:swap fires once the new content is settled
  document.addEventListener("htmx:after:swap", onAfterSwap);
  document.addEventListener("visibilitychange", tickCountdowns);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
