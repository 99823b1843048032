import type { AppError } from './bindings/AppError';
import type { AuditPage } from './bindings/AuditPage';
import type { DeleteOutcome } from './bindings/DeleteOutcome';
import type { DeleteRequest } from './bindings/DeleteRequest';
import type { DepartmentInfo } from './bindings/DepartmentInfo';
import type { NotificationSettings } from './bindings/NotificationSettings';
import type { EventsPage } from './bindings/EventsPage';
import type { OutboxPage } from './bindings/OutboxPage';
import type { PasswordReset } from './bindings/PasswordReset';
import type { ResourceRef } from './bindings/ResourceRef';
import type { UserLimits } from './bindings/UserLimits';
import type { UserResources } from './bindings/UserResources';
import type { UserStatistics } from './bindings/UserStatistics';
import type { Catalogue } from './bindings/Catalogue';
import type { ConnectionStatus } from './bindings/ConnectionStatus';
import type { ErrorKind } from './bindings/ErrorKind';
import type { InviteRequest } from './bindings/InviteRequest';
import type { NewRole } from './bindings/NewRole';
import type { ProfileSummary } from './bindings/ProfileSummary';
import type { SyncState } from './bindings/SyncState';
import type { UserDetail } from './bindings/UserDetail';
import type { UserEdit } from './bindings/UserEdit';
import type { UsersWindow } from './bindings/UsersWindow';
import type { WindowRequest } from './bindings/WindowRequest';

/**
 * Everything the UI asks of the Rust side. The app uses the Tauri
 * implementation (tauri-backend.ts); tests and the browser test build use the
 * in-memory fake (fake-backend.ts). Every method rejects with an `AppError`.
 */
export interface Backend {
  /** Saved connections; never reads the keychain. */
  listProfiles(): Promise<ProfileSummary[]>;
  /** The open connection, or null on first run and after sign out. */
  currentConnection(): Promise<ConnectionStatus | null>;
  connectWithPassword(
    serverUrl: string,
    email: string,
    password: string,
  ): Promise<ConnectionStatus>;
  connectWithToken(serverUrl: string, token: string): Promise<ConnectionStatus>;
  openDemo(): Promise<ConnectionStatus>;
  switchProfile(profileId: string): Promise<ConnectionStatus>;
  /** Ends the current profile's session and forgets its stored secret. */
  signOut(): Promise<void>;
  catalogue(): Promise<Catalogue>;
  usersWindow(request: WindowRequest): Promise<UsersWindow>;
  getUser(id: string): Promise<UserDetail>;
  saveUser(id: string, version: string | null, edit: UserEdit): Promise<UserDetail>;
  inviteUser(request: InviteRequest): Promise<UserDetail>;
  setArchived(id: string, version: string | null, archived: boolean): Promise<UserDetail>;
  deleteUser(id: string, version: string | null): Promise<void>;
  /** A new invitation link (the old one stops working), also when expired. */
  resendInvitation(id: string): Promise<UserDetail>;
  /** Removes a pending user and their invitation. */
  revokeInvitation(id: string): Promise<void>;
  /** The e-mails the server wrote, newest first; `before` is the previous page's `nextBefore`. */
  outbox(before: number | null, limit: number | null): Promise<OutboxPage>;
  /** Sends the user a password reset link (to the outbox). */
  resetPassword(id: string): Promise<PasswordReset>;
  /** Every resource the administrator can see, and so share. */
  resources(): Promise<ResourceRef[]>;
  userResources(id: string): Promise<UserResources>;
  grantResources(id: string, resources: string[]): Promise<UserResources>;
  /** Refused for a Guest's last resource. */
  revokeResource(id: string, resource: string): Promise<UserResources>;
  /** Credit limit (null: unlimited) and allowed IP ranges (empty: anywhere). */
  setLimits(id: string, version: string | null, limits: UserLimits): Promise<UserDetail>;
  userStatistics(id: string): Promise<UserStatistics>;
  userEvents(id: string, before: number | null, limit: number | null): Promise<EventsPage>;
  /** The audit log, newest first; only about or by `user` when given. */
  auditLog(user: string | null, before: number | null, limit: number | null): Promise<AuditPage>;
  /** Deletes a user with their resources, or after moving them to another user. */
  deleteWithTransfer(id: string, request: DeleteRequest): Promise<DeleteOutcome>;
  /** Defines a custom role (only permissions the administrator holds); answers the new catalogue. */
  createRole(role: NewRole): Promise<Catalogue>;
  /** Changes a custom role (its holders' permissions follow); answers the new catalogue. */
  updateRole(id: string, role: NewRole): Promise<Catalogue>;
  /** Deletes a custom role nobody holds; answers the new catalogue. */
  deleteRole(id: string): Promise<Catalogue>;
  /** How the user is notified: e-mail, in the app, a summary of activity. */
  setNotifications(
    id: string,
    version: string | null,
    settings: NotificationSettings,
  ): Promise<UserDetail>;
  /** The departments, each with how many users belong to it. */
  departments(): Promise<DepartmentInfo[]>;
  createDepartment(name: string): Promise<DepartmentInfo[]>;
  /** Renames a department for everyone in it. */
  renameDepartment(name: string, newName: string): Promise<DepartmentInfo[]>;
  /** Removes a department from the list and from everyone in it. */
  deleteDepartment(name: string): Promise<DepartmentInfo[]>;
  /** The offline copy of the open connection: as of when, syncing, offline. */
  syncState(): Promise<SyncState>;
  /** Syncs now (or, while offline, tries to reconnect now). */
  syncNow(): Promise<void>;
  cancelSync(): Promise<void>;
  /** Calls `listener` on every change of the sync state; resolves to "stop". */
  onSyncState(listener: (state: SyncState) => void): Promise<() => void>;
}

const ERROR_KINDS: readonly ErrorKind[] = [
  'unauthorized',
  'forbidden',
  'offline',
  'notFound',
  'conflict',
  'validation',
  'keychain',
  'internal',
];

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, message } = value as Record<string, unknown>;
  return (
    typeof message === 'string' &&
    typeof kind === 'string' &&
    (ERROR_KINDS as readonly string[]).includes(kind)
  );
}

/**
 * Whatever a call rejected with, as an `AppError`. Anything that is not one
 * (a Tauri-level failure such as an unknown command, a bug in the UI) is
 * `internal`, so the UI still has a kind to branch on.
 */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return value;
  if (value instanceof Error) return { kind: 'internal', message: value.message };
  if (typeof value === 'string' && value !== '') return { kind: 'internal', message: value };
  return { kind: 'internal', message: 'Something went wrong.' };
}

export function appError(kind: ErrorKind, message: string): AppError {
  return { kind, message };
}
