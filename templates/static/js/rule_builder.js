// A change of a condition's field or test has the server draw the rules again. What the marketer
// types while that answer is on its way would vanish with the controls it was typed into: carry it
// over to the new controls of the same name, and keep the caret where it was.
(() => {
  const builder = document.getElementById("rule-builder");
  if (!builder) return;
  const typedInto = (element) => element.matches("input[type=text], input[type=number]");
  let sent = null;

  builder.addEventListener("htmx:beforeRequest", (event) => {
    // Only for a redraw after a select changed: added or removed conditions renumber the controls.
    if (event.detail.elt.tagName !== "SELECT") {
      sent = null;
      return;
    }
    sent = new Map();
    builder.querySelectorAll("input").forEach((input) => {
      if (typedInto(input)) sent.set(input.name, input.value);
    });
  });

  let typed = null;
  let focused = null;
  builder.addEventListener("htmx:beforeSwap", () => {
    typed = new Map();
    if (sent === null) return;
    builder.querySelectorAll("input").forEach((input) => {
      if (typedInto(input) && sent.has(input.name) && sent.get(input.name) !== input.value) {
        typed.set(input.name, input.value);
      }
    });
    const active = document.activeElement;
    focused = active && builder.contains(active) && typed.has(active.name) ? active.name : null;
    sent = null;
  });

  builder.addEventListener("htmx:afterSwap", () => {
    typed.forEach((value, name) => {
      const input = builder.querySelector(`input[name="${CSS.escape(name)}"]`);
      if (!input || !typedInto(input)) return;
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true })); // the size is counted again
      if (name === focused) input.focus();
    });
    typed = null;
    focused = null;
  });
})();
