// Numeral's web page: draw or pick an image, POST it to /v1/read, show the number with a
// box per digit, and POST a correction to /v1/feedback. No build step, no dependencies.
"use strict";

const $ = (id) => document.getElementById(id);
const pad = $("pad");
const padContext = pad.getContext("2d");
const view = $("view");
const viewContext = view.getContext("2d");

let strokes = 0;                 // strokes drawn since the last clear
let lastImage = null;            // { blob, name } most recently sent to /v1/read
let lastRead = null;             // the ReadResult for it

// MARK: - Drawing

function clearPad() {
  padContext.fillStyle = "#ffffff";
  padContext.fillRect(0, 0, pad.width, pad.height);
  strokes = 0;
}

function padPoint(event) {
  const rect = pad.getBoundingClientRect();
  return { x: (event.clientX - rect.left) * (pad.width / rect.width),
           y: (event.clientY - rect.top) * (pad.height / rect.height) };
}

let drawing = null;              // the pointer id drawing now, and the last point
pad.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  const point = padPoint(event);
  drawing = { id: event.pointerId, point };
  // A pen's pressure thickens the stroke a little; mouse and touch report 0.5.
  padContext.lineWidth = pad.width / 45 * (0.7 + 0.6 * (event.pressure || 0.5));
  padContext.lineCap = "round";
  padContext.lineJoin = "round";
  padContext.strokeStyle = "#111111";
  padContext.beginPath();
  padContext.arc(point.x, point.y, padContext.lineWidth / 2, 0, 2 * Math.PI);
  padContext.fillStyle = "#111111";
  padContext.fill();
  strokes += 1;
});
pad.addEventListener("pointermove", (event) => {
  if (!drawing || drawing.id !== event.pointerId) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  for (const e of events.length ? events : [event]) {
    const point = padPoint(e);
    padContext.beginPath();
    padContext.moveTo(drawing.point.x, drawing.point.y);
    padContext.lineTo(point.x, point.y);
    padContext.stroke();
    drawing.point = point;
  }
});
for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
  pad.addEventListener(type, () => { drawing = null; });
}

// MARK: - Reading

