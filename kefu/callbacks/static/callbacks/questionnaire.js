// The questionnaire editor: "Add a question" appends an empty row of the question formset
// (Django's empty form with its __prefix__ replaced), so a long questionnaire needs no
// round trips. Without JavaScript the two empty rows of each save still work.
(function () {
  var button = document.getElementById("add-question");
  var template = document.getElementById("question-template");
  var total = document.getElementById("id_q-TOTAL_FORMS");
  var body = document.querySelector("#questions tbody");
  if (!button || !template || !total || !body) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var code = body.querySelector("input[name='q-" + index + "-code']");
    if (code) code.focus();
  });
})();
