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

  function show(answer, ok) {
    out.replaceChildren();
    if (!ok) {
      out.appendChild(el('p', 'The preview needs a complete form:', 'muted'));
      var problems = el('ul');
      (answer.errors || []).slice(0, 6).forEach(function (e) {
        problems.appendChild(el('li', e.field + ': ' + e.messages.join('; ')));
      });
      if (!answer.errors && answer.message) problems.appendChild(el('li', answer.message));
      out.appendChild(problems);
      return;
    }
    out.appendChild(
      el(
        'p',
        'Policy version ' +
          answer.policyVersion +
          ', destination risk ' +
          answer.destinationRisk +
          ', your tier ' +
          answer.tier +
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
        item.appendChild(el('strong', p.party.replace(/_/g, ' ')));
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
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  preview();
})();
