/* Chatter Org's Lightning behaviour. Every page works without it:
   - menus, and the app navigation collapsed on phones, are <details> elements (this adds
     Escape, which gives focus back to the menu's button, and closing on an outside click);
   - Setup's Quick Find is a GET form the server filters (this filters as you type);
   - a link with data-confirm opens a server-side confirm page (this shows that page's
     form in an SLDS modal prompt, with focus kept inside and Escape to close). */
(function () {
  "use strict";

  // --- Menus --------------------------------------------------------------------------
  var MENU = "details.co-menu, details.co-setup-menu, details.co-nav-menu";
  var OPEN_MENU = "details.co-menu[open], details.co-setup-menu[open], details.co-nav-menu[open]";
  function closeMenus(except) {
    document.querySelectorAll(OPEN_MENU).forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest(MENU));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest(OPEN_MENU);
    if (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    }
  });

  // --- Quick Find ---------------------------------------------------------------------
  function quickFind(input) {
    var tree = document.getElementById(input.getAttribute("aria-controls"));
    if (tree && !tree.matches("nav")) tree = tree.querySelector("nav");
    var empty = document.getElementById(input.dataset.quickFindEmpty);
    if (!tree) return;
    function filter() {
      var needle = input.value.trim().toLowerCase();
      var shown = 0;
      function visit(item, ancestorMatches) {
        var own = item.querySelector(":scope > a, :scope > span");
        var text = own ? own.textContent.trim().toLowerCase() : "";
        var matches = ancestorMatches || !needle || text.indexOf(needle) !== -1;
        var children = item.querySelectorAll(":scope > ul > li");
        var visible = matches;
        children.forEach(function (child) {
          if (visit(child, matches)) visible = true;
        });
        item.hidden = !visible;
        if (visible && own && own.tagName === "A") shown += 1;
        return visible;
      }
      tree.querySelectorAll(":scope > ul > li").forEach(function (item) {
        visit(item, false);
      });
      var home = tree.querySelector(":scope > a");
      if (home) {
        var homeMatches = !needle || home.textContent.toLowerCase().indexOf(needle) !== -1;
        home.hidden = !homeMatches;
        if (homeMatches) shown += 1;
      }
      if (empty) empty.hidden = shown > 0;
    }
    input.addEventListener("input", filter);
    input.form.addEventListener("submit", function (event) {
      event.preventDefault();
      filter();
      var first = tree.querySelector("li:not([hidden]) > a, :scope > a:not([hidden])");
      if (first && input.value.trim()) first.focus();
    });
    filter();
  }
  document.querySelectorAll("input[data-quick-find]").forEach(quickFind);

  // --- Confirmations as modal prompts -------------------------------------------------
  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

  function openModal(confirm, opener) {
    var heading = confirm.querySelector("h1, h2");
    var titleId = "co-modal-title";
    var section = document.createElement("section");
    section.className = "slds-modal slds-fade-in-open slds-modal_prompt co-modal";
    section.setAttribute("role", "alertdialog");
    section.setAttribute("aria-modal", "true");
    section.setAttribute("aria-labelledby", titleId);
    section.tabIndex = -1;
    var container = document.createElement("div");
    container.className = "slds-modal__container";
    var header = document.createElement("div");
    header.className = "slds-modal__header slds-theme_error slds-theme_alert-texture";
    var title = document.createElement("h2");
    title.className = "slds-text-heading_medium";
    title.id = titleId;
    title.textContent = heading ? heading.textContent.trim() : "Are you sure?";
    header.appendChild(title);
    var content = document.createElement("div");
    content.className = "slds-modal__content slds-p-around_medium";
    confirm.querySelectorAll("[data-confirm-text]").forEach(function (node) {
      content.appendChild(document.importNode(node, true));
    });
    var footer = document.createElement("div");
    footer.className = "slds-modal__footer slds-theme_default";
    var form = confirm.querySelector("form[data-confirm-form]");
    var backdrop = document.createElement("div");
    backdrop.className = "slds-backdrop slds-backdrop_open";
    backdrop.setAttribute("role", "presentation");

    function close() {
      section.remove();
      backdrop.remove();
      document.body.classList.remove("co-modal-open");
      document.removeEventListener("keydown", onKey, true);
      if (opener) opener.focus();
    }
    function onKey(event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "Tab") {
        var items = Array.prototype.filter.call(section.querySelectorAll(FOCUSABLE), function (el) {
          return el.offsetParent !== null;
        });
        if (!items.length) return;
        var first = items[0], last = items[items.length - 1];
        if (event.shiftKey && (document.activeElement === first || document.activeElement === section)) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && document.activeElement === last) {
          event.preventDefault();
          first.focus();
        }
      }
    }

    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "slds-button slds-button_neutral";
    cancel.textContent = (form && form.dataset.cancelLabel) || "Cancel";
    cancel.addEventListener("click", close);
    footer.appendChild(cancel);
    if (form) {
      var moved = document.importNode(form, true);
      moved.classList.add("co-modal__form");
      // The form's own "go back" link is the Cancel button above.
      moved.querySelectorAll("[data-confirm-back]").forEach(function (node) { node.remove(); });
      footer.appendChild(moved);
    }
    container.appendChild(header);
    container.appendChild(content);
    container.appendChild(footer);
    section.appendChild(container);
    document.body.appendChild(section);
    document.body.appendChild(backdrop);
    document.body.classList.add("co-modal-open");
    document.addEventListener("keydown", onKey, true);
    var primary = footer.querySelector("button[type=submit]") || cancel;
    cancel.focus();
    return { close: close, primary: primary };
  }

  function confirmFrom(url, opener) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var confirm = page.querySelector("[data-confirm-page]");
        if (!confirm) throw new Error("no confirmation on " + url);
        openModal(confirm, opener);
      })
      .catch(function () {
        window.location.href = url;
      });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    confirmFrom(link.href, link);
  });
  // A GET form to a confirm page (a button that must stay a button, e.g. "Cancel").
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-confirm]") || event.defaultPrevented) return;
    event.preventDefault();
    var query = new URLSearchParams(new FormData(form)).toString();
    confirmFrom(form.action + (query ? "?" + query : ""), event.submitter || form.querySelector("button"));
  });

  // A form that needs a confirmation before its POST when a checkbox is ticked
  // (data-confirm-on="<checkbox id>") or, with data-confirm-when="unchecked", unticked: the
  // server answers such a POST with its confirm page; this asks first, in a modal, and
  // posts the form with confirm=1.
  document.querySelectorAll("form[data-confirm-on]").forEach(function (form) {
    var box = document.getElementById(form.dataset.confirmOn);
    var template = document.getElementById(form.dataset.confirmTemplate);
    if (!box || !template) return;
    var wanted = form.dataset.confirmWhen !== "unchecked";
    var initially = box.checked;
    form.addEventListener("submit", function (event) {
      if (form.dataset.confirmed === "yes" || box.disabled) return;
      if (initially === wanted || box.checked !== wanted) return;
      event.preventDefault();
      var modal = openModal(template.content.firstElementChild, event.submitter || box);
      var ok = modal.primary;
      if (ok && ok.form) {
        ok.form.addEventListener("submit", function (submitEvent) {
          submitEvent.preventDefault();
          form.dataset.confirmed = "yes";
          var flag = document.createElement("input");
          flag.type = "hidden";
          flag.name = "confirm";
          flag.value = "1";
          form.appendChild(flag);
          modal.close();
          form.requestSubmit ? form.requestSubmit() : form.submit();
        });
      }
    });
  });
})();