function setBusy(busy) {
  for (const id of ["read", "clear"]) $(id).disabled = busy;
  $("status").textContent = busy ? "Reading…" : $("status").textContent;
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.error ? body.error.message : `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function read(blob, name) {
  showError("");
  setBusy(true);
  lastImage = { blob, name };
  try {
    const response = await fetch("/v1/read", {
      method: "POST",
      headers: { "Content-Type": blob.type || "application/octet-stream" },
      body: blob,
    });
    if (!response.ok) {
      $("status").textContent = "Could not read that image.";
      showError(await errorMessage(response));
      return;
    }
    lastRead = await response.json();
    await showResult(lastRead, blob);
  } catch (error) {
    $("status").textContent = "The server did not answer.";
    showError(String(error));
  } finally {
    setBusy(false);
  }
}

const percent = (p) => `${Math.round(p * 100)}%`;

async function showResult(result, blob) {
  const text = result.text || "";
  $("number").textContent = text || "—";
  $("status").textContent = text ? `Read: ${text}` : "No digits found. Try writing larger, or a clearer photo.";
  $("confidence").textContent = text ? `Overall confidence ${percent(result.confidence)}` +
    (text.includes("?") ? " — ? marks a digit Numeral is unsure of." : "") : "";
  await drawBoxes(result, blob);
  fillTable(result);
  $("correct").hidden = false;
  $("correct-text").value = text.replace(/\?/g, "");
  $("correct-status").textContent = "";
  $("result").focus({ preventScroll: true });
}

async function drawBoxes(result, blob) {
  const image = await createImageBitmap(blob);
  // Fit the image into at most 840 px wide, keeping its aspect ratio.
  const scale = Math.min(1, 840 / image.width);
  view.width = Math.max(1, Math.round(image.width * scale));
  view.height = Math.max(1, Math.round(image.height * scale));
  viewContext.drawImage(image, 0, 0, view.width, view.height);
  const font = Math.max(14, Math.round(view.width / 40));
  viewContext.font = `600 ${font}px system-ui, sans-serif`;
  viewContext.lineWidth = Math.max(2, view.width / 300);
  const labels = [];
  for (const line of result.lines || []) {
    for (const digit of line.digits || []) {
      const color = digit.uncertain ? "#c05a00" : "#13803b";
      const b = digit.box;
      const [x, y, w, h] = [b.x * scale, b.y * scale, b.width * scale, b.height * scale];
      viewContext.strokeStyle = color;
      viewContext.strokeRect(x, y, w, h);
      const label = `${digit.uncertain ? "?" : digit.digit} ${percent(digit.confidence)}`;
      const textY = y > font + 4 ? y - 4 : y + h + font;
      viewContext.fillStyle = "rgb(255 255 255 / 0.8)";
      viewContext.fillRect(x, textY - font, viewContext.measureText(label).width + 6, font + 4);
      viewContext.fillStyle = color;
      viewContext.fillText(label, x + 3, textY);
      labels.push(`${digit.digit} at ${percent(digit.confidence)}`);
    }
    for (const separator of line.separators || []) {
      const b = separator.box;
      viewContext.strokeStyle = "#1456c8";
      viewContext.strokeRect(b.x * scale, b.y * scale, b.width * scale, b.height * scale);
    }
  }
  view.setAttribute("aria-label", labels.length ? `The image with a box around each digit: ${labels.join(", ")}` : "The image; no digits found");
  document.querySelector(".view").hidden = false;
}

function fillTable(result) {
  const body = $("digits").querySelector("tbody");
  body.replaceChildren();
  for (const line of result.lines || []) {
    for (const digit of line.digits || []) {
      const row = document.createElement("tr");
      const cells = [
        digit.uncertain ? `${digit.digit}?` : String(digit.digit),
        percent(digit.confidence),
        (digit.alternatives || []).filter((a) => a.digit !== digit.digit)
          .map((a) => `${a.digit} (${percent(a.confidence)})`).join(", ") || "—",
      ];
      cells.forEach((text, i) => {
        const cell = document.createElement("td");
        cell.textContent = text;
        if (i === 0 && digit.uncertain) cell.className = "uncertain";
        row.append(cell);
      });
      body.append(row);
    }
  }
  $("digits").hidden = body.children.length === 0;
}

// MARK: - Feedback

function blobToDataURL(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

$("correct").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!lastImage) return;
  const status = $("correct-status");
  status.textContent = "Sending…";
  try {
    // The image goes along with the read's id, so any server behind a load balancer can store it.
    const response = await fetch("/v1/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        text: $("correct-text").value,
        readId: lastRead ? lastRead.id : undefined,
        image: await blobToDataURL(lastImage.blob),
        imageName: lastImage.name,
      }),
    });
    status.textContent = response.ok
      ? `Thank you: saved as correction #${(await response.json()).id}.`
      : `Not saved: ${await errorMessage(response)}`;
  } catch (error) {
    status.textContent = `Not saved: ${error}`;
  }
});

// MARK: - Wiring

$("clear").addEventListener("click", clearPad);
$("read").addEventListener("click", () => {
  if (strokes === 0) {
    showError("Draw a number first, or choose an image.");
    return;
  }
  pad.toBlob((blob) => read(blob, "drawing.png"), "image/png");
});
for (const id of ["file", "camera"]) {
  $(id).addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) read(file, file.name);
    event.target.value = "";
  });
}

fetch("/v1/model").then((r) => r.json()).then((model) => {
  const accuracy = model.test ? `, ${(model.test.accuracy * 100).toFixed(2)}% on the MNIST test set` : "";
  $("model").textContent = `Model: ${model.name}${accuracy}.`;
}).catch(() => { $("model").textContent = "Model: unknown."; });

clearPad();
