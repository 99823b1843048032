// The SCIM API of roster-server, called directly with the run's API token:
// another administrator changing a user while the app has it open, or
// checking what the server holds after the app changed it.

export class Scim {
  constructor({ baseUrl, token }) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.token = token;
  }

  async #request(method, path, body) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        Accept: 'application/scim+json',
        ...(body ? { 'Content-Type': 'application/scim+json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`SCIM ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return text === '' ? null : JSON.parse(text);
  }

  /** The user whose userName (their e-mail) is `email`. */
  async userByEmail(email) {
    const filter = encodeURIComponent(`userName eq "${email}"`);
    const list = await this.#request('GET', `/Users?filter=${filter}`);
    if (list.totalResults !== 1) {
      throw new Error(`expected one SCIM user named ${email}, found ${list.totalResults}`);
    }
    return list.Resources[0];
  }

  /** Whether the server still has the user with this id (404: it has not). */
  async exists(id) {
    const response = await fetch(`${this.baseUrl}/Users/${encodeURIComponent(id)}`, {
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/scim+json' },
    });
    await response.text();
    if (response.status === 404) return false;
    if (response.ok) return true;
    throw new Error(`SCIM GET /Users/${id} answered ${response.status}`);
  }

  /**
   * Ends the session a token belongs to (OAuth revocation at the server's
   * root, beside /scim/v2), as an administrator ending it elsewhere would.
   */
  async revokeSession(token) {
    const response = await fetch(new URL('/oauth/revoke', this.baseUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    if (!response.ok) throw new Error(`POST /oauth/revoke answered ${response.status}`);
  }

  /** Replaces one attribute with a PATCH, as another client would. */
  async replace(id, path, value) {
    return this.#request('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path, value }],
    });
  }
}
