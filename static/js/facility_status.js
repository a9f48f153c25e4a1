// The operating-status form: show only the fields of the chosen status (restrictions for
// 受入制限; reason and reopening date for anything but 通常). Without this file every field is
// shown and the server ignores the ones that do not belong to the status.
(() => {
  const form = document.querySelector("[data-fs-status-form]");
  if (!form) return;
  const groups = form.querySelectorAll("[data-fs-for]");
  const update = () => {
    const chosen = form.querySelector('input[name="status"]:checked');
    const status = chosen ? chosen.value : "";
    groups.forEach((group) => {
      group.hidden = status !== "" && !group.dataset.fsFor.split(" ").includes(status);
    });
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "status") update();
  });
  update();
})();
