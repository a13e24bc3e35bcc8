// Calls to the operator API. The HttpOnly cookie set on the first page load carries the access token, so no
// request here touches it. Every call resolves to {ok, status, text, json}: errors are values the page shows.

export async function call(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    return { ok: false, status: 0, text: `the appliance did not answer (${e.message})` };
  }
  const text = (await res.text()).trim();
  let json;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { ok: res.ok, status: res.status, text: res.ok ? text : errorText(res.status, text), json };
}

/** The appliance answers errors as `EVEBOOT_ERR_CODE: what to do`; the code is for logs, the sentence for people. */
function errorText(status, text) {
  const sentence = text.replace(/^EVEBOOT_ERR_[A-Z_]+:\s*/, '');
  return `${status}: ${sentence || 'no reason given'}`;
}

export const getJson = async (path) => {
  const r = await call('GET', path);
  return r.ok ? r.json : undefined;
};
