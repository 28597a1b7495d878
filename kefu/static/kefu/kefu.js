// Small page behaviours shared by every page. No build step.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "banner error";
    box.setAttribute("role", "alert");
    document.querySelector("main").prepend(box);
  }
  var status = event.detail.xhr.status;
  box.textContent = status === 403 ? (document.documentElement.lang === "en"
    ? "You do not have permission to do this." : "您没有执行此操作的权限。")
    : (document.documentElement.lang === "en" ? "The request failed (" + status + ")."
    : "请求失败（" + status + "），请稍后重试。");
});
