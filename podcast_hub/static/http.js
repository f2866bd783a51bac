// Requests to our own server: JSON with the page's CSRF token, and HTML fragments.

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

// Resolve to {ok, status, data, retryAfter}; reject only when the server cannot be
// reached. `headers` adds to the JSON and CSRF ones.
export async function sendJSON(url, method, payload, headers = {}) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
      ...headers,
    },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  const retryAfter = Number(response.headers.get("Retry-After")) || null;
  return { ok: response.ok, status: response.status, data, retryAfter };
}

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

// Return the server's HTML fragment as a DocumentFragment, ready to insert.
export async function getFragment(url) {
  const response = await fetch(url, { headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const template = document.createElement("template");
  template.innerHTML = await response.text();
  return template.content;
}
