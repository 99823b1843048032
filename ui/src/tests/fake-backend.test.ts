// The fake stands in for the Rust side in every UI test, so its own behaviour
// (the rules the real server enforces) is tested too.
import { describe, expect, it } from 'vitest';
import { rejection } from './helpers';
import type { WindowRequest } from '../lib/bindings/WindowRequest';
import { FakeBackend, FAKE_ADMIN_EMAIL, FAKE_OWNER_EMAIL } from '../lib/fake-backend';
import { fold } from '../lib/fold';
import { editOf } from '../lib/permissions';

const request = (patch: Partial<WindowRequest> = {}): WindowRequest => ({
  tab: 'active',
  search: '',
  sort: { key: 'name', descending: false },
  offset: 0,
  limit: 50,
  ...patch,
});

describe('fold', () => {
  it('ignores case and accents in Latin and Greek, like the Rust side', () => {
    expect(fold('Zoë')).toBe('zoe');
    expect(fold('ŁUKASZ Wiśniewski')).toBe('lukasz wisniewski');
    expect(fold('Søren Æbelø')).toBe('soren aebelo');
    expect(fold('Straße')).toBe('strasse');
    expect(fold('Nguyễn Thị Hương')).toBe('nguyen thi huong');
    expect(fold('Ελένη')).toBe('ελενη');
  });

  it('keeps marks that make a different letter in other scripts', () => {
    expect(fold('Йоанна')).toBe('йоанна');
    expect(fold('王芳')).toBe('王芳');
  });
});

describe('the fake backend', () => {
  it('generates the same realistic people for the same seed', async () => {
    const a = new FakeBackend({ users: 10_000, signedInAs: 'admin' });
    const b = new FakeBackend({ users: 10_000, signedInAs: 'admin' });
    // Times are relative to when the fake was made; everything else is fixed.
    const people = (
      rows: { id: string; displayName: string; email: string; role: string | null }[],
    ) => rows.map(({ id, displayName, email, role }) => ({ id, displayName, email, role }));
    const first = await a.usersWindow(request({ limit: 100 }));
    expect(people(first.rows)).toEqual(people((await b.usersWindow(request({ limit: 100 }))).rows));
    const { counts } = first;
    expect(counts.active + counts.pending + counts.archived).toBe(10_000);
    expect(counts.pending).toBeGreaterThan(0);
    expect(counts.archived).toBeGreaterThan(0);
    const all = await a.usersWindow(request({ limit: 10_000 }));
    const names = all.rows.map((r) => r.displayName).join(' ');
    expect(names, 'non-Latin names').toMatch(/[\u0400-\u04ff]/);
    expect(names, 'CJK names').toMatch(/[\u4e00-\u9fff]/);
    expect(new Set(all.rows.map((r) => r.role))).toEqual(
      new Set(['owner', 'admin', 'manager', 'member', 'viewer', 'guest']),
    );
    expect(Math.max(...all.rows.map((r) => r.email.length))).toBeGreaterThanOrEqual(80);
  });

  it('windows by tab, accent-insensitive search, sort, offset and limit', async () => {
    const fake = new FakeBackend({ users: 3000, signedInAs: 'admin' });
    const zoe = await fake.usersWindow(request({ search: 'ZOE', limit: 1000 }));
    expect(zoe.total).toBeGreaterThan(0);
    expect(zoe.rows.every((r) => fold(`${r.displayName} ${r.email}`).includes('zoe'))).toBe(true);
    const page = await fake.usersWindow(request({ offset: 10, limit: 5 }));
    const whole = await fake.usersWindow(request({ limit: 15 }));
    expect(page.rows).toEqual(whole.rows.slice(10, 15));
    const desc = await fake.usersWindow(request({ sort: { key: 'lastActive', descending: true } }));
    const times = desc.rows.map((r) => (r.lastActive ? Date.parse(r.lastActive) : -Infinity));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it('changes the version on save and refuses a stale one with Conflict', async () => {
    const fake = new FakeBackend({ users: 50, signedInAs: 'admin' });
    const [row] = (await fake.usersWindow(request({ search: 'a', limit: 10 }))).rows.filter(
      (r) => r.role !== 'owner',
    );
    const before = await fake.getUser(row!.id);
    const after = await fake.saveUser(before.id, before.version, {
      ...editOf(before),
      givenName: 'Renée',
    });
    expect(after.version).not.toBe(before.version);
    const stale = await rejection(fake.saveUser(before.id, before.version, editOf(before)));
    expect(stale.kind).toBe('conflict');
  });

  it('refuses what the administrator does not hold with Forbidden', async () => {
    const fake = new FakeBackend({ users: 50, signedInAs: 'admin' });
    const ownerId = fake.idOf(FAKE_OWNER_EMAIL)!;
    const owner = await fake.getUser(ownerId);
    expect((await rejection(fake.saveUser(ownerId, owner.version, editOf(owner)))).kind).toBe(
      'forbidden',
    );
    expect((await rejection(fake.setArchived(ownerId, owner.version, true))).kind).toBe(
      'forbidden',
    );

    const adminId = fake.idOf(FAKE_ADMIN_EMAIL)!;
    const others = (await fake.usersWindow(request({ limit: 50 }))).rows;
    const member = others.find((r) => r.role === 'member' && r.id !== adminId)!;
    const detail = await fake.getUser(member.id);
    const billing = {
      ...editOf(detail),
      role: 'manager',
      applications: [{ application: 'billing', mode: 'custom' as const }],
      permissions: ['billing:view-invoices'],
    };
    // Managers can't hold billing at all, so nothing is granted there: allowed.
    await expect(fake.saveUser(member.id, detail.version, billing)).resolves.toBeTruthy();
  });

  it('injects failures and holds calls for tests', async () => {
    const fake = new FakeBackend({ users: 10, signedInAs: 'admin' });
    fake.failNext('offline');
    expect((await rejection(fake.catalogue())).kind).toBe('offline');
    await expect(fake.catalogue()).resolves.toBeTruthy();
    const held = fake.holdNext('getUser');
    let done = false;
    const call = fake.getUser(fake.idOf(FAKE_ADMIN_EMAIL)!).then(() => (done = true));
    await held.started;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(done).toBe(false);
    held.release();
    await call;
    expect(done).toBe(true);
  });
});
