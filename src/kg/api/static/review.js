// Sends a review decision to POST /review/{suggestion} with the write token in the Authorization header.
document.querySelectorAll("form.decision").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const decision = event.submitter ? event.submitter.value : "accept";
    const token = document.getElementById("token").value;
    const reviewer = document.getElementById("reviewer").value;
    const output = form.querySelector("output");
    if (!token || !reviewer) {
      output.textContent = "enter the write token and your name first";
      return;
    }
    const body = { decision, reviewer };
    if (decision === "correct") body.concept = form.querySelector("input[name=concept]").value;
    const response = await fetch("/review/" + form.dataset.suggestion, {
      method: "POST",
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    output.textContent = response.ok ? (JSON.parse(text).status + " " + (JSON.parse(text).fact || "")) : text;
    if (response.ok) form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  });
});
