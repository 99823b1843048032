// The Roster management API (/roster/v1), the accept page and the token
// endpoint of roster-server, called directly: what an invitee's browser or
// another client would do while the app is driven.

export class RosterApi {
  /** `scimUrl` is the SCIM base (…/scim/v2); the rest lives at the server's root. */
  constructor({ scimUrl, token }) {
    this.root = new URL('/', scimUrl).href.replace(/\/$/, '');
    this.token = token;
  }

  /** One call; resolves to { status, body } whatever the status. */
  async call(method, path, body, token = this.token) {
    const response = await fetch(`${this.root}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let json = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = { text };
    }
    return { status: response.status, body: json };
  }

  /** Like `call`, but a failed status throws with the server's detail. */
  async ok(method, path, body) {
    const answer = await this.call(method, path, body);
    if (answer.status >= 400) {
      throw new Error(
        `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
      );
    }
    return answer.body;
  }

  /** The newest e-mail to `email` in the outbox, with the link in its body. */
  async latestMailTo(email) {
    const outbox = await this.ok('GET', '/roster/v1/outbox?limit=100');
    const message = outbox.messages.find((m) => m.to.toLowerCase() === email.toLowerCase());
    if (!message) throw new Error(`the outbox has no e-mail to ${email}`);
    const link = message.body.match(/https?:\/\/\S+/)?.[0]?.replace(/[.,]$/, '');
    if (!link) throw new Error(`the e-mail to ${email} holds no link: ${message.body}`);
    return { ...message, link };
  }

  /** Posts the accept (or reset) page's form, as the invitee's browser would. */
  async setPassword(link, password) {
    const page = await fetch(link);
    await page.text();
    if (page.status !== 200) throw new Error(`GET ${link} answered ${page.status}`);
    const response = await fetch(link, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password, confirm: password }),
      redirect: 'manual',
    });
    const text = await response.text();
    return { status: response.status, text };
  }

  /** Signs in at the token endpoint; resolves to { status, body }. */
  async signIn(email, password) {
    const response = await fetch(`${this.root}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: email, password }),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }
}
