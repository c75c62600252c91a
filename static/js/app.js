// Progressive enhancement for Two Truths. Every page works without this file; it only
// localises times, runs countdowns, puts the browser's time zone first, counts marks, asks before dangerous
// actions and offers share and copy buttons; htmx itself moves the focus to an `autofocus` element it swaps in. Loaded with `defer` from 'self' (no inline script,
// so the CSP can stay `script-src 'self'`). It must never throw when an element is missing.
(() => {
  "use strict";

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
  // "December 2 at 10:35 PM" in the browser's zone, as the server writes it in UTC ("… 9:35 PM UTC"): Intl joins a
  // day and a time with the language's own words ("at", "в"). The year only when it isn't this one.
  const dateFormatters = {};
  function getDateFormatter(withYear) {
    const key = withYear ? "year" : "day";
    if (dateFormatters[key]) return dateFormatters[key];
    let lang = document.documentElement.lang || undefined;
    try {
      Intl.DateTimeFormat.supportedLocalesOf(lang || []);
    } catch (err) {
      lang = undefined; // an unknown lang attribute raises RangeError; fall back to the browser's locale
    }
    const options = { month: "long", day: "numeric", hour: "numeric", minute: "2-digit" };
    // A 24-hour clock writes 06:05, as the language's short time (and the server) does; a 12-hour one 6:05 AM.
    const cycle = new Intl.DateTimeFormat(lang, { hour: "numeric" }).resolvedOptions().hourCycle;
    if (cycle === "h23" || cycle === "h24") options.hour = "2-digit";
    if (withYear) options.year = "numeric";
    dateFormatters[key] = new Intl.DateTimeFormat(lang, options);
    return dateFormatters[key];
  }

  function localizeTimes(root) {
    each(root, "time.js-local", (el) => {
      if (el.dataset.localized) return;
      const date = parseDate(el.getAttribute("datetime"));
      if (!date) return;
      // the server-rendered text (in UTC, saying so) stays available as a tooltip
      el.setAttribute("title", el.textContent.trim());
      el.textContent = getDateFormatter(date.getFullYear() !== new Date().getFullYear()).format(date);
      el.dataset.localized = "1";
    });
  }

  // ---- 2. countdowns ----
  const countdowns = new Set();
  let countdownTimer = null;

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
      el.textContent = el.getAttribute("data-done");
      el.classList.add("done");
      return false;
    }
    // the countdown macro renders the unit names and "in {time}" in the page's language
    const remaining = formatRemaining(left, JSON.parse(el.getAttribute("data-units")));
    const text = (el.getAttribute("data-template") || "{time}").replace("{time}", remaining);
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

  // The id the browser gives a zone it knows under several ("Asia/Calcutta" and "Asia/Kolkata" alike).
  function browserIdOf(zone) {
    try {
      return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
    } catch (err) {
      return "";
    }
  }

  function optionFor(select, zone) {
    const options = Array.from(select.options);
    const same = options.find((option) => option.value === zone);
    if (same) return same;
    // The list holds each zone under its IANA id, which some browsers report by an older name.
    const id = browserIdOf(zone);
    return options.find((option) => browserIdOf(option.value) === id) || null;
  }

  // The browser's zone goes first, where nobody has to look for it, and is chosen unless the curator chose one
  // (the server marks that select data-tz-chosen).
  function fillTimeZones(root) {
    const zone = browserTimeZone();
    if (!zone) return;
    each(root, "select.js-tz", (el) => {
      if (el.dataset.tzFilled) return;
      el.dataset.tzFilled = "1";
      const option = optionFor(el, zone);
      if (!option) return;
      const chosen = el.value;
      el.insertBefore(option, el.firstChild);
      el.value = el.hasAttribute("data-tz-chosen") ? chosen : option.value;
    });
  }

  // ---- 4. mark counter ----
  // Only facts forms carry data-max-marks, and each of them renders its .mark-counter.
  function updateMarkCounter(form) {
    if (!form) return;
    const counter = form.querySelector(".mark-counter");
    const max = parseInt(form.getAttribute("data-max-marks"), 10);
    const marked = form.querySelectorAll("input[type=checkbox]:checked").length;
    const template = counter.getAttribute("data-template");
    const over = marked > max;
    // Over the count, the counter says what to do, in the page's language.
    const words = over ? counter.getAttribute("data-over-template") || template : template;
    counter.textContent = words.replace(/\{n\}/g, String(marked)).replace(/\{max\}/g, String(max));
    counter.classList.toggle("over", over);
    counter.classList.toggle("complete", marked === max);
    holdSendWhileOver(form, over);
  }

  // An answer with more marks than asked can only be refused (the server checks it too): Send waits until the
  // player unmarks some. Every send button waits (a visitor has two: join to send, log in to send). Only a button
  // this script disabled is enabled again, never a preview's.
  function holdSendWhileOver(form, over) {
    form.querySelectorAll("button[type=submit]").forEach(function (send) {
      if (over && !send.disabled) {
        send.disabled = true;
        send.setAttribute("data-held-over", "");
      } else if (!over && send.hasAttribute("data-held-over")) {
        send.disabled = false;
        send.removeAttribute("data-held-over");
      }
    });
  }

  function initMarkCounters(root) {
    each(root, "form[data-max-marks]", updateMarkCounter);
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
    if (!window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  // ---- 6. share and copy ----
  // A share box works without this script (its text is in a read-only box to select); the Share button appears
  // where the browser has the Web Share API, the Copy button where it lets a page write to the clipboard.
  function initShareButtons(root) {
    each(root, "button.js-share", (el) => {
      if (typeof navigator.share === "function") el.hidden = false;
    });
    each(root, "button.js-copy", (el) => {
      if (window.isSecureContext && navigator.clipboard && typeof navigator.clipboard.writeText === "function") {
        el.hidden = false;
      }
    });
  }

  function say(button, message) {
    const box = button.closest(".share-box");
    const status = box && box.querySelector(".share-status");
    if (status) status.textContent = message || "";
  }

  function copyFrom(button) {
    const field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    navigator.clipboard.writeText(field.value).then(
      () => say(button, button.getAttribute("data-copied")),
      () => {
        // Refused (no permission): select the text, so copying it by hand is one keystroke away.
        field.focus();
        field.select();
        say(button, button.getAttribute("data-copy-failed"));
      },
    );
  }

  function shareFrom(button) {
    const data = {
      title: button.getAttribute("data-share-title") || undefined,
      text: button.getAttribute("data-share-text") || undefined,
      url: button.getAttribute("data-share-url") || undefined,
    };
    navigator.share(data).catch((err) => {
      // Closing the share sheet is not an error worth telling; anything else, the box's text is still there.
      if (err && err.name !== "AbortError") console.error("app.js: share", err);
    });
  }

  function onShareClick(event) {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const button = target.closest("button.js-share, button.js-copy");
    if (!button) return;
    try {
      if (button.classList.contains("js-share")) shareFrom(button);
      else copyFrom(button);
    } catch (err) {
      console.error("app.js: share box", err);
    }
  }

  function enhance(root) {
    localizeTimes(root);
    startCountdowns(root);
    fillTimeZones(root);
    initMarkCounters(root);
    initShareButtons(root);
  }

  function onAfterSwap() {
    try {
      // The whole document, not only event.target: out-of-band swaps land elsewhere, and
      // every step above is idempotent, so re-running it on old content does nothing.
      enhance(document);
    } catch (err) {
      console.error("app.js: after swap", err);
    }
  }

  function onReady() {
    enhance(document);
  }

  document.addEventListener("change", onChange);
  document.addEventListener("reset", onReset);
  document.addEventListener("click", onClickCapture, true);
  document.addEventListener("click", onShareClick);
  // htmx 4 names events htmx:phase:action; after:swap fires once the new content is settled
  document.addEventListener("htmx:after:swap", onAfterSwap);
  document.addEventListener("visibilitychange", tickCountdowns);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
