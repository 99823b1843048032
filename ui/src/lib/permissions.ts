/**
 * What the administrator may change in a user's role and permissions. The
 * server enforces every rule; the UI shows what cannot be granted as disabled,
 * with the reason (no escalation: nobody grants what they don't hold).
 */
import type { ApplicationInfo } from './bindings/ApplicationInfo';
import type { Catalogue } from './bindings/Catalogue';
import type { Me } from './bindings/Me';
import type { PermissionInfo } from './bindings/PermissionInfo';
import type { RoleInfo } from './bindings/RoleInfo';
import type { UserDetail } from './bindings/UserDetail';
import type { UserEdit } from './bindings/UserEdit';

export const CANT_GRANT = "You can't grant this: you don't have it yourself";

/** Whether `me` holds a permission. An empty list means the server doesn't say: allow, it decides. */
export function holds(me: Me, permission: string): boolean {
  return me.permissions.length === 0 || me.permissions.includes(permission);
}

export function findRole(catalogue: Catalogue, id: string | null): RoleInfo | undefined {
  return catalogue.roles.find((role) => role.id === id);
}

/** Why the whole user can't be edited by `me`, or null when they can. */
export function readOnlyReason(me: Me, user: Pick<UserDetail, 'role' | 'id'>): string | null {
  if (user.role === 'owner' && me.role !== 'owner') {
    return 'Only the Owner can change the Owner';
  }
  if (!holds(me, 'users:edit')) {
    return "You can't edit users: your role doesn't include “Edit users”";
  }
  return null;
}

/** Why `me` can't give this role, or null. */
export function roleBlock(me: Me, role: RoleInfo): string | null {
  if (!role.assignable) return `Nobody can be given the ${role.name} role`;
  // The server's verdict for the signed-in administrator, with its reason.
  if (!role.grantable) {
    return role.notGrantableReason ?? "You can't give this role: you don't hold all of it yourself";
  }
  if (!role.permissions.every((p) => holds(me, p))) {
    return "You can't give this role: it has permissions you don't have yourself";
  }
  return null;
}

export function isCustom(edit: UserEdit, application: string): boolean {
  return edit.applications.some((a) => a.application === application && a.mode === 'custom');
}

/** The permissions of an application that a role can hold at all. */
export function withinCeiling(app: ApplicationInfo, role: RoleInfo | undefined): PermissionInfo[] {
  if (role === undefined) return app.permissions;
  const ceiling = new Set(role.permissions);
  return app.permissions.filter((p) => ceiling.has(p.id));
}

/** Why the All/Custom switch of an application can't be flipped, or null. */
export function applicationBlock(
  me: Me,
  edit: UserEdit,
  app: ApplicationInfo,
  role: RoleInfo | undefined,
): string | null {
  const reachable = withinCeiling(app, role);
  if (reachable.length === 0) {
    return `The ${role?.name ?? 'selected'} role has no permissions in ${app.name}`;
  }
  // Going back to All grants every permission the role allows here.
  if (isCustom(edit, app.id) && !reachable.every((p) => holds(me, p.id))) {
    return `You can't grant all of ${app.name}: you don't have every permission in it yourself`;
  }
  return null;
}

/** Why one permission switch can't be flipped, or null. */
export function permissionBlock(
  me: Me,
  edit: UserEdit,
  app: ApplicationInfo,
  permission: PermissionInfo,
  role: RoleInfo | undefined,
): string | null {
  if (role !== undefined && !role.permissions.includes(permission.id)) {
    return `The ${role.name} role can't hold this permission`;
  }
  if (!holds(me, permission.id)) return CANT_GRANT;
  if (permission.parent !== null && !edit.permissions.includes(permission.parent)) {
    const parent = app.permissions.find((p) => p.id === permission.parent);
    return `Turn on “${parent?.name ?? permission.parent}” first`;
  }
  return null;
}

/** Switches an application between All and Custom; Custom starts from what All gave. */
export function setCustom(
  edit: UserEdit,
  app: ApplicationInfo,
  role: RoleInfo | undefined,
  custom: boolean,
): UserEdit {
  const others = edit.applications.filter((a) => a.application !== app.id);
  const appIds = new Set(app.permissions.map((p) => p.id));
  const outside = edit.permissions.filter((p) => !appIds.has(p));
  if (!custom) return { ...edit, applications: others, permissions: outside };
  const start = withinCeiling(app, role).map((p) => p.id);
  return {
    ...edit,
    applications: [...others, { application: app.id, mode: 'custom' }],
    permissions: [...outside, ...start],
  };
}

/** Grants or revokes one permission; revoking a parent revokes its sub-permissions. */
export function setPermission(
  edit: UserEdit,
  app: ApplicationInfo,
  permission: PermissionInfo,
  granted: boolean,
): UserEdit {
  if (granted) {
    if (edit.permissions.includes(permission.id)) return edit;
    return { ...edit, permissions: [...edit.permissions, permission.id] };
  }
  const children = new Set(
    app.permissions.filter((p) => p.parent === permission.id).map((p) => p.id),
  );
  return {
    ...edit,
    permissions: edit.permissions.filter((p) => p !== permission.id && !children.has(p)),
  };
}

/** A new role: drop custom grants the role can't hold. */
export function setRole(edit: UserEdit, role: RoleInfo | undefined): UserEdit {
  if (role === undefined) return edit;
  const ceiling = new Set(role.permissions);
  return { ...edit, role: role.id, permissions: edit.permissions.filter((p) => ceiling.has(p)) };
}

/** The editable part of a user, in a canonical order so two edits compare by value. */
export function editOf(user: UserDetail | UserEdit): UserEdit {
  return {
    givenName: user.givenName,
    familyName: user.familyName,
    email: user.email,
    role: user.role,
    departments: [...user.departments],
    applications: user.applications
      .map((a) => ({ application: a.application, mode: a.mode }))
      .sort((a, b) => a.application.localeCompare(b.application)),
    permissions: [...user.permissions].sort(),
  };
}

export function sameEdit(a: UserEdit, b: UserEdit): boolean {
  return JSON.stringify(editOf(a)) === JSON.stringify(editOf(b));
}

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface FieldErrors {
  givenName?: string;
  familyName?: string;
  email?: string;
}

/** The checks made before sending, so a typo gets an answer at once. */
export function validateEdit(edit: UserEdit): FieldErrors {
  const errors: FieldErrors = {};
  if (edit.givenName.trim() === '') errors.givenName = 'Enter a first name.';
  if (edit.familyName.trim() === '') errors.familyName = 'Enter a last name.';
  const email = edit.email.trim();
  if (email === '') errors.email = 'Enter an e-mail address.';
  else if (!EMAIL_SHAPE.test(email))
    errors.email = 'Enter an e-mail address like name@example.org.';
  return errors;
}
