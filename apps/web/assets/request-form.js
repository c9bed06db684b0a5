// Live preview of the routing: sends the form (as it would be submitted) to the preview route,
// which asks POST /api/policy/evaluate, and shows the stages, parties and reasons. Records nothing.
(function () {
  'use strict';
  var form = document.getElementById('request-form');
  var out = document.getElementById('preview');
  if (!form || !out) return;
  var timer = null;
  var latest = 0;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  // Fields the person has typed in or changed since the page loaded (their ids less "f-", or names).
  var touched = {};

  function touch(event) {
    var target = event.target;
    if (!target || !target.name) return;
    touched[target.id && target.id.indexOf('f-') === 0 ? target.id.slice(2) : target.name] = true;
  }

  // An error concerns what was touched when it is about that field, a part of it, or the group it is in.
  function isTouched(field) {
    return Object.keys(touched).some(function (t) {
      return t === field || t.indexOf(field + '.') === 0 || field.indexOf(t + '.') === 0;
    });
  }

  // The server's errors next to fields (after a submit) go once the preview no longer has them
  // (not those of fields the preview does not check, such as the reply to the reviewer).
  function clearFixed(errors) {
    var still = {};
    errors.forEach(function (e) {
      still[e.field] = true;
    });
    var shown = document.querySelectorAll('p.field-error[id^="e-"]:not([data-not-previewed])');
    Array.prototype.slice.call(shown).forEach(function (p) {
      var field = p.id.slice(2);
      if (still[field]) return;
      p.remove();
      var input = document.getElementById('f-' + field);
      if (input) {
        input.removeAttribute('aria-invalid');
        var described = (input.getAttribute('aria-describedby') || '')
          .split(' ')
          .filter(function (id) {
            return id && id !== 'e-' + field;
          })
          .join(' ');
        if (described) input.setAttribute('aria-describedby', described);
        else input.removeAttribute('aria-describedby');
      }
      var item = document.querySelector('#errors li[data-field="' + field + '"]');
      if (item) item.remove();
    });
    var summary = document.getElementById('errors');
    if (summary && !summary.querySelector('li')) summary.remove();
  }

  function show(answer, ok) {
    out.replaceChildren();
    clearFixed(ok ? [] : answer.errors || []);
    if (!ok) {
      var shown = (answer.errors || []).filter(function (e) {
        return isTouched(e.field);
      });
      if (!shown.length) {
        out.appendChild(el('p', 'Fill in the form to see which parties will be asked and why.', 'muted'));
        return;
      }
      out.appendChild(el('p', 'Before the preview can say who will be asked:', 'muted'));
      var problems = el('ul');
      shown.slice(0, 6).forEach(function (e) {
        problems.appendChild(el('li', (e.label || e.field) + ': ' + (e.text || e.messages.join('; '))));
      });
      out.appendChild(problems);
      return;
    }
    (answer.problems || []).forEach(function (p) {
      out.appendChild(el('p', 'Submitting would be refused: ' + p.message, 'notice error'));
    });
    out.appendChild(
      el(
        'p',
        'Policy version ' +
          answer.policyVersion +
          ', destination risk ' +
          (answer.destinationRiskWords || answer.destinationRisk) +
          ', your tier ' +
          (answer.tierWords || answer.tier) +
          '.',
      ),
    );
    if (answer.restrictedPartyReview && answer.restrictedPartyReview.needed) {
      out.appendChild(
        el(
          'p',
          'A counterparty needs restricted-party review' +
            (answer.restrictedPartyReview.addsParties.length
              ? ': ' + answer.restrictedPartyReview.addsParties.join(', ') + ' will review it.'
              : '.'),
          'notice error',
        ),
      );
    }
    answer.stages.forEach(function (stage) {
      out.appendChild(el('h3', 'Stage ' + stage.index));
      var list = el('ul');
      stage.parties.forEach(function (p) {
        var item = el('li');
        item.appendChild(el('strong', p.partyName || p.party.replace(/_/g, ' ')));
        item.appendChild(
          document.createTextNode(': ' + p.reasons.join('; ') + (p.quorum > 1 ? ' (' + p.quorum + ' approvals)' : '')),
        );
        list.appendChild(item);
      });
      out.appendChild(list);
    });
    if (!answer.stages.length) out.appendChild(el('p', 'No approval needed.'));
  }

  function preview() {
    var id = ++latest;
    var data = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute('data-preview'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': form.elements._csrf.value },
      body: data.toString(),
      credentials: 'same-origin',
    })
      .then(function (r) {
        return r.json().then(function (body) {
          if (id === latest) show(body, r.ok);
        });
      })
      .catch(function () {
        if (id === latest) out.replaceChildren(el('p', 'The preview is unavailable right now.', 'muted'));
      });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  }
  form.addEventListener('input', function (event) {
    touch(event);
    schedule();
  });
  form.addEventListener('change', function (event) {
    touch(event);
    schedule();
  });
  preview();

  // "Add another organisation": a copy of the last counterparty row, emptied and numbered on (at most 20,
  // as the API takes). Without scripts the form has its three rows.
  var add = document.getElementById('add-counterparty');
  var fieldset = document.getElementById('f-counterparties');
  if (add && fieldset) {
    add.hidden = false;
    add.addEventListener('click', function () {
      var rows = fieldset.querySelectorAll('.row');
      if (rows.length >= 20) return;
      var row = rows[rows.length - 1].cloneNode(true);
      var index = rows.length;
      row.querySelectorAll('.field-error').forEach(function (node) {
        node.remove();
      });
      row.querySelectorAll('input').forEach(function (input) {
        input.value = '';
        input.removeAttribute('aria-invalid');
        input.id = input.id.replace(/\.\d+\./, '.' + index + '.');
      });
      row.querySelectorAll('label').forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/\.\d+\./, '.' + index + '.');
        label.textContent = label.textContent.replace(/^Organisation \d+/, 'Organisation ' + (index + 1));
      });
      add.parentNode.before(row);
      row.querySelector('input').focus();
      if (rows.length + 1 >= 20) add.hidden = true;
    });
  }
})();
