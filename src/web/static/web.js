// Progressive enhancement only: every page works without this file.
// Validates catalogue-driven form fields as the user types (type, length, required, code list),
// using the rules the server wrote on each input (data-type, maxlength, required, data-codes).
(function () {
  'use strict';
  var en = document.documentElement.lang === 'en';
  var M = {
    required: en ? 'Required' : 'Bắt buộc nhập',
    length: en ? 'At most {n} characters' : 'Tối đa {n} ký tự',
    number: en ? 'Must be a number' : 'Phải là số',
    date: en ? 'Date as yyyyMMdd (e.g. 20250131)' : 'Ngày dạng yyyyMMdd (ví dụ 20250131)',
    datetime: en ? 'Date and time as yyyyMMddHHmm (e.g. 202501311430)' : 'Ngày giờ dạng yyyyMMddHHmm (ví dụ 202501311430)',
    code: en ? 'Not one of the allowed codes' : 'Không thuộc danh mục mã cho phép'
  };
  function validDate(v, withTime) {
    var m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?$/.exec(v);
    if (!m || (withTime ? !m[5] : m[4])) return false;
    var y = +m[1], mo = +m[2], d = +m[3];
    var dt = new Date(Date.UTC(y, mo - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return false;
    if (withTime && (+m[4] > 23 || +m[5] > 59)) return false;
    return true;
  }
  function check(input) {
    var v = input.value.trim();
    var type = input.getAttribute('data-type') || 'string';
    var max = +input.getAttribute('maxlength') || 0;
    var codes = input.getAttribute('data-codes');
    var msg = '';
    if (!v) { if (input.required && !blankOptional(input)) msg = M.required; }
    else if (max && v.length > max) msg = M.length.replace('{n}', max);
    else if (type === 'number' && !/^-?\d+(\.\d+)?$/.test(v)) msg = M.number;
    else if (type === 'date' && !validDate(v, false)) msg = M.date;
    else if (type === 'datetime' && !validDate(v, true)) msg = M.datetime;
    else if (codes && codes.split('|').indexOf(v) < 0) msg = M.code;
    var out = document.getElementById(input.id + '-err');
    if (out) out.textContent = msg;
    if (msg) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    return !msg;
  }
  // A table the form may leave out (fieldset[data-optional]) needs its required fields only once
  // one of its fields is filled, as on the server.
  function blankOptional(input) {
    var fs = input.closest('fieldset[data-optional]');
    if (!fs) return false;
    var all = fs.querySelectorAll('input[data-type],textarea[data-type]');
    for (var i = 0; i < all.length; i++) if (all[i].value.trim()) return false;
    return true;
  }
  function wire(form) {
    var inputs = form.querySelectorAll('input[data-type],textarea[data-type]');
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].addEventListener('input', function (e) { check(e.target); });
      inputs[i].addEventListener('blur', function (e) { check(e.target); });
    }
    form.addEventListener('submit', function (e) {
      var first = null;
      for (var j = 0; j < inputs.length; j++) if (!check(inputs[j]) && !first) first = inputs[j];
      if (first) { e.preventDefault(); first.focus(); }
    });
  }
  var forms = document.querySelectorAll('form[data-validate]');
  for (var k = 0; k < forms.length; k++) wire(forms[k]);
})();
