// The fake's side of the seeds' rules (invitations and the outbox, resource
// grants, limits, credits, history, delete with transfer), and the panel's
// own checks of IP ranges and credit limits.
import { describe, expect, it } from 'vitest';
import { rejection, someone } from './helpers';
import { FakeBackend } from '../lib/fake-backend';
import { ipRangeProblem, parseCreditLimit, splitRanges } from '../lib/limits';

const fake = () => new FakeBackend({ users: 300, signedInAs: 'owner' });

async function firstWithRole(b: FakeBackend, role: string, tab: 'active' | 'pending' = 'active') {
  return (await someone(b, role, tab)).id;
}

describe('limits', () => {
  it('accepts CIDR ranges and bare addresses, and explains what is wrong', () => {
    for (const ok of ['192.168.1.0/24', '10.0.0.1', '2001:db8::/32', '2001:db8::1', '::1/128']) {
      expect(ipRangeProblem(ok), ok).toBeNull();
    }
    for (const bad of ['10.0.0.0/33', '300.1.1.1', 'office', '10.0.0/8', '2001:db8::/129']) {
      expect(ipRangeProblem(bad), bad).toMatch(/is not an IP range; write it in CIDR notation/);
    }
    expect(splitRanges(' 10.0.0.0/8,\n\n192.168.0.1 ')).toEqual(['10.0.0.0/8', '192.168.0.1']);
  });

  it('reads an empty credit limit as unlimited', () => {
    expect(parseCreditLimit('  ')).toEqual({ limit: null });
    expect(parseCreditLimit('1,500')).toEqual({ limit: 1500 });
    expect(parseCreditLimit('-3')).toHaveProperty('problem');
  });
});

describe('the fake backend’s rules', () => {
  it('resends and revokes invitations, writing to the outbox', async () => {
    const b = fake();
    const id = await firstWithRole(b, 'member', 'pending');
    await b.resendInvitation(id);
    const outbox = await b.outbox(null, null);
    expect(outbox.messages[0]?.kind).toBe('invitation');
    expect(outbox.messages[0]?.link).toMatch(/\/invite\//);
    await b.revokeInvitation(id);
    expect((await rejection(b.getUser(id))).kind).toBe('notFound');
    const active = await firstWithRole(b, 'member');
    expect((await rejection(b.resendInvitation(active))).message).toMatch(/already accepted/);
    await b.resetPassword(active);
    expect((await b.outbox(null, 1)).messages[0]?.kind).toBe('password-reset');
  });

  it('keeps a Guest’s last resource and says roles the admin cannot grant', async () => {
    const b = fake();
    const guest = await firstWithRole(b, 'guest');
    const held = await b.userResources(guest);
    expect(held.requiresResource).toBe(true);
    const last = held.resources[0]!.id;
    const error = await rejection(b.revokeResource(guest, last));
    expect(error.message).toMatch(/at least one resource/);
    const all = await b.resources();
    const other = all.find((r) => r.id !== last)!;
    await b.grantResources(guest, [other.id]);
    expect((await b.revokeResource(guest, last)).resources.map((r) => r.id)).toEqual([other.id]);

    const admin = new FakeBackend({ users: 300, signedInAs: 'admin' });
    const owner = (await admin.catalogue()).roles.find((r) => r.id === 'owner')!;
    expect(owner.grantable).toBe(false);
    expect(owner.notGrantableReason).toMatch(/one Owner/);
  });

  it('sets limits, refuses usage past them, and logs the change', async () => {
    const b = fake();
    const id = await firstWithRole(b, 'member');
    const user = await b.getUser(id);
    const bad = await rejection(
      b.setLimits(id, user.version, { creditLimit: null, allowedIps: ['10.0.0.0/33'] }),
    );
    expect(bad.kind).toBe('validation');
    const used = (await b.userStatistics(id)).creditsUsed;
    const saved = await b.setLimits(id, user.version, {
      creditLimit: used + 10,
      allowedIps: ['10.0.0.0/8'],
    });
    expect(saved.allowedIps).toEqual(['10.0.0.0/8']);
    expect((await b.userStatistics(id)).remainingCredits).toBe(10);
    expect(() => b.recordUsage(id, 'Too much', 11)).toThrow(/11 credits/);
    b.recordUsage(id, 'Small job', 4);
    expect((await b.userEvents(id, null, 1)).events[0]).toMatchObject({
      description: 'Small job',
      credits: 4,
    });
    const audit = await b.auditLog(id, null, 1);
    expect(audit.entries[0]?.changes.map((c) => c.field)).toEqual(['creditLimit', 'allowedIps']);
  });

  it('deletes with a transfer and says what moved', async () => {
    const b = fake();
    const guest = await firstWithRole(b, 'guest');
    const heir = await firstWithRole(b, 'member');
    const moved = (await b.userResources(guest)).resources;
    const outcome = await b.deleteWithTransfer(guest, { transferTo: heir });
    expect(outcome.affected).toEqual(moved);
    expect(outcome.transferredTo).not.toBeNull();
    const got = (await b.userResources(heir)).resources.map((r) => r.id);
    expect(got).toEqual(expect.arrayContaining(moved.map((r) => r.id)));
    const page1 = await b.auditLog(null, null, 1);
    expect(page1.entries[0]?.action).toBe('user.delete');
  });
});
